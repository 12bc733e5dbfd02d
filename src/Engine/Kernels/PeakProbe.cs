using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdRnn.Kernels;

/// <summary>
/// Measures the machine's peak FP32 FMA rate: twelve independent FMA chains in registers per thread, on
/// the widest accelerated vectors. No kernel can pass it; <c>bench</c> reports fractions of it.
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

    private static float Run(long iterations) => Simd.Path switch
    {
        SimdPath.Vector512 => Run512(iterations),
        SimdPath.Vector256 => Run256(iterations),
        _ => RunScalar(iterations),
    };

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Run512(long iterations)
    {
        var a0 = Vector512.Create(1f); var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0;
        var a6 = a0; var a7 = a0; var a8 = a0; var a9 = a0; var a10 = a0; var a11 = a0;
        var m = Vector512.Create(0.999999f);
        var c = Vector512.Create(1e-7f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c); a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
        }

        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Run256(long iterations)
    {
        var a0 = Vector256.Create(1f); var a1 = a0; var a2 = a0; var a3 = a0; var a4 = a0; var a5 = a0;
        var a6 = a0; var a7 = a0; var a8 = a0; var a9 = a0; var a10 = a0; var a11 = a0;
        var m = Vector256.Create(0.999999f);
        var c = Vector256.Create(1e-7f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c); a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c); a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }

        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float RunScalar(long iterations)
    {
        float a0 = 1, a1 = 1, a2 = 1, a3 = 1, a4 = 1, a5 = 1, a6 = 1, a7 = 1, a8 = 1, a9 = 1, a10 = 1, a11 = 1;
        for (long i = 0; i < iterations; i++)
        {
            a0 = MathF.FusedMultiplyAdd(a0, 0.999999f, 1e-7f); a1 = MathF.FusedMultiplyAdd(a1, 0.999999f, 1e-7f);
            a2 = MathF.FusedMultiplyAdd(a2, 0.999999f, 1e-7f); a3 = MathF.FusedMultiplyAdd(a3, 0.999999f, 1e-7f);
            a4 = MathF.FusedMultiplyAdd(a4, 0.999999f, 1e-7f); a5 = MathF.FusedMultiplyAdd(a5, 0.999999f, 1e-7f);
            a6 = MathF.FusedMultiplyAdd(a6, 0.999999f, 1e-7f); a7 = MathF.FusedMultiplyAdd(a7, 0.999999f, 1e-7f);
            a8 = MathF.FusedMultiplyAdd(a8, 0.999999f, 1e-7f); a9 = MathF.FusedMultiplyAdd(a9, 0.999999f, 1e-7f);
            a10 = MathF.FusedMultiplyAdd(a10, 0.999999f, 1e-7f); a11 = MathF.FusedMultiplyAdd(a11, 0.999999f, 1e-7f);
        }

        return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
    }
}
