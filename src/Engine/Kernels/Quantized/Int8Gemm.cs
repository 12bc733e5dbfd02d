using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace SimdRnn.Kernels.Quantized;

/// <summary>The int8 product kernels; the SIMD path registry says which one a path runs (<see cref="Simd.Int8KernelOf"/>).</summary>
internal enum Int8Kernel
{
    /// <summary>The row-major triple loop: the reference for the others, and the fallback.</summary>
    Scalar,

    /// <summary>AVX2 vpmaddubsw on |a| and sign(a) * w, then vpmaddwd: 32 products per three instructions.</summary>
    Avx2,

    /// <summary>AVX-VNNI vpdpbusd on a + 128 (unsigned) and w, minus 128 * the row sums of w: 32 products per instruction.</summary>
    AvxVnni,

    /// <summary>Vector128 widening multiplies to int16 and pairwise widening adds to int32 (<see cref="WideningDot"/>): NEON on ARM64, portable elsewhere.</summary>
    Vector128,

    /// <summary>ARM64 SDOT (<see cref="DotProductDot"/>): 16 products per instruction, on CPUs with the dot product extension.</summary>
    ArmDotProduct,
}

/// <summary>
/// <c>c[m, N] += dequantize(quantize(a)[m, K] · q^T)</c> for an <see cref="Int8Matrix"/> W: each row i of a is
/// quantized to int8 with its own scale s_a (<see cref="Int8Quantizer"/>), the products summed exactly in int32,
/// and <c>c[i, j] = fma(float(sum[i, j]), s_a[i] * s_w[j], c[i, j])</c>. Every kernel computes the same int32
/// sums and the same float rounding, so all of them give bit-identical results, for any m and any split of the rows.
/// The activation rows go to the workspace's scratch: no managed allocation.
/// </summary>
/// <remarks>
/// The Vector128 kernels (<see cref="Int8Driver128{TDot}"/>) read the same packed panels, each 32-byte group as
/// two 16-byte halves. A Vector512 kernel is not here: .NET 10 exposes 512-bit VNNI only as AVX10.2's
/// AvxVnniInt8.V512, which the AVX-512 CPUs of today (Zen 4, Zen 5, Ice Lake to Sapphire Rapids) lack, and
/// AVX-512BW without VNNI needs four instructions per 64 products (no vpsignb at 512 bits), against AVX-VNNI's
/// one per 32.
/// </remarks>
internal static unsafe class Int8Gemm
{
    /// <summary>Whether <paramref name="kernel"/> runs on this machine.</summary>
    public static bool IsSupported(Int8Kernel kernel) => kernel switch
    {
        Int8Kernel.AvxVnni => AvxVnni.IsSupported && Avx2.IsSupported && Fma.IsSupported,
        Int8Kernel.Avx2 => Avx2.IsSupported && Fma.IsSupported,
        Int8Kernel.ArmDotProduct => Dp.IsSupported && AdvSimd.Arm64.IsSupported,
        Int8Kernel.Vector128 => Vector128.IsHardwareAccelerated,
        Int8Kernel.Scalar => true,
        _ => false,
    };

    /// <summary>The name `--version`-style reports give the kernel, e.g. "int8 AVX-VNNI".</summary>
    public static string Describe(Int8Kernel kernel) => kernel switch
    {
        Int8Kernel.AvxVnni => "int8 AVX-VNNI (Vector256)",
        Int8Kernel.Avx2 => "int8 AVX2 (Vector256)",
        Int8Kernel.ArmDotProduct => "int8 ARM64 SDOT (Vector128)",
        Int8Kernel.Vector128 => AdvSimd.IsSupported ? "int8 NEON widening (Vector128)" : "int8 widening (Vector128)",
        _ => "int8 scalar",
    };

    /// <summary>
    /// The product on a chosen kernel, so tests run every kernel on one machine; the engine passes
    /// <see cref="Simd.Int8Kernel"/>, the one its SIMD path runs.
    /// </summary>
    public static void Multiply(Int8Kernel kernel, Int8Matrix w, int m, ReadOnlySpan<float> a, int lda, Span<float> c, int ldc, GemmWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(workspace);
        if (!IsSupported(kernel)) throw new PlatformNotSupportedException($"The {Describe(kernel)} kernel does not run on this machine (it runs {string.Join(", ", Enum.GetValues<Int8Kernel>().Where(IsSupported).Select(Describe))}).");
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        Gemm.CheckOperand(a, m, w.K, lda, nameof(a));
        Gemm.CheckOperand(c, m, w.N, ldc, nameof(c));
        if (m == 0 || w.N == 0) return;

        // Quantized rows [m, Groups*4] (zero-padded), then their scales [m].
        int rowBytes = w.Groups * 4;
        nint rowFloats = RowFloats(m, w.K);
        float* scratch = workspace.Int8Rows((nint)ScratchFloats(m, w.K));
        sbyte* rows = (sbyte*)scratch;
        float* rowScales = scratch + rowFloats;
        for (int i = 0; i < m; i++)
        {
            var row = new Span<sbyte>(rows + (nint)i * rowBytes, rowBytes);
            rowScales[i] = Int8Quantizer.QuantizeRow(a.Slice(i * lda, w.K), row);
            row[w.K..].Clear();
        }

        // vpdpbusd reads the activations unsigned: q + 128, which is q with its top bit flipped, once for all panels.
        if (kernel == Int8Kernel.AvxVnni) FlipTopBits(new Span<byte>(rows, m * rowBytes));

        fixed (float* pc = c)
        {
            switch (kernel)
            {
                case Int8Kernel.AvxVnni:
                    Int8Driver<VnniDot>.Multiply(w, m, rows, rowBytes, rowScales, pc, ldc);
                    break;
                case Int8Kernel.Avx2:
                    Int8Driver<Avx2Dot>.Multiply(w, m, rows, rowBytes, rowScales, pc, ldc);
                    break;
                case Int8Kernel.ArmDotProduct:
                    Int8Driver128<DotProductDot>.Multiply(w, m, rows, rowBytes, rowScales, pc, ldc);
                    break;
                case Int8Kernel.Vector128:
                    Int8Driver128<WideningDot>.Multiply(w, m, rows, rowBytes, rowScales, pc, ldc);
                    break;
                default:
                    Reference(w, m, rows, rowBytes, rowScales, pc, ldc);
                    break;
            }
        }
    }

    private static void FlipTopBits(Span<byte> bytes)
    {
        var top = Vector256.Create((byte)0x80);
        int i = 0;
        for (; i + 32 <= bytes.Length; i += 32) (Vector256.Create<byte>(bytes.Slice(i, 32)) ^ top).CopyTo(bytes.Slice(i, 32));
        for (; i < bytes.Length; i++) bytes[i] ^= 0x80;
    }

    /// <summary>Floats of workspace scratch a product of <paramref name="m"/> rows of <paramref name="k"/> values takes: the quantized rows and their scales.</summary>
    public static long ScratchFloats(int m, int k) => RowFloats(m, k) + m;

    // The quantized rows, zero-padded to whole 4-byte groups, in whole 64-byte lines.
    private static nint RowFloats(int m, int k) => ((nint)m * ((k + 3) / 4 * 4) + 63) / 64 * 16;

    // The scalar kernel and the others' oracle: row-major values, exact int sums, the shared dequantization.
    private static void Reference(Int8Matrix w, int m, sbyte* rows, int rowBytes, float* rowScales, float* c, nint ldc)
    {
        var values = w.Values;
        var scales = w.Scales;
        int k = w.K;
        for (int i = 0; i < m; i++)
        {
            sbyte* row = rows + (nint)i * rowBytes;
            for (int j = 0; j < w.N; j++)
            {
                var weights = values.Slice(j * k, k);
                int sum = 0;
                for (int p = 0; p < k; p++) sum += row[p] * weights[p];
                float* target = c + i * ldc + j;
                *target = MathF.FusedMultiplyAdd(sum, rowScales[i] * scales[j], *target);
            }
        }
    }
}

/// <summary>One 4-byte-group dot product step of a SIMD int8 kernel: 8 int32 lanes, each += 4 products.</summary>
internal interface IInt8Dot
{
    /// <summary>Whether the sums include 128 * the row sums of W (unsigned activations), to subtract at the end.</summary>
    static abstract bool Offset { get; }

    /// <summary>What <see cref="Accumulate"/> needs of a broadcast activation group, computed once per group.</summary>
    static abstract Vector256<sbyte> Prepare(Vector256<sbyte> a);

    /// <summary>acc[j] += the dot product of a's 4 bytes with w's 4 bytes of lane j.</summary>
    static abstract Vector256<int> Accumulate(Vector256<int> acc, Vector256<sbyte> a, Vector256<sbyte> prepared, Vector256<sbyte> w);
}

/// <summary>vpdpbusd takes unsigned activations: a + 128 (stored so by <see cref="Int8Gemm.Multiply"/>), corrected at the end.</summary>
internal readonly struct VnniDot : IInt8Dot
{
    public static bool Offset => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<sbyte> Prepare(Vector256<sbyte> a) => a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Accumulate(Vector256<int> acc, Vector256<sbyte> a, Vector256<sbyte> prepared, Vector256<sbyte> w) =>
        AvxVnni.MultiplyWideningAndAdd(acc, prepared.AsByte(), w);
}

/// <summary>
/// vpmaddubsw multiplies unsigned by signed bytes and adds pairs into int16 with saturation: with |a| as the unsigned
/// side and sign(a) * w as the signed one, a pair is at most 2 * 127 * 127 = 32,258 &lt; 32,767 (q is never -128),
/// so nothing saturates; vpmaddwd by ones then adds the pairs into int32.
/// </summary>
internal readonly struct Avx2Dot : IInt8Dot
{
    public static bool Offset => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<sbyte> Prepare(Vector256<sbyte> a) => Avx2.Abs(a).AsSByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Accumulate(Vector256<int> acc, Vector256<sbyte> a, Vector256<sbyte> prepared, Vector256<sbyte> w)
    {
        var pairs = Avx2.MultiplyAddAdjacent(prepared.AsByte(), Avx2.Sign(w, a));
        return Avx2.Add(acc, Avx2.MultiplyAddAdjacent(pairs, Vector256.Create((short)1)));
    }
}

/// <summary>
/// The SIMD loops over packed W: four activation rows against two panels (8 accumulators), or one row against four
/// panels with the groups split in two (8 accumulators again, for one row has little else to overlap).
/// </summary>
internal static unsafe class Int8Driver<TDot> where TDot : struct, IInt8Dot
{
    private const int Lane = Int8Matrix.PanelRows * 4;   // bytes of one group of a panel

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(Int8Matrix w, int m, sbyte* rows, int rowBytes, float* rowScales, float* c, nint ldc)
    {
        int i = 0;
        for (; i + 4 <= m; i += 4) FourRows(w, rows + (nint)i * rowBytes, rowBytes, rowScales + i, c + i * ldc, ldc);
        for (; i < m; i++) OneRow(w, rows + (nint)i * rowBytes, rowScales[i], c + i * ldc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<sbyte> Broadcast(sbyte* row, int group) => Vector256.Create(*(int*)(row + group * 4)).AsSByte();

    private static void FourRows(Int8Matrix w, sbyte* rows, int rowBytes, float* rowScales, float* c, nint ldc)
    {
        int groups = w.Groups, panels = w.Panels;
        nint panelBytes = (nint)groups * Lane;
        sbyte* r0 = rows, r1 = rows + rowBytes, r2 = rows + 2 * rowBytes, r3 = rows + 3 * rowBytes;
        int p = 0;
        for (; p + 2 <= panels; p += 2)
        {
            sbyte* b0 = w.Packed + p * panelBytes, b1 = b0 + panelBytes;
            Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
            for (int g = 0; g < groups; g++)
            {
                var w0 = Vector256.Load(b0 + g * Lane);
                var w1 = Vector256.Load(b1 + g * Lane);
                var a = Broadcast(r0, g); var pa = TDot.Prepare(a);
                c00 = TDot.Accumulate(c00, a, pa, w0); c01 = TDot.Accumulate(c01, a, pa, w1);
                a = Broadcast(r1, g); pa = TDot.Prepare(a);
                c10 = TDot.Accumulate(c10, a, pa, w0); c11 = TDot.Accumulate(c11, a, pa, w1);
                a = Broadcast(r2, g); pa = TDot.Prepare(a);
                c20 = TDot.Accumulate(c20, a, pa, w0); c21 = TDot.Accumulate(c21, a, pa, w1);
                a = Broadcast(r3, g); pa = TDot.Prepare(a);
                c30 = TDot.Accumulate(c30, a, pa, w0); c31 = TDot.Accumulate(c31, a, pa, w1);
            }

            Store(w, c00, p, rowScales[0], c); Store(w, c01, p + 1, rowScales[0], c);
            Store(w, c10, p, rowScales[1], c + ldc); Store(w, c11, p + 1, rowScales[1], c + ldc);
            Store(w, c20, p, rowScales[2], c + 2 * ldc); Store(w, c21, p + 1, rowScales[2], c + 2 * ldc);
            Store(w, c30, p, rowScales[3], c + 3 * ldc); Store(w, c31, p + 1, rowScales[3], c + 3 * ldc);
        }

        for (; p < panels; p++)
        {
            for (int r = 0; r < 4; r++) OnePanel(w, p, rows + r * rowBytes, rowScales[r], c + r * ldc);
        }
    }

    private static void OneRow(Int8Matrix w, sbyte* row, float rowScale, float* c)
    {
        int groups = w.Groups, panels = w.Panels, even = groups & ~1;
        nint panelBytes = (nint)groups * Lane;
        int p = 0;
        for (; p + 4 <= panels; p += 4)
        {
            sbyte* b0 = w.Packed + p * panelBytes, b1 = b0 + panelBytes, b2 = b1 + panelBytes, b3 = b2 + panelBytes;
            Vector256<int> e0 = default, e1 = default, e2 = default, e3 = default, o0 = default, o1 = default, o2 = default, o3 = default;
            int g = 0;
            for (; g < even; g += 2)
            {
                var a = Broadcast(row, g); var pa = TDot.Prepare(a);
                e0 = TDot.Accumulate(e0, a, pa, Vector256.Load(b0 + g * Lane));
                e1 = TDot.Accumulate(e1, a, pa, Vector256.Load(b1 + g * Lane));
                e2 = TDot.Accumulate(e2, a, pa, Vector256.Load(b2 + g * Lane));
                e3 = TDot.Accumulate(e3, a, pa, Vector256.Load(b3 + g * Lane));
                a = Broadcast(row, g + 1); pa = TDot.Prepare(a);
                o0 = TDot.Accumulate(o0, a, pa, Vector256.Load(b0 + (g + 1) * Lane));
                o1 = TDot.Accumulate(o1, a, pa, Vector256.Load(b1 + (g + 1) * Lane));
                o2 = TDot.Accumulate(o2, a, pa, Vector256.Load(b2 + (g + 1) * Lane));
                o3 = TDot.Accumulate(o3, a, pa, Vector256.Load(b3 + (g + 1) * Lane));
            }

            if (g < groups)
            {
                var a = Broadcast(row, g); var pa = TDot.Prepare(a);
                e0 = TDot.Accumulate(e0, a, pa, Vector256.Load(b0 + g * Lane));
                e1 = TDot.Accumulate(e1, a, pa, Vector256.Load(b1 + g * Lane));
                e2 = TDot.Accumulate(e2, a, pa, Vector256.Load(b2 + g * Lane));
                e3 = TDot.Accumulate(e3, a, pa, Vector256.Load(b3 + g * Lane));
            }

            // Integer sums: the split changes nothing in the result.
            Store(w, e0 + o0, p, rowScale, c);
            Store(w, e1 + o1, p + 1, rowScale, c);
            Store(w, e2 + o2, p + 2, rowScale, c);
            Store(w, e3 + o3, p + 3, rowScale, c);
        }

        for (; p < panels; p++) OnePanel(w, p, row, rowScale, c);
    }

    private static void OnePanel(Int8Matrix w, int p, sbyte* row, float rowScale, float* c)
    {
        int groups = w.Groups;
        sbyte* b = w.Packed + p * (nint)groups * Lane;
        Vector256<int> acc = default;
        for (int g = 0; g < groups; g++)
        {
            var a = Broadcast(row, g);
            acc = TDot.Accumulate(acc, a, TDot.Prepare(a), Vector256.Load(b + g * Lane));
        }

        Store(w, acc, p, rowScale, c);
    }

    // c[panel's 8 columns] = fma(float(sum), s_a * s_w, c) for the columns below N.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Int8Matrix w, Vector256<int> acc, int panel, float rowScale, float* c)
    {
        int first = panel * Int8Matrix.PanelRows;
        if (TDot.Offset) acc -= Vector256.Load(w.OffsetCorrection + first);
        var scale = Vector256.Create(rowScale) * Vector256.Load(w.PaddedScales + first);
        var sums = Avx.ConvertToVector256Single(acc);
        float* target = c + first;
        if (first + Int8Matrix.PanelRows <= w.N)
        {
            Vector256.Store(Fma.MultiplyAdd(sums, scale, Vector256.Load(target)), target);
            return;
        }

        for (int j = 0; j < w.N - first; j++) target[j] = MathF.FusedMultiplyAdd(sums.GetElement(j), scale.GetElement(j), target[j]);
    }
}
