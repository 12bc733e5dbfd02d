using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SimdRnn.Kernels;

/// <summary>
/// Measures how fast one thread reads a buffer that stays in cache between passes, as a streaming step's weights do:
/// a 64-byte aligned buffer of the given size, read whole with the process's SIMD vectors into eight independent sums.
/// Its time per pass is the floor for any computation that must read that many bytes (the memory bound of
/// docs/embedding.md's figures).
/// </summary>
public static unsafe class ReadBandwidthProbe
{
    /// <summary>
    /// Median and 99th percentile of <paramref name="passes"/> timed passes over <paramref name="bytes"/> bytes, after
    /// as many untimed ones, and the read bandwidth of the median.
    /// </summary>
    public static (double MedianMicroseconds, double P99Microseconds, double GigabytesPerSecond) Measure(long bytes, int passes = 20000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(passes, 1);
        long floats = bytes / sizeof(float) / 128 * 128;
        float* buffer = (float*)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
        try
        {
            new Span<float>(buffer, (int)floats).Fill(1f);
            var times = new double[passes];
            var pass = new Pass(buffer, floats);
            float sink = 0;
            for (int i = -passes; i < passes; i++)
            {
                long start = Stopwatch.GetTimestamp();
                sink += Simd.Visit<Pass, float>(Simd.Path, ref pass);
                if (i >= 0) times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }

            GC.KeepAlive(sink);
            Array.Sort(times);
            double median = times[passes / 2];
            return (median, times[Math.Min(passes - 1, passes * 99 / 100)], floats * sizeof(float) / (median * 1e3));
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    // One pass on the path's lanes: eight vectors per iteration, each into its own sum so no add waits on another.
    private readonly struct Pass(float* buffer, long floats) : ISimdPathVisitor<float>
    {
        public float Visit<TLanes, TKernel>()
            where TLanes : struct, ILanes<TLanes, float>
            where TKernel : struct, IGemmKernel => Read<TLanes>(buffer, floats);

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private static float Read<TLanes>(float* buffer, long floats)
            where TLanes : struct, ILanes<TLanes, float>
        {
            int w = TLanes.Count;
            TLanes s0 = TLanes.Constant(0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            for (float* p = buffer, end = buffer + floats; p < end; p += 8 * w)
            {
                s0 += TLanes.Load(in p[0]); s1 += TLanes.Load(in p[w]);
                s2 += TLanes.Load(in p[2 * w]); s3 += TLanes.Load(in p[3 * w]);
                s4 += TLanes.Load(in p[4 * w]); s5 += TLanes.Load(in p[5 * w]);
                s6 += TLanes.Load(in p[6 * w]); s7 += TLanes.Load(in p[7 * w]);
            }

            // The sum keeps every load alive; its first lane is enough to return.
            Span<float> sum = stackalloc float[TLanes.Count];
            TLanes.Store(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7, ref sum[0]);
            return sum[0];
        }
    }
}
