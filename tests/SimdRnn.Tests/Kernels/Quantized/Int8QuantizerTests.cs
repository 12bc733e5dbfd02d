using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SimdRnn.Kernels.Quantized;
using Xunit;

namespace SimdRnn.Tests.Kernels.Quantized;

/// <summary>The laws of symmetric per-row quantization, for rows FsCheck makes up.</summary>
public sealed class Int8QuantizerTests
{
    public static class Rows
    {
        // Finite floats of every magnitude, tiny and subnormal ones included, in rows of any length (vector body and tail).
        public static Arbitrary<float[]> Row() =>
            Gen.OneOf(
                    ArbMap.Default.GeneratorFor<NormalFloat>().Select(f => (float)f.Get),
                    Gen.Choose(-1000, 1000).Select(i => i / 1000f),
                    Gen.Choose(-1000, 1000).Select(i => i * 1e-40f),
                    Gen.Elements(0f, -0f, float.MaxValue, -float.MaxValue, float.Epsilon, 127f, -127f, 0.5f))
                .Where(float.IsFinite).ArrayOf().ToArbitrary();
    }

    [Property(Arbitrary = [typeof(Rows)], MaxTest = 500)]
    public void Quantized_IsWithinHalfAScale_InRange_AndUsesTheFullRange(float[] row)
    {
        var q = new sbyte[row.Length];
        float scale = Int8Quantizer.QuantizeRow(row, q);
        float max = row.Length == 0 ? 0 : row.Max(MathF.Abs);
        Assert.All(q, value => Assert.InRange(value, (sbyte)-127, (sbyte)127));
        if (max < Int8Quantizer.TinyRow)
        {
            Assert.Equal(0f, scale);
            Assert.All(q, value => Assert.Equal(0, value));
            return;
        }

        Assert.True(scale > 0 && float.IsFinite(scale), $"scale {scale}");
        Assert.Contains(q, value => Math.Abs(value) == 127);
        for (int i = 0; i < row.Length; i++)
        {
            double error = Math.Abs(row[i] - (double)q[i] * scale);
            Assert.True(error <= scale * (0.5 + 1e-5), $"element {i}: {row[i]} became {q[i]} * {scale}, off by {error}, more than half a scale");
        }
    }

    /// <summary>The vector loop and the scalar tail round alike: every byte is the scalar formula's.</summary>
    [Property(Arbitrary = [typeof(Rows)], MaxTest = 300)]
    public void EveryElement_IsTheScalarRoundingOfItsScaledValue(float[] row)
    {
        var q = new sbyte[row.Length];
        float scale = Int8Quantizer.QuantizeRow(row, q);
        if (scale == 0) return;
        float inverse = 127 / row.Max(MathF.Abs);
        for (int i = 0; i < row.Length; i++)
        {
            int expected = Math.Clamp((int)MathF.Round(row[i] * inverse, MidpointRounding.ToEven), -127, 127);
            Assert.Equal(expected, q[i]);
        }
    }

    [Property(Arbitrary = [typeof(Rows)], MaxTest = 200)]
    public void WeightMatrix_RoundTripsWithinHalfARowScale_WithPositiveScales(float[] values)
    {
        int k = Math.Max(1, values.Length / 3), n = values.Length / k;
        using var matrix = Int8Matrix.Quantize(values.AsSpan(0, n * k), n, k);
        for (int j = 0; j < n; j++)
        {
            float scale = matrix.Scales[j];
            Assert.True(scale > 0 && float.IsFinite(scale), $"row {j}: scale {scale}");
            for (int p = 0; p < k; p++)
            {
                float original = values[j * k + p];
                double error = Math.Abs(original - (double)matrix.Values[j * k + p] * scale);
                double allowed = scale == 1 && matrix.Values.Slice(j * k, k).IndexOfAnyExcept((sbyte)0) < 0 ? Int8Quantizer.TinyRow : scale * (0.5 + 1e-5);
                Assert.True(error <= allowed, $"[{j}, {p}]: {original} off by {error}");
            }
        }
    }

    [Fact]
    public void NonFiniteRow_GivesANaNScale_SoTheProductIsNaN()
    {
        var q = new sbyte[3];
        Assert.True(float.IsNaN(Int8Quantizer.QuantizeRow([1f, float.PositiveInfinity, 2f], q)));
        Assert.True(float.IsNaN(Int8Quantizer.QuantizeRow([float.NaN, 0f, 2f], q)));
        Assert.Throws<ArgumentException>(() => Int8Matrix.Quantize([1f, float.NaN], 1, 2));
    }
}
