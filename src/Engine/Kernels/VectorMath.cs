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

    // Below ln(float.MinNormal) exp(x) is no normal float, above 127.5 ln 2 it rounds to 2^128, which is none either:
    // ExpNormal's range. Exp's reaches from where exp rounds to 0 to where it rounds to infinity (past ln(float.MaxValue)).
    private const float ExpLow = -87.3365478515625f, ExpHigh = 88.3762626647949f;
    private const float ExpZero = -104f, ExpInfinity = 89f;
    private const float Log2E = 1.44269504088896341f;

    // ln 2 in two parts: n * Ln2High is exact for the n that occur (|n| <= 150), so x - n ln 2 loses nothing.
    private const float Ln2High = 0.693359375f, Ln2Low = -2.12194440e-4f;

    // n = round(x log2 e) without a rounding instruction or a conversion to int: adding 1.5 * 2^23 leaves a float
    // whose unit is 1, so the add rounds to the nearest integer (ties to even, as Round does) and that integer sits
    // in the low mantissa bits, two's complement; shifted left by 23 they are n's exponent field, and the bias
    // added as an int makes 2^n. The conversion this replaces saturates (five instructions on AVX2), the rounding
    // costs one more. Exp applies 2^n as two halves, which reach the subnormals and 2^128.
    private const float RoundingShift = 12582912f;
    private const int RoundingShiftBits = 0x4B400000, ExponentBias = 127 << 23;

    // exp(r) = 1 + r + r² P(r) on |r| <= ln(2)/2 (Cephes expf).
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    /// <summary>exp over the whole float range, subnormal results and overflow to infinity included.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var p = Reduce(Vector512.Clamp(x, Vector512.Create(ExpZero), Vector512.Create(ExpInfinity)), out var shifted);
        var n = shifted.AsInt32() - Vector512.Create(RoundingShiftBits);
        var half = n >> 1;
        return p * Power(half) * Power(n - half);
    }

    /// <summary>exp where the result can be written p 2^n with 2^n a normal float: enough for sigmoid and tanh.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ExpNormal(Vector512<float> x)
    {
        var p = Reduce(Vector512.Clamp(x, Vector512.Create(ExpLow), Vector512.Create(ExpHigh)), out var shifted);
        return p * ((shifted.AsInt32() << 23) + Vector512.Create(ExponentBias)).AsSingle();
    }

    // exp(x) = exp(r) 2^n: returns exp(r), and n + 1.5 * 2^23 as a float.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Reduce(Vector512<float> x, out Vector512<float> shifted)
    {
        shifted = x * Vector512.Create(Log2E) + Vector512.Create(RoundingShift);
        var n = shifted - Vector512.Create(RoundingShift);
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2High), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Low), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(P0), r, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(P5));
        return Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
    }

    // 2^n for n in [-126, 127].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Power(Vector512<int> n) => ((n << 23) + Vector512.Create(ExponentBias)).AsSingle();

    /// <summary>exp over the whole float range, subnormal results and overflow to infinity included.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var p = Reduce(Vector256.Clamp(x, Vector256.Create(ExpZero), Vector256.Create(ExpInfinity)), out var shifted);
        var n = shifted.AsInt32() - Vector256.Create(RoundingShiftBits);
        var half = n >> 1;
        return p * Power(half) * Power(n - half);
    }

    /// <summary>exp where the result can be written p 2^n with 2^n a normal float: enough for sigmoid and tanh.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> ExpNormal(Vector256<float> x)
    {
        var p = Reduce(Vector256.Clamp(x, Vector256.Create(ExpLow), Vector256.Create(ExpHigh)), out var shifted);
        return p * ((shifted.AsInt32() << 23) + Vector256.Create(ExponentBias)).AsSingle();
    }

    // exp(x) = exp(r) 2^n: returns exp(r), and n + 1.5 * 2^23 as a float.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Reduce(Vector256<float> x, out Vector256<float> shifted)
    {
        shifted = x * Vector256.Create(Log2E) + Vector256.Create(RoundingShift);
        var n = shifted - Vector256.Create(RoundingShift);
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2High), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Low), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(P0), r, Vector256.Create(P1));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P2));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(P5));
        return Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One);
    }

    // 2^n for n in [-126, 127].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Power(Vector256<int> n) => ((n << 23) + Vector256.Create(ExponentBias)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) =>
        Vector512<float>.One / (Vector512<float>.One + ExpNormal(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) =>
        Vector256<float>.One / (Vector256<float>.One + ExpNormal(-x));

    // tanh(|x|) = (1 - e) / (1 + e) with e = exp(-2|x|): no cancellation near 0 and no overflow.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var magnitude = Vector512.Min(Vector512.Abs(x), Vector512.Create(TanhSaturation));
        var e = ExpNormal(magnitude * Vector512.Create(-2f));
        var t = (Vector512<float>.One - e) / (Vector512<float>.One + e);
        return Vector512.CopySign(t, x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var magnitude = Vector256.Min(Vector256.Abs(x), Vector256.Create(TanhSaturation));
        var e = ExpNormal(magnitude * Vector256.Create(-2f));
        var t = (Vector256<float>.One - e) / (Vector256<float>.One + e);
        return Vector256.CopySign(t, x);
    }

    /// <summary>exp over the whole float range, subnormal results and overflow to infinity included.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> x)
    {
        var p = Reduce(Vector128.Clamp(x, Vector128.Create(ExpZero), Vector128.Create(ExpInfinity)), out var shifted);
        var n = shifted.AsInt32() - Vector128.Create(RoundingShiftBits);
        var half = n >> 1;
        return p * Power(half) * Power(n - half);
    }

    /// <summary>exp where the result can be written p 2^n with 2^n a normal float: enough for sigmoid and tanh.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ExpNormal(Vector128<float> x)
    {
        var p = Reduce(Vector128.Clamp(x, Vector128.Create(ExpLow), Vector128.Create(ExpHigh)), out var shifted);
        return p * ((shifted.AsInt32() << 23) + Vector128.Create(ExponentBias)).AsSingle();
    }

    // exp(x) = exp(r) 2^n: returns exp(r), and n + 1.5 * 2^23 as a float.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Reduce(Vector128<float> x, out Vector128<float> shifted)
    {
        shifted = x * Vector128.Create(Log2E) + Vector128.Create(RoundingShift);
        var n = shifted - Vector128.Create(RoundingShift);
        var r = Vector128.FusedMultiplyAdd(n, Vector128.Create(-Ln2High), x);
        r = Vector128.FusedMultiplyAdd(n, Vector128.Create(-Ln2Low), r);
        var p = Vector128.FusedMultiplyAdd(Vector128.Create(P0), r, Vector128.Create(P1));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P2));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P3));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P4));
        p = Vector128.FusedMultiplyAdd(p, r, Vector128.Create(P5));
        return Vector128.FusedMultiplyAdd(p, r * r, r + Vector128<float>.One);
    }

    // 2^n for n in [-126, 127].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Power(Vector128<int> n) => ((n << 23) + Vector128.Create(ExponentBias)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> x) =>
        Vector128<float>.One / (Vector128<float>.One + ExpNormal(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        var magnitude = Vector128.Min(Vector128.Abs(x), Vector128.Create(TanhSaturation));
        var e = ExpNormal(magnitude * Vector128.Create(-2f));
        var t = (Vector128<float>.One - e) / (Vector128<float>.One + e);
        return Vector128.CopySign(t, x);
    }
}
