using System.Diagnostics;
using SimdRnn.Kernels;

namespace SimdRnn.Bench;

/// <summary>
/// A fast Stopwatch sweep for tuning (`--quick`): after a warm-up past tiering, the median of several
/// timed batches per shape, by wall clock and by this process's CPU time (the machine is shared: CPU time
/// shows what the kernel does when it has a core). BenchmarkDotNet's figures are the ones to quote.
/// </summary>
public static class QuickRun
{
    public static void Print()
    {
        Console.WriteLine($"SIMD path {Simd.Path}; peak {GemmShape.PeakGflops} GFLOP/s per core");
        foreach (GemmShape shape in GemmShape.All)
        {
            using var runner = new GemmRunner(shape);
            int repeats = Math.Max(1, (int)(2e8 / shape.Flops));
            for (int i = 0; i < 50 * repeats; i++)
            {
                runner.Run();
            }

            var seconds = new double[15];
            var cpuSeconds = new double[15];
            using var process = Process.GetCurrentProcess();
            for (int s = 0; s < seconds.Length; s++)
            {
                process.Refresh();
                TimeSpan cpuStart = process.TotalProcessorTime;
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < repeats; i++)
                {
                    runner.Run();
                }

                seconds[s] = Stopwatch.GetElapsedTime(start).TotalSeconds / repeats;
                process.Refresh();
                cpuSeconds[s] = (process.TotalProcessorTime - cpuStart).TotalSeconds / repeats;
            }

            Array.Sort(seconds);
            Array.Sort(cpuSeconds);
            double median = seconds[seconds.Length / 2];
            double cpuMedian = cpuSeconds[cpuSeconds.Length / 2];
            double gflops = shape.Flops / median / 1e9;
            Console.WriteLine(
                $"{shape.Name,-22} {median * 1e6,9:F1} us {gflops,6:F1} GFLOP/s {100 * gflops / GemmShape.PeakGflops,6:F1}% of peak" +
                $" | CPU time {cpuMedian * 1e6,9:F1} us {shape.Flops / cpuMedian / 1e9,6:F1} GFLOP/s");
        }
    }
}
