using System.Runtime.InteropServices;

namespace SimdRnn.Kernels;

/// <summary>
/// op(B) [K, N] packed once into the micro-kernel's panel layout, for a right-hand side reused across many
/// <see cref="Gemm"/> calls (a recurrent weight matrix, for every time step forward and backward).
/// Column panels of NR columns follow one another, each K rows of NR floats, in 64-byte aligned native
/// memory; the columns past N in the last panel are zeros. NR is that of the SIMD path the matrix was
/// created for, and products with it run on that path. <see cref="Gemm"/> only reads it, so threads may
/// share one between calls to <see cref="Pack"/>.
/// </summary>
public sealed unsafe class PackedMatrix : IDisposable
{
    private float* data;

    public PackedMatrix(int k, int n)
        : this(k, n, Simd.Path)
    {
    }

    /// <summary>Creates the layout of a given path, so tests can run every kernel on one machine.</summary>
    internal PackedMatrix(int k, int n, SimdPath path)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        Gemm.ThrowIfUnsupported(path);
        K = k;
        N = n;
        Path = path;
        PanelWidth = Gemm.PanelWidth(path);
        PanelStride = (nint)k * PanelWidth;
        nint floats = PanelStride * ((n + PanelWidth - 1) / PanelWidth);
        data = (float*)NativeMemory.AlignedAlloc((nuint)Math.Max(floats, 16) * sizeof(float), 64);
        new Span<float>(data, (int)floats).Clear();
    }

    ~PackedMatrix() => Free();

    public int K { get; }

    public int N { get; }

    internal SimdPath Path { get; }

    /// <summary>Columns per panel: the kernel's NR.</summary>
    internal int PanelWidth { get; }

    /// <summary>Floats from one panel to the next: K * NR.</summary>
    internal nint PanelStride { get; }

    internal float* Data
    {
        get
        {
            ObjectDisposedException.ThrowIf(data == null, this);
            return data;
        }
    }

    /// <summary>Packs op(b): b itself [K, N] (ldb &gt;= N), or with <paramref name="transB"/> b stored [N, K] (ldb &gt;= K).</summary>
    public void Pack(ReadOnlySpan<float> b, int ldb, bool transB)
    {
        if (transB)
        {
            Gemm.CheckOperand(b, N, K, ldb, nameof(b));
        }
        else
        {
            Gemm.CheckOperand(b, K, N, ldb, nameof(b));
        }

        if (K == 0 || N == 0)
        {
            return;
        }

        fixed (float* source = b)
        {
            GemmPacking.PackB(source, ldb, transB, 0, K, 0, N, PanelWidth, Data, PanelStride);
        }
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        NativeMemory.AlignedFree(data);
        data = null;
    }
}
