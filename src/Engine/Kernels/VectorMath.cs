using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdRnn.Kernels;

/// <summary>
/// Float-only vector exp, sigmoid and tanh for the fused cell passes, all from one exp: Cody-Waite range
/// reduction and Cephes' degree-5 polynomial, within about 2 ulp. The runtime's vector Exp is exact to
/// 1 ulp but computes in double and costs about twice as much; TensorPrimitives' Sigmoid/Tanh are the
/// test oracle.
/// </summary>
internal static class VectorMath
{
    // exp(-2|x|) underflows to 0 past this, where tanh is exactly ±1 in float.
    private const float TanhSaturation = 44f;

    // exp overflows above ln(float.MaxValue) and leaves the normal range below ln(float.MinNormal).
    private const float ExpHigh = 88.3762626647949f, ExpLow = -87.3365478515625f;
    private const float Log2E = 1.44269504088896341f;

    // ln 2 in two parts: n * Ln2High is exact for the n that occur, so x - n ln 2 loses nothing.
    private const float Ln2High = 0.693359375f, Ln2Low = -2.12194440e-4f;

    // exp(r) = 1 + r + r² P(r) on |r| <= ln(2)/2 (Cephes expf).
    // n is whole and within [-126, 128] after the clamp, so the conversion to int never saturates: the native
    // conversion (one vcvttps2dq) gives the same n as the saturating one (five instructions on x86).
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Clamp(x, Vector512.Create(ExpLow), Vector512.Create(ExpHigh));
        var n = Vector512.Round(x * Vector512.Create(Log2E));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2High), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Low), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(P0), r, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P5));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        var scale = (Vector512.ConvertToInt32Native(n) + Vector512.Create(127)) << 23;
        return p * scale.AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        x = Vector256.Clamp(x, Vector256.Create(ExpLow), Vector256.Create(ExpHigh));
        var n = Vector256.Round(x * Vector256.Create(Log2E));
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2High), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Low), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(P0), r, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P5));
        p = Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One);
        var scale = (Vector256.ConvertToInt32Native(n) + Vector256.Create(127)) << 23;
        return p * scale.AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) =>
        Vector512<float>.One / (Vector512<float>.One + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) =>
        Vector256<float>.One / (Vector256<float>.One + Exp(-x));

    // tanh(|x|) = (1 - e) / (1 + e) with e = exp(-2|x|): no cancellation near 0 and no overflow.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var magnitude = Vector512.Min(Vector512.Abs(x), Vector512.Create(TanhSaturation));
        var e = Exp(magnitude * Vector512.Create(-2f));
        var t = (Vector512<float>.One - e) / (Vector512<float>.One + e);
        return Vector512.CopySign(t, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var magnitude = Vector256.Min(Vector256.Abs(x), Vector256.Create(TanhSaturation));
        var e = Exp(magnitude * Vector256.Create(-2f));
        var t = (Vector256<float>.One - e) / (Vector256<float>.One + e);
        return Vector256.CopySign(t, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        x = Vector128.Clamp(x, Vector128.Create(ExpLow), Vector128.Create(ExpHigh));
        var n = Vector128.Round(x * Vector128.Create(Log2E));
        var r = Vector128.FusedMultiplyAdd(n, Vector128.Create(-Ln2High), x);
        r = Vector128.FusedMultiplyAdd(n, Vector128.Create(-Ln2Low), r);
        var p = Vector128.FusedMultiplyAdd(Vector128.Create(P0), r, Vector128.Create(P1));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P2));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P3));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P4));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P5));
        p = Vector128.FusedMultiplyAdd(p, r * r, r + Vector128<float>.One);
        var scale = (Vector128.ConvertToInt32Native(n) + Vector128.Create(127)) << 23;
        return p * scale.AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> x) =>
        Vector128<float>.One / (Vector128<float>.One + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        var magnitude = Vector128.Min(Vector128.Abs(x), Vector128.Create(TanhSaturation));
        var e = Exp(magnitude * Vector128.Create(-2f));
        var t = (Vector128<float>.One - e) / (Vector128<float>.One + e);
        return Vector128.CopySign(t, x);
    }
}
