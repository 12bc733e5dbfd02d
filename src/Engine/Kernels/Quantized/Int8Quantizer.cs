using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SimdRnn.Kernels.Quantized;

/// <summary>
/// Symmetric int8 quantization of one row: <c>scale = max|x| / 127</c>, <c>q[i] = round(x[i] / scale)</c> (to
/// nearest, ties to even) in [-127, 127], so <c>|x[i] - q[i] * scale| &lt;= scale / 2</c>. -128 is never produced:
/// the kernels rely on |q| &lt;= 127 (the AVX2 pair sums stay below 2^15). The same arithmetic serves the weights,
/// once, and the activations, per row at every product; the vector and scalar loops give the same bytes.
/// </summary>
internal static class Int8Quantizer
{
    public const int Limit = 127;

    /// <summary>
    /// Below this largest magnitude a row quantizes to zeros with scale 0: its scale would be subnormal and
    /// 127 / max|x| could overflow. Such a row's values are all under 1.5e-36.
    /// </summary>
    public const float TinyRow = Limit * 1.17549435e-38f;   // 127 times the smallest normal float, 2^-126

    /// <summary>
    /// Writes q[0..x.Length) and returns the row's scale: 0 for an all-zero or tiny row, NaN for a row holding a
    /// NaN or an infinity (so the product turns NaN, as the float product would).
    /// </summary>
    public static float QuantizeRow(ReadOnlySpan<float> x, Span<sbyte> q)
    {
        if (q.Length < x.Length) throw new ArgumentException($"Expected room for {x.Length} values, found {q.Length}.", nameof(q));
        float max = x.IsEmpty ? 0 : MathF.Abs(TensorPrimitives.MaxMagnitude(x));
        if (!(max >= TinyRow) || !float.IsFinite(max))
        {
            q[..x.Length].Clear();
            return float.IsFinite(max) ? 0 : float.NaN;
        }

        float inverse = Limit / max;
        int i = 0;
        if (Avx2.IsSupported)
        {
            ref float source = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
            ref sbyte target = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(q);
            var factor = Vector256.Create(inverse);
            var high = Vector256.Create(Limit);
            var low = Vector256.Create(-Limit);
            for (; i + 8 <= x.Length; i += 8)
            {
                // cvtps2dq rounds to nearest even, as MathF.Round does below.
                var rounded = Avx.ConvertToVector256Int32(Vector256.LoadUnsafe(ref source, (nuint)i) * factor);
                var clamped = Vector256.Min(Vector256.Max(rounded, low), high);
                Vector64<sbyte> bytes = Narrow(clamped);
                Unsafe.WriteUnaligned(ref Unsafe.As<sbyte, byte>(ref Unsafe.Add(ref target, i)), bytes);
            }
        }

        for (; i < x.Length; i++) q[i] = Round(x[i] * inverse);
        return max / Limit;
    }

    /// <summary>The float nearest to <paramref name="q"/> * <paramref name="scale"/> (infinite only for rows within a rounding of float.MaxValue).</summary>
    public static float Dequantize(sbyte q, float scale) => q * scale;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static sbyte Round(float scaled) => (sbyte)Math.Clamp((int)MathF.Round(scaled, MidpointRounding.ToEven), -Limit, Limit);

    // Eight int32 values known to lie in [-127, 127] to eight bytes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector64<sbyte> Narrow(Vector256<int> values)
    {
        var shorts = Vector128.Narrow(values.GetLower(), values.GetUpper());
        return Vector128.Narrow(shorts, shorts).GetLower();
    }
}
