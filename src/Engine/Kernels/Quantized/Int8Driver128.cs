using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace SimdRnn.Kernels.Quantized;

/// <summary>
/// The partial int32 sums of one 16-byte half of a panel group (4 rows of W x 4 bytes) against one activation
/// group: what <see cref="IInt8Dot128.Finish"/> turns into one sum per row. A dot-product kernel keeps the 4 row
/// sums in <see cref="First"/>; a widening one keeps pair sums of rows 0 and 1 in First, of rows 2 and 3 in
/// <see cref="Second"/>.
/// </summary>
internal struct Int8Sums128
{
    public Vector128<int> First;
    public Vector128<int> Second;
}

/// <summary>One 4-byte-group step of a Vector128 int8 kernel on a 16-byte half of a panel group.</summary>
internal interface IInt8Dot128
{
    /// <summary>sums += the products of a's 4 bytes (broadcast to every 4-byte lane) with w's 4 bytes of each of 4 rows.</summary>
    static abstract Int8Sums128 Accumulate(Int8Sums128 sums, Vector128<sbyte> a, Vector128<sbyte> w);

    /// <summary>The exact int32 sum of each of the 4 rows.</summary>
    static abstract Vector128<int> Finish(Int8Sums128 sums);
}

/// <summary>
/// ARM64 SDOT (<c>Dp.DotProduct</c>): each int32 lane += the 4 products of its 4 signed bytes with a's,
/// 16 products per instruction, exactly what the panel layout (one int32 lane per row of W) asks for. The sums
/// wrap rather than saturate and stay below 2^31 (|q| &lt;= 127, K &lt;= <see cref="Int8Matrix.MaxK"/>), so they
/// are exact. Activations are broadcast (one ld1r per group, shared by both halves of the panel) rather than
/// selected by index (<c>Dp.DotBySelectedQuadruplet</c>), which would save that load only by unrolling
/// the groups by 4 with a tail.
/// </summary>
internal readonly struct DotProductDot : IInt8Dot128
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int8Sums128 Accumulate(Int8Sums128 sums, Vector128<sbyte> a, Vector128<sbyte> w)
    {
        sums.First = Dp.DotProduct(sums.First, w, a);
        return sums;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Finish(Int8Sums128 sums) => sums.First;
}

/// <summary>
/// Widening multiply, then widening pairwise adds: sbyte x sbyte -> int16 (a product is at most 127 * 127 =
/// 16,129 in magnitude, so int16 holds it exactly, and no pair is ever summed in 16 bits: nothing saturates, unlike
/// AVX2's vpmaddubsw pairs), then int16 pairs -> int32 lanes, which sum exactly below 2^31. On ARM64 that is NEON's
/// smull/smull2 and sadalp, four instructions per 16 products; elsewhere (x86, where forcing the Vector128 path
/// tests it) the same arithmetic in portable Vector128 operations.
/// </summary>
internal readonly struct WideningDot : IInt8Dot128
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int8Sums128 Accumulate(Int8Sums128 sums, Vector128<sbyte> a, Vector128<sbyte> w)
    {
        if (AdvSimd.IsSupported)
        {
            sums.First = AdvSimd.AddPairwiseWideningAndAdd(sums.First, AdvSimd.MultiplyWideningLower(a.GetLower(), w.GetLower()));
            sums.Second = AdvSimd.AddPairwiseWideningAndAdd(sums.Second, AdvSimd.MultiplyWideningUpper(a, w));
            return sums;
        }

        sums.First += PairSums(Vector128.WidenLower(a) * Vector128.WidenLower(w));
        sums.Second += PairSums(Vector128.WidenUpper(a) * Vector128.WidenUpper(w));
        return sums;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Finish(Int8Sums128 sums)
    {
        // Lanes (row 0: bytes 0-1, row 0: bytes 2-3, row 1: ..., row 1: ...) and the same for rows 2 and 3.
        if (AdvSimd.Arm64.IsSupported) return AdvSimd.Arm64.AddPairwise(sums.First, sums.Second);
        Vector128<int> first = sums.First, second = sums.Second;
        return Vector128.Create(first[0] + first[1], first[2] + first[3], second[0] + second[1], second[2] + second[3]);
    }

    // Each int32 lane holds two int16 products: sign-extend the low one (shift it up and back) and add the high one.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> PairSums(Vector128<short> products)
    {
        Vector128<int> pairs = products.AsInt32();
        return Vector128.ShiftRightArithmetic(pairs << 16, 16) + Vector128.ShiftRightArithmetic(pairs, 16);
    }
}

/// <summary>
/// The Vector128 loops over packed W (the layout of <see cref="Int8Matrix"/>: a panel group is 32 bytes, rows 0-3
/// of the panel in its first 16, rows 4-7 in the second): four activation rows against one panel, or one row
/// against two panels, so that 8 sums are in flight either way. Dequantizes as <see cref="Int8Driver{TDot}"/>
/// and the scalar kernel do: <c>fma(float(sum), s_a * s_w, c)</c>, the same bits.
/// </summary>
internal static unsafe class Int8Driver128<TDot> where TDot : struct, IInt8Dot128
{
    private const int Lane = Int8Matrix.PanelRows * 4;   // bytes of one group of a panel
    private const int Half = Lane / 2;                    // bytes of 4 rows of one group

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Multiply(Int8Matrix w, int m, sbyte* rows, int rowBytes, float* rowScales, float* c, nint ldc)
    {
        int i = 0;
        for (; i + 4 <= m; i += 4) FourRows(w, rows + (nint)i * rowBytes, rowBytes, rowScales + i, c + i * ldc, ldc);
        for (; i < m; i++) OneRow(w, rows + (nint)i * rowBytes, rowScales[i], c + i * ldc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<sbyte> Broadcast(sbyte* row, int group) => Vector128.Create(*(int*)(row + group * 4)).AsSByte();

    private static void FourRows(Int8Matrix w, sbyte* rows, int rowBytes, float* rowScales, float* c, nint ldc)
    {
        int groups = w.Groups;
        nint panelBytes = (nint)groups * Lane;
        sbyte* r0 = rows, r1 = rows + rowBytes, r2 = rows + 2 * rowBytes, r3 = rows + 3 * rowBytes;
        for (int p = 0; p < w.Panels; p++)
        {
            sbyte* b = w.Packed + p * panelBytes;
            Int8Sums128 s0l = default, s0h = default, s1l = default, s1h = default, s2l = default, s2h = default, s3l = default, s3h = default;
            for (int g = 0; g < groups; g++)
            {
                var low = Vector128.Load(b + g * Lane);
                var high = Vector128.Load(b + g * Lane + Half);
                var a = Broadcast(r0, g);
                s0l = TDot.Accumulate(s0l, a, low); s0h = TDot.Accumulate(s0h, a, high);
                a = Broadcast(r1, g);
                s1l = TDot.Accumulate(s1l, a, low); s1h = TDot.Accumulate(s1h, a, high);
                a = Broadcast(r2, g);
                s2l = TDot.Accumulate(s2l, a, low); s2h = TDot.Accumulate(s2h, a, high);
                a = Broadcast(r3, g);
                s3l = TDot.Accumulate(s3l, a, low); s3h = TDot.Accumulate(s3h, a, high);
            }

            int first = p * Int8Matrix.PanelRows;
            Store(w, TDot.Finish(s0l), TDot.Finish(s0h), first, rowScales[0], c);
            Store(w, TDot.Finish(s1l), TDot.Finish(s1h), first, rowScales[1], c + ldc);
            Store(w, TDot.Finish(s2l), TDot.Finish(s2h), first, rowScales[2], c + 2 * ldc);
            Store(w, TDot.Finish(s3l), TDot.Finish(s3h), first, rowScales[3], c + 3 * ldc);
        }
    }

    private static void OneRow(Int8Matrix w, sbyte* row, float rowScale, float* c)
    {
        int groups = w.Groups, panels = w.Panels;
        nint panelBytes = (nint)groups * Lane;
        int p = 0;
        for (; p + 2 <= panels; p += 2)
        {
            sbyte* b0 = w.Packed + p * panelBytes, b1 = b0 + panelBytes;
            Int8Sums128 s0l = default, s0h = default, s1l = default, s1h = default;
            for (int g = 0; g < groups; g++)
            {
                var a = Broadcast(row, g);
                s0l = TDot.Accumulate(s0l, a, Vector128.Load(b0 + g * Lane));
                s0h = TDot.Accumulate(s0h, a, Vector128.Load(b0 + g * Lane + Half));
                s1l = TDot.Accumulate(s1l, a, Vector128.Load(b1 + g * Lane));
                s1h = TDot.Accumulate(s1h, a, Vector128.Load(b1 + g * Lane + Half));
            }

            int first = p * Int8Matrix.PanelRows;
            Store(w, TDot.Finish(s0l), TDot.Finish(s0h), first, rowScale, c);
            Store(w, TDot.Finish(s1l), TDot.Finish(s1h), first + Int8Matrix.PanelRows, rowScale, c);
        }

        if (p < panels)
        {
            sbyte* b = w.Packed + p * panelBytes;
            Int8Sums128 low = default, high = default;
            for (int g = 0; g < groups; g++)
            {
                var a = Broadcast(row, g);
                low = TDot.Accumulate(low, a, Vector128.Load(b + g * Lane));
                high = TDot.Accumulate(high, a, Vector128.Load(b + g * Lane + Half));
            }

            Store(w, TDot.Finish(low), TDot.Finish(high), p * Int8Matrix.PanelRows, rowScale, c);
        }
    }

    // c[the panel's 8 columns from first] = fma(float(sum), s_a * s_w, c), for the columns below N.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Int8Matrix w, Vector128<int> low, Vector128<int> high, int first, float rowScale, float* c)
    {
        StoreQuad(w, low, first, rowScale, c);
        if (first + 4 < w.N) StoreQuad(w, high, first + 4, rowScale, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreQuad(Int8Matrix w, Vector128<int> sums, int first, float rowScale, float* c)
    {
        var scale = Vector128.Create(rowScale) * Vector128.Load(w.PaddedScales + first);
        var values = Vector128.ConvertToSingle(sums);
        float* target = c + first;
        if (first + 4 <= w.N)
        {
            Vector128.Store(Vector128.FusedMultiplyAdd(values, scale, Vector128.Load(target)), target);
            return;
        }

        for (int j = 0; j < w.N - first; j++) target[j] = MathF.FusedMultiplyAdd(values.GetElement(j), scale.GetElement(j), target[j]);
    }
}
