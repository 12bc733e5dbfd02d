namespace SimdRnn.Bench;

/// <summary>
/// A product the engine runs: c[M, N] = op(a)[M, K] · op(b)[K, N], with b packed once when
/// <see cref="Packed"/> (recurrent weights, reused every time step).
/// </summary>
public sealed record GemmShape(string Name, int M, int N, int K, bool TransA, bool TransB, bool Packed)
{
    /// <summary>One core's measured FP32 FMA peak on this machine (shared/peers/peak).</summary>
    public const double PeakGflops = 115.0;

    /// <summary>The shapes of LSTM-128 at batch 128 and LSTM-256 at batch 256, 28 steps of 28 inputs.</summary>
    public static readonly GemmShape[] All =
    [
        new("fwd h·Wh 128x512x128 packed", 128, 512, 128, false, false, true),
        new("bwd dG·Wh^T 128x128x512 packed", 128, 128, 512, false, true, true),
        new("in-proj X·Wx^T 3584x512x28", 3584, 512, 28, false, true, false),
        new("dW H^T·dG 512x128x3584", 512, 128, 3584, true, false, false),
        new("fwd h·Wh 256x1024x256 packed", 256, 1024, 256, false, false, true),
        new("bwd dG·Wh^T 256x256x1024 packed", 256, 256, 1024, false, true, true),
        new("in-proj X·Wx^T 7168x1024x28", 7168, 1024, 28, false, true, false),
        new("dW H^T·dG 1024x256x7168", 1024, 256, 7168, true, false, false),
    ];

    public double Flops => 2.0 * M * N * K;

    public override string ToString() => Name;
}
