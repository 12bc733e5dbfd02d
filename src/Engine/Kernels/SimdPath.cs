using System.Runtime.Intrinsics;

namespace SimdRnn.Kernels;

/// <summary>The widest vector path this process runs, chosen once from what the CPU and the build accelerate.</summary>
public enum SimdPath
{
    Scalar,
    Vector256,
    Vector512,
}

public static class Simd
{
    public static SimdPath Path { get; } =
        Vector512.IsHardwareAccelerated ? SimdPath.Vector512
        : Vector256.IsHardwareAccelerated ? SimdPath.Vector256
        : SimdPath.Scalar;

    /// <summary>Elements per vector on <see cref="Path"/>: 16, 8 or 1 floats.</summary>
    public static int FloatLanes { get; } = Path switch
    {
        SimdPath.Vector512 => 16,
        SimdPath.Vector256 => 8,
        _ => 1,
    };
}
