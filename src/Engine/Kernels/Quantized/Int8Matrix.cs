using System.Runtime.InteropServices;

namespace SimdRnn.Kernels.Quantized;

/// <summary>
/// A weight matrix W [N, K] in int8 with one float scale per row (per output): W[j, k] ≈ q[j, k] * scale[j],
/// q in [-127, 127], scale finite and positive. Keeps q row-major (for files and the scalar kernel) and a
/// copy in the SIMD kernels' layout: panels of 8 rows (one int32 lane per row), each K/4 groups of 8 x 4
/// consecutive bytes, K padded with zeros to a multiple of 4 and the last panel with zero rows. Immutable;
/// threads may share it.
/// </summary>
internal sealed unsafe class Int8Matrix : IDisposable
{
    /// <summary>Rows of W per panel: the int32 lanes of one Vector256.</summary>
    public const int PanelRows = 8;

    /// <summary>
    /// The longest row the int32 sums hold without overflow: the VNNI kernel sums (q_a + 128) * q_w, at most
    /// 255 * 127 per product, and 65,536 of them stay below 2^31.
    /// </summary>
    public const int MaxK = 65536;

    private readonly sbyte[] values;   // [N, K]
    private readonly float[] scales;   // [N]
    private sbyte* packed;             // [Panels, Groups, 8, 4]
    private float* paddedScales;       // [Panels * 8], zeros past N
    private int* offsetCorrection;     // [Panels * 8], 128 * the sum of row j's q, zeros past N

    /// <summary>W from its quantized rows; copies both arrays.</summary>
    /// <exception cref="ArgumentException">A size does not fit, a value is -128, or a scale is not finite and positive.</exception>
    public Int8Matrix(int n, int k, ReadOnlySpan<sbyte> values, ReadOnlySpan<float> scales)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, MaxK);
        if (values.Length != (long)n * k) throw new ArgumentException($"Expected {(long)n * k} values for [{n}, {k}], found {values.Length}.", nameof(values));
        if (scales.Length != n) throw new ArgumentException($"Expected {n} scales, found {scales.Length}.", nameof(scales));
        int low = values.IndexOf(sbyte.MinValue);
        if (low >= 0) throw new ArgumentException($"Expected values in [-127, 127], found -128 at element {low}.", nameof(values));
        for (int j = 0; j < n; j++)
        {
            if (!(scales[j] > 0) || !float.IsFinite(scales[j])) throw new ArgumentException($"Expected finite positive scales, found {scales[j]} at row {j}.", nameof(scales));
        }

        N = n;
        K = k;
        Groups = (k + 3) / 4;
        Panels = (n + PanelRows - 1) / PanelRows;
        this.values = values.ToArray();
        this.scales = scales.ToArray();
        Pack();
    }

    ~Int8Matrix() => Free();

    /// <summary>N: rows of W, outputs of the product.</summary>
    public int N { get; }

    /// <summary>K: columns of W, inputs of the product.</summary>
    public int K { get; }

    /// <summary>K / 4 rounded up: the 4-byte groups of a packed row.</summary>
    internal int Groups { get; }

    /// <summary>N / 8 rounded up.</summary>
    internal int Panels { get; }

    /// <summary>[N, K] the quantized values, row-major.</summary>
    public ReadOnlySpan<sbyte> Values => values;

    /// <summary>[N] the scale of each row.</summary>
    public ReadOnlySpan<float> Scales => scales;

    /// <summary>Bytes held: the row-major values and scales plus the packed copy and its padded scales and corrections.</summary>
    public long Bytes => values.LongLength + sizeof(float) * (long)N + PackedBytes + 2L * sizeof(float) * Panels * PanelRows;

    private long PackedBytes => (long)Panels * Groups * PanelRows * 4;

    internal sbyte* Packed => packed != null ? packed : throw new ObjectDisposedException(nameof(Int8Matrix));

    internal float* PaddedScales => paddedScales;

    internal int* OffsetCorrection => offsetCorrection;

    /// <summary>
    /// W quantized from float rows [N, K]: each row by <see cref="Int8Quantizer.QuantizeRow"/>; an all-zero (or
    /// tiny) row gets scale 1, so every scale is positive.
    /// </summary>
    /// <exception cref="ArgumentException">A value is NaN or infinite.</exception>
    public static Int8Matrix Quantize(ReadOnlySpan<float> weights, int n, int k)
    {
        if (weights.Length != (long)n * k) throw new ArgumentException($"Expected {(long)n * k} weights for [{n}, {k}], found {weights.Length}.", nameof(weights));
        var q = new sbyte[(long)n * k];
        var rowScales = new float[n];
        for (int j = 0; j < n; j++)
        {
            float scale = Int8Quantizer.QuantizeRow(weights.Slice(j * k, k), q.AsSpan(j * k, k));
            if (float.IsNaN(scale)) throw new ArgumentException($"Expected finite weights, found a NaN or an infinity in row {j}.", nameof(weights));
            rowScales[j] = scale == 0 ? 1 : scale;
        }

        return new Int8Matrix(n, k, q, rowScales);
    }

    /// <summary>c[m, N] += a[m, K] · W^T, activations quantized per row, on the kernel of this process's SIMD path (<see cref="Simd.Int8Kernel"/>).</summary>
    public void Multiply(int m, ReadOnlySpan<float> a, int lda, Span<float> c, int ldc, GemmWorkspace workspace) =>
        Int8Gemm.Multiply(Simd.Int8Kernel, this, m, a, lda, c, ldc, workspace);

    private void Pack()
    {
        int rows = Panels * PanelRows;
        packed = (sbyte*)NativeMemory.AlignedAlloc((nuint)Math.Max(PackedBytes, 64), 64);
        paddedScales = (float*)NativeMemory.AlignedAlloc((nuint)Math.Max(rows, 16) * sizeof(float), 64);
        offsetCorrection = (int*)NativeMemory.AlignedAlloc((nuint)Math.Max(rows, 16) * sizeof(int), 64);
        new Span<sbyte>(packed, (int)PackedBytes).Clear();
        for (int j = 0; j < rows; j++)
        {
            int sum = 0;
            if (j < N)
            {
                var row = values.AsSpan(j * K, K);
                sbyte* panel = packed + (long)(j / PanelRows) * Groups * PanelRows * 4 + (j % PanelRows) * 4;
                for (int kk = 0; kk < K; kk++)
                {
                    panel[(kk / 4) * PanelRows * 4 + kk % 4] = row[kk];
                    sum += row[kk];
                }
            }

            paddedScales[j] = j < N ? scales[j] : 0;
            offsetCorrection[j] = 128 * sum;
        }
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        NativeMemory.AlignedFree(packed);
        NativeMemory.AlignedFree(paddedScales);
        NativeMemory.AlignedFree(offsetCorrection);
        packed = null;
        paddedScales = null;
        offsetCorrection = null;
    }
}
