using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace SimdRnn.Kernels;

/// <summary>
/// Measures the machine's peak FP32 FMA rate: twelve independent FMA chains in registers per thread, on
/// the lanes of the process's SIMD path. No kernel can pass it; <c>bench</c> reports fractions of it.
/// </summary>
public static class PeakProbe
{
    private const int Chains = 12;

    /// <summary>GFLOP/s with <paramref name="threads"/> threads running for about <paramref name="seconds"/>.</summary>
    public static double Measure(int threads, double seconds = 1.0)
    {
        long iterations = 1000;
        Run(iterations);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < 0.05)
        {
            iterations *= 2;
            Run(iterations);
        }

        iterations = (long)(iterations * seconds / clock.Elapsed.TotalSeconds * 0.5);
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() => Run(iterations))).ToArray();
        clock.Restart();
        foreach (var worker in workers) worker.Start();
        foreach (var worker in workers) worker.Join();
        double flops = threads * (double)iterations * Chains * Simd.FloatLanes * 2;
        return flops / clock.Elapsed.TotalSeconds / 1e9;
    }

    private static float Run(long iterations)
    {
        var chains = new FmaChains(iterations);
        return Simd.Visit<FmaChains, float>(Simd.Path, ref chains);
    }

    // Twelve independent chains of a = a * m + c on the path's lanes, so the FMA latency is hidden.
    private readonly struct FmaChains(long iterations) : ISimdPathVisitor<float>
    {
        public float Visit<TLanes, TKernel>()
            where TLanes : struct, ILanes<TLanes, float>
            where TKernel : struct, IGemmKernel => Run<TLanes>(iterations);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static float Run<TLanes>(long iterations)
            where TLanes : struct, ILanes<TLanes, float>
        {
            var a0 = TLanes.Constant(1); var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0;
            var a6 = a0; var a7 = a0; var a8 = a0; var a9 = a0; var a10 = a0; var a11 = a0;
            var m = TLanes.Constant(0.999999);
            var c = TLanes.Constant(1e-7);
            for (long i = 0; i < iterations; i++)
            {
                a0 = TLanes.MultiplyAdd(a0, m, c); a1 = TLanes.MultiplyAdd(a1, m, c);
                a2 = TLanes.MultiplyAdd(a2, m, c); a3 = TLanes.MultiplyAdd(a3, m, c);
                a4 = TLanes.MultiplyAdd(a4, m, c); a5 = TLanes.MultiplyAdd(a5, m, c);
                a6 = TLanes.MultiplyAdd(a6, m, c); a7 = TLanes.MultiplyAdd(a7, m, c);
                a8 = TLanes.MultiplyAdd(a8, m, c); a9 = TLanes.MultiplyAdd(a9, m, c);
                a10 = TLanes.MultiplyAdd(a10, m, c); a11 = TLanes.MultiplyAdd(a11, m, c);
            }

            // The sum keeps every chain alive; its first lane is enough to return.
            Span<float> sum = stackalloc float[TLanes.Count];
            TLanes.Store(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11, ref sum[0]);
            return sum[0];
        }
    }
}
