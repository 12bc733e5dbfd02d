namespace SimdRnn.Bench;

/// <summary>
/// A product the engine runs: c[M, N] = op(a)[M, K] · op(b)[K, N], with b packed once when
/// <see cref="Packed"/> (recurrent weights, reused every time step).
/// </summary>
public sealed record GemmShape(string Name, int M, int N, int K, bool TransA, bool TransB, bool Packed, bool Accumulate = false)
{
    /// <summary>One core's measured FP32 FMA peak on this machine (shared/peers/peak).</summary>
    public const double PeakGflops = 115.0;

    /// <summary>
/// The shapes of LSTM-128 at batch 128 and LSTM-256 at batch 256, 28 steps of 28 inputs. Names are
/// "role MxNxK" plus flags: P packed B, T transposed B, TA transposed A (short enough for BenchmarkDotNet's
/// parameter column). fwd: h[t-1]·Wh; bwd: dGates·Wh^T; xproj: X·Wx^T for all steps; dW: a weight
/// gradient over all steps; dWblock: the weight gradients of one block of steps (256 rows) against the
/// concatenated inputs and outputs (I + H columns), as the layers run them, for GRU-128 and LSTM-256.
/// </summary>
    public static readonly GemmShape[] All =
    [
        new("fwd 128x512x128 P", 128, 512, 128, false, false, true),
        new("bwd 128x128x512 PT", 128, 128, 512, false, true, true),
        new("xproj 3584x512x28 T", 3584, 512, 28, false, true, false),
        new("dW 512x128x3584 TA", 512, 128, 3584, true, false, false),
        new("fwd 256x1024x256 P", 256, 1024, 256, false, false, true),
        new("bwd 256x256x1024 PT", 256, 256, 1024, false, true, true),
        new("xproj 7168x1024x28 T", 7168, 1024, 28, false, true, false),
        new("dW 1024x256x7168 TA", 1024, 256, 7168, true, false, false),
        new("dWblock 384x156x256 TA", 384, 156, 256, true, false, false),
        new("dWblock 1024x284x256 TA", 1024, 284, 256, true, false, false),
        new("fwd 64x1024x256 P", 64, 1024, 256, false, false, true, true),
        new("bwd 64x256x1024 PT", 64, 256, 1024, false, true, true, true),
        new("dWblock 1024x256x256 TA+", 1024, 256, 256, true, false, false, true),
        new("fwd 64x128x128 P", 64, 128, 128, false, false, true, true),
        new("dWblock 128x156x256 TA+", 128, 156, 256, true, false, false, true),
    ];

    public double Flops => 2.0 * M * N * K;

    public override string ToString() => Name;
}
