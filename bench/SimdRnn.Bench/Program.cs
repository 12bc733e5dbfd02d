using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using SimdRnn.Bench;

// `--quick`: a Stopwatch sweep for tuning; `--ort`: the ONNX Runtime peer. Otherwise BenchmarkDotNet, e.g. `--filter *Gemm* --job short`.
if (args.Contains("--quick"))
{
    QuickRun.Print();
    return;
}

// `--align`: the fused LSTM step from 64-byte aligned buffers against buffers 8 bytes past a boundary.
if (args.Contains("--align"))
{
    AlignmentRun.Print();
    return;
}

// `--rows`: the row product against the micro-kernel for products of few rows.
if (args.Contains("--rows"))
{
    RowProductRun.Print();
    return;
}

// `--ort [--rounds N]`: SimdRnn against ONNX Runtime on SimdRnn's ONNX exports, alternating in one run.
if (args.Contains("--ort"))
{
    int at = Array.IndexOf(args, "--rounds");
    OrtPeer.Print(at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : 21);
    return;
}

var config = DefaultConfig.Instance
    .AddColumn(StatisticColumn.Median, new GflopsColumn(ofPeak: false), new GflopsColumn(ofPeak: true));
Summary[] summaries = BenchmarkSwitcher.FromAssembly(typeof(GemmBenchmarks).Assembly).Run(args, config).ToArray();
foreach (Summary summary in summaries)
{
    foreach (BenchmarkCase benchmarkCase in summary.BenchmarksCases)
    {
        if (GflopsColumn.Gflops(summary, benchmarkCase) is double gflops && summary[benchmarkCase]?.ResultStatistics is { } statistics)
        {
            Console.WriteLine($"GEMM {benchmarkCase.Parameters["Shape"],-22} median {statistics.Median / 1000:F1} us  {gflops:F1} GFLOP/s  {100 * gflops / GemmShape.PeakGflops:F1}% of 115 GFLOP/s");
        }
    }
}
