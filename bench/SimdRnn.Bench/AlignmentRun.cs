using System.Diagnostics;
using System.Runtime.InteropServices;
using SimdRnn.Cells;
using SimdRnn.Kernels;
using SimdRnn.Model;

namespace SimdRnn.Bench;

/// <summary>
/// `--align`: what <see cref="AlignedArray{T}"/> buys. The fused LSTM step (forward and backward) for a 64-row
/// chunk of 128 units runs from buffers that start on a 64-byte boundary, and from buffers 8 bytes past one, as
/// a managed array's elements may start. It uses this process's SIMD path (DOTNET_EnableAVX512=0 for Vector256).
/// The four cases alternate for 15 rounds, since a shared machine's speed drifts; it prints each case's median and
/// best time per step.
/// </summary>
public static unsafe class AlignmentRun
{
    private const int Rows = 64, Hidden = 128, Gates = 4, Rounds = 15, Repeats = 2000;

    public static void Print()
    {
        (string Name, int OffsetFloats, bool Forward)[] cases =
            [("forward, aligned", 0, true), ("forward, 8 bytes past", 2, true), ("backward, aligned", 0, false), ("backward, 8 bytes past", 2, false)];
        var times = cases.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < Rounds; round++)
        {
            for (int c = 0; c < cases.Length; c++) times[c].Add(Time(cases[c].OffsetFloats, cases[c].Forward));
        }

        Console.WriteLine($"LSTM step, {Rows} rows x {Hidden} units, {Simd.Path}: median (best) us over {Rounds} alternating rounds");
        for (int c = 0; c < cases.Length; c++)
        {
            double[] sorted = [.. times[c].Order()];
            Console.WriteLine($"{cases[c].Name,-24} {sorted[sorted.Length / 2],8:F2} ({sorted[0]:F2})");
        }
    }

    /// <summary>Median us per step of 5 timed batches, every buffer starting <paramref name="offsetFloats"/> past a 64-byte boundary.</summary>
    private static double Time(int offsetFloats, bool forward)
    {
        var owned = new List<nint>();
        Span<float> Buffer(int floats)
        {
            float* start = (float*)NativeMemory.AlignedAlloc((nuint)((floats + 16) * sizeof(float)), 64);
            owned.Add((nint)start);
            var span = new Span<float>(start + offsetFloats, floats);
            for (int i = 0; i < floats; i++) span[i] = 0.01f * ((i * 7) % 13 - 6);
            return span;
        }

        try
        {
            int gh = Gates * Hidden;
            Span<float> xProj = Buffer(Rows * gh), hProj = Buffer(Rows * gh), gates = Buffer(Rows * gh), dXProj = Buffer(Rows * gh);
            Span<float> hPrev = Buffer(Rows * Hidden), cPrev = Buffer(Rows * Hidden), cNew = Buffer(Rows * Hidden), hNew = Buffer(Rows * Hidden);
            Span<float> dHNew = Buffer(Rows * Hidden), dCNew = Buffer(Rows * Hidden), dHPrev = Buffer(Rows * Hidden), dCPrev = Buffer(Rows * Hidden);
            var batches = new double[5];
            for (int batch = -1; batch < batches.Length; batch++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int r = 0; r < Repeats; r++)
                {
                    var step = new CellStep<float>
                    {
                        Hidden = Hidden,
                        XProj = xProj, HProj = hProj, Gates = gates, dXProj = dXProj,
                        HPrev = hPrev, StatePrev = cPrev, StateNew = cNew, HNew = hNew,
                        dHNew = dHNew, dStateNew = dCNew, dHPrev = dHPrev, dStatePrev = dCPrev,
                    };
                    if (forward) CellDispatch<LstmCell, float>.Forward(ref step, Rows, Hidden);
                    else CellDispatch<LstmCell, float>.Backward(ref step, Rows, Hidden);
                }

                // Batch -1 warms up, so the timed batches run the final code.
                if (batch >= 0) batches[batch] = Stopwatch.GetElapsedTime(start).TotalSeconds / Repeats * 1e6;
            }

            Array.Sort(batches);
            return batches[batches.Length / 2];
        }
        finally
        {
            foreach (nint start in owned) NativeMemory.AlignedFree((void*)start);
        }
    }
}
