using System.Diagnostics;
using SimdRnn.Kernels;

namespace SimdRnn.Bench;

/// <summary>
/// `--rows`: where the row product stops paying. For m = 1..10 rows of lstm-128's step products against packed
/// weights (h·Whh^T, k 128, n 512; x·Wih^T, k 28, n 512), the median time of the row product and of the MR-row
/// micro-kernel (which packs A), on each vector path this machine runs. <see cref="GemmDriver{TKernel}.RowProductRows"/>
/// is the last m where the row product wins on every path.
/// </summary>
public static unsafe class RowProductRun
{
    private const int Calls = 4000;

    public static void Print()
    {
        Console.WriteLine($"row product (rows) against the micro-kernel (tiles), median us per product; RowProductRows = {GemmDriver<GemmKernelScalar>.RowProductRows}");

        // One untimed sweep first, so that every product runs its final (tier-1) code when timed.
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed.TotalSeconds < 0.5)
        {
            foreach (SimdPath path in Simd.Supported.Where(p => p is SimdPath.Vector512 or SimdPath.Vector256))
            {
                for (int m = 1; m <= 10; m++)
                {
                    Time(path, m, 128, 512, byRows: true, calls: 50);
                    Time(path, m, 128, 512, byRows: false, calls: 50);
                }
            }
        }

        foreach ((int k, int n) in new[] { (128, 512), (28, 512) })
        {
            foreach (SimdPath path in Simd.Supported.Where(p => p is SimdPath.Vector512 or SimdPath.Vector256))
            {
                var line = new System.Text.StringBuilder($"k {k,3} n {n} {path,-9}");
                for (int m = 1; m <= 10; m++)
                {
                    double rows = Time(path, m, k, n, byRows: true, Calls), tiles = Time(path, m, k, n, byRows: false, Calls);
                    line.Append($" | m{m} {rows:F2}/{tiles:F2}");
                }

                Console.WriteLine(line);
            }
        }
    }

    private static double Time(SimdPath path, int m, int k, int n, bool byRows, int calls)
    {
        var random = new Random(m * 31 + k);
        float[] a = Enumerable.Range(0, m * k).Select(_ => random.NextSingle() - 0.5f).ToArray();
        float[] b = Enumerable.Range(0, n * k).Select(_ => random.NextSingle() - 0.5f).ToArray();
        float[] c = new float[m * n];
        using var packed = new PackedMatrix(k, n, path);
        packed.Pack(b, k, transB: true);
        using var workspace = new GemmWorkspace();
        var times = new double[calls];
        fixed (float* pa = a)
        fixed (float* pc = c)
        {
            for (int i = -calls; i < calls; i++)
            {
                long start = Stopwatch.GetTimestamp();
                Run(path, m, pa, k, packed, pc, n, workspace, byRows);
                if (i >= 0) times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
        }

        Array.Sort(times);
        return times[calls / 2];
    }

    private static void Run(SimdPath path, int m, float* a, int lda, PackedMatrix b, float* c, int ldc, GemmWorkspace workspace, bool byRows)
    {
        switch (path, byRows)
        {
            case (SimdPath.Vector512, true): GemmDriver<GemmKernel512>.MultiplyByRows(m, a, lda, false, b, c, ldc, false, bias: null, workspace); break;
            case (SimdPath.Vector512, false): GemmDriver<GemmKernel512>.MultiplyByTiles(m, a, lda, false, b, c, ldc, false, bias: null, workspace); break;
            case (SimdPath.Vector256, true): GemmDriver<GemmKernel256>.MultiplyByRows(m, a, lda, false, b, c, ldc, false, bias: null, workspace); break;
            default: GemmDriver<GemmKernel256>.MultiplyByTiles(m, a, lda, false, b, c, ldc, false, bias: null, workspace); break;
        }
    }
}
