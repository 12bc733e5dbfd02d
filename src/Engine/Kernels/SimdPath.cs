using System.Runtime.CompilerServices;
using SimdRnn.Kernels.Quantized;

namespace SimdRnn.Kernels;

/// <summary>A vector width the engine runs on, narrowest first. Its parts are listed in <see cref="Simd"/>.</summary>
public enum SimdPath
{
    Scalar,
    Vector128,
    Vector256,
    Vector512,
}

/// <summary>
/// Runs code written once against a SIMD path's parts, given as type arguments: the lanes the generated cell
/// passes run on, and the GEMM micro-kernel (with its blocking and its packer, see <see cref="IGemmKernel"/>).
/// </summary>
internal interface ISimdPathVisitor<TResult>
{
    TResult Visit<TLanes, TKernel>()
        where TLanes : struct, ILanes<TLanes, float>
        where TKernel : struct, IGemmKernel;
}

/// <summary>
/// The registry of SIMD paths: the one place that maps a <see cref="SimdPath"/> to its lanes type and GEMM
/// kernel (<see cref="Visit"/>) and to its int8 product kernel (<see cref="Int8KernelOf"/>), and that chooses
/// the path this process runs (<see cref="Path"/>), so <see cref="OverrideVariable"/> decides the float and the
/// int8 kernels alike. Every caller asks it, so adding a path is a lanes type, a kernel and one line in
/// <see cref="Visit"/> (and one in <see cref="Int8KernelOf"/>).
/// </summary>
public static class Simd
{
    /// <summary>Environment variable that forces a path (vector512, vector256, vector128, scalar) for tests and benchmarks.</summary>
    public const string OverrideVariable = "SIMDRNN_SIMD";

    private static readonly SimdPath path;

    private static readonly Int8Kernel int8Kernel;

    // Why the override was refused, or null: Path then throws, so a refused override is never silently ignored.
    private static readonly string? refusal;

    static Simd()
    {
        (path, refusal) = Choose(Environment.GetEnvironmentVariable(OverrideVariable));
        int8Kernel = Int8KernelOf(path);
    }

    /// <summary>
    /// The path this process runs: <see cref="OverrideVariable"/>'s, else the widest this CPU and build accelerate.
    /// Throws <see cref="InvalidOperationException"/> (one line naming the variable) when the override names a
    /// path that does not exist or cannot run here.
    /// </summary>
    public static SimdPath Path => refusal is null ? path : throw new InvalidOperationException(refusal);

    /// <summary>The kernel int8 products run on in this process: <see cref="Path"/>'s (<see cref="Int8KernelOf"/>). Throws as <see cref="Path"/> does.</summary>
    internal static Int8Kernel Int8Kernel => refusal is null ? int8Kernel : throw new InvalidOperationException(refusal);

    /// <summary>Floats per vector on <see cref="Path"/>: 16, 8, 4 or 1.</summary>
    public static int FloatLanes => Lanes(Path);

    /// <summary>Every path this CPU and build accelerate, narrowest first; <see cref="SimdPath.Scalar"/> always.</summary>
    public static IReadOnlyList<SimdPath> Supported { get; } = [.. Enum.GetValues<SimdPath>().Where(IsSupported)];

    public static bool IsSupported(SimdPath path) => Enum.IsDefined(path) && Query<SupportQuery, bool>(path);

    /// <summary>Floats per vector of a path's lanes.</summary>
    public static int Lanes(SimdPath path) => Query<LanesQuery, int>(path);

    /// <summary>The blocking of a path's GEMM kernel.</summary>
    internal static GemmBlocking Blocking(SimdPath path) => Query<BlockingQuery, GemmBlocking>(path);

    /// <summary>
    /// The int8 kernel of a path: the first of its candidates, best first, that this CPU runs. The scalar path
    /// keeps the scalar kernel (the oracle, as its float GEMM is); Vector128 runs SDOT where ARM64 has it, else the
    /// widening kernel (NEON, or portable Vector128 code on x86); Vector256 and Vector512 share the 256-bit
    /// kernels (see <see cref="Int8Gemm"/> for why there is no 512-bit one).
    /// </summary>
    internal static Int8Kernel Int8KernelOf(SimdPath path)
    {
        ReadOnlySpan<Int8Kernel> candidates = path switch
        {
            SimdPath.Vector512 or SimdPath.Vector256 => [Quantized.Int8Kernel.AvxVnni, Quantized.Int8Kernel.Avx2],
            SimdPath.Vector128 => [Quantized.Int8Kernel.ArmDotProduct, Quantized.Int8Kernel.Vector128],
            SimdPath.Scalar => [],
            _ => throw new ArgumentOutOfRangeException(nameof(path), path, "Not a SIMD path."),
        };
        foreach (var kernel in candidates)
        {
            if (Int8Gemm.IsSupported(kernel)) return kernel;
        }

        return Quantized.Int8Kernel.Scalar;
    }

    /// <summary>The path an override value asks for, or why it cannot be had; no value means the widest supported path.</summary>
    internal static (SimdPath Path, string? Refusal) Choose(string? requested)
    {
        SimdPath widest = Supported[^1];
        if (string.IsNullOrEmpty(requested)) return (widest, null);

        SimdPath[] all = Enum.GetValues<SimdPath>();
        int index = Array.FindIndex(all, p => p.ToString().Equals(requested, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
        {
            string names = string.Join(", ", all.Reverse().Select(p => p.ToString().ToLowerInvariant()));
            return (widest, $"{OverrideVariable}={requested}: expected one of {names}");
        }

        SimdPath chosen = all[index];
        if (!IsSupported(chosen))
        {
            string here = string.Join(", ", Supported.Reverse().Select(p => p.ToString().ToLowerInvariant()));
            return (widest, $"{OverrideVariable}={requested}: this CPU and build cannot run the {chosen} path; they run {here}");
        }

        return (chosen, null);
    }

    /// <summary>Runs <paramref name="visitor"/> with the path's lanes type and GEMM kernel: the registry's one table.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TResult Visit<TVisitor, TResult>(SimdPath path, ref TVisitor visitor)
        where TVisitor : ISimdPathVisitor<TResult> => path switch
        {
            SimdPath.Vector512 => visitor.Visit<Lanes512, GemmKernel512>(),
            SimdPath.Vector256 => visitor.Visit<Lanes256, GemmKernel256>(),
            SimdPath.Vector128 => visitor.Visit<Lanes128, GemmKernel128>(),
            SimdPath.Scalar => visitor.Visit<ScalarLanes<float>, GemmKernelScalar>(),
            _ => throw new ArgumentOutOfRangeException(nameof(path), path, "Not a SIMD path."),
        };

    private static TResult Query<TVisitor, TResult>(SimdPath path)
        where TVisitor : struct, ISimdPathVisitor<TResult>
    {
        var visitor = default(TVisitor);
        return Visit<TVisitor, TResult>(path, ref visitor);
    }

    private struct SupportQuery : ISimdPathVisitor<bool>
    {
        public readonly bool Visit<TLanes, TKernel>()
            where TLanes : struct, ILanes<TLanes, float>
            where TKernel : struct, IGemmKernel => TKernel.IsSupported;
    }

    private struct LanesQuery : ISimdPathVisitor<int>
    {
        public readonly int Visit<TLanes, TKernel>()
            where TLanes : struct, ILanes<TLanes, float>
            where TKernel : struct, IGemmKernel => TLanes.Count;
    }

    private struct BlockingQuery : ISimdPathVisitor<GemmBlocking>
    {
        public readonly GemmBlocking Visit<TLanes, TKernel>()
            where TLanes : struct, ILanes<TLanes, float>
            where TKernel : struct, IGemmKernel => new(TKernel.MR, TKernel.NR, TKernel.KC, TKernel.MC, TKernel.NC);
    }
}
