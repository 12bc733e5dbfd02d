using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdRnn.Kernels;

/// <summary>
/// Float-only vector sigmoid and tanh for the fused cell passes. Both come from one exp, computed by
/// the runtime's vector <c>Exp</c>; TensorPrimitives' Sigmoid/Tanh are the test oracle.
/// </summary>
internal static class VectorMath
{
    // exp(-2|x|) underflows to 0 past this, where tanh is exactly ±1 in float.
    private const float TanhSaturation = 44f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) =>
        Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) =>
        Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x));

    // tanh(|x|) = (1 - e) / (1 + e) with e = exp(-2|x|): no cancellation near 0 and no overflow.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var magnitude = Vector512.Min(Vector512.Abs(x), Vector512.Create(TanhSaturation));
        var e = Vector512.Exp(magnitude * Vector512.Create(-2f));
        var t = (Vector512<float>.One - e) / (Vector512<float>.One + e);
        return Vector512.CopySign(t, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var magnitude = Vector256.Min(Vector256.Abs(x), Vector256.Create(TanhSaturation));
        var e = Vector256.Exp(magnitude * Vector256.Create(-2f));
        var t = (Vector256<float>.One - e) / (Vector256<float>.One + e);
        return Vector256.CopySign(t, x);
    }
}
