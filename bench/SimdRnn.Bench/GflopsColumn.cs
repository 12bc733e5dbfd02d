using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace SimdRnn.Bench;

/// <summary>
/// 2·M·N·K over the median time, in GFLOP/s, or (with <see cref="ofPeak"/>) as a fraction of one core's
/// <see cref="GemmShape.PeakGflops"/>.
/// </summary>
public sealed class GflopsColumn(bool ofPeak) : IColumn
{
    private readonly bool ofPeak = ofPeak;

    public string Id => ofPeak ? "PeakFraction" : "GFLOPs";

    public string ColumnName => ofPeak ? "% of 115 GF/s" : "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => ofPeak ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => ofPeak ? "GFLOP/s as a percentage of one core's FP32 FMA peak" : "2*M*N*K / median time";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? gflops = Gflops(summary, benchmarkCase);
        if (gflops is not double value)
        {
            return "-";
        }

        return ofPeak ? $"{100 * value / GemmShape.PeakGflops:F1}%" : $"{value:F1}";
    }

    public static double? Gflops(Summary summary, BenchmarkCase benchmarkCase)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null || benchmarkCase.Parameters["Shape"] is not GemmShape shape)
        {
            return null;
        }

        return shape.Flops / statistics.Median;
    }
}
