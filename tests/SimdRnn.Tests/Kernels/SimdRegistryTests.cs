using SimdRnn.Kernels;
using SimdRnn.Kernels.Quantized;
using SimdRnn.Tests.Robustness;
using Xunit;

namespace SimdRnn.Tests.Kernels;

/// <summary>
/// The registry of SIMD paths (<see cref="Simd"/>): what each path is made of, and how the
/// <c>SIMDRNN_SIMD</c> override chooses one or refuses it in one line.
/// </summary>
public sealed class SimdRegistryTests
{
    public static TheoryData<SimdPath> AllPaths => [.. Enum.GetValues<SimdPath>()];

    public static TheoryData<SimdPath> SupportedPaths => [.. Simd.Supported];

    [Fact]
    public void Supported_IsNarrowestFirst_AndAlwaysHoldsScalar()
    {
        Assert.Equal(SimdPath.Scalar, Simd.Supported[0]);
        Assert.Equal(Simd.Supported.OrderBy(p => p), Simd.Supported);
        Assert.All(Simd.Supported, p => Assert.True(Simd.IsSupported(p)));
    }

    [Fact]
    public void NoOverride_ChoosesTheWidestSupportedPath()
    {
        Assert.Equal((Simd.Supported[^1], (string?)null), Simd.Choose(null));
        Assert.Equal((Simd.Supported[^1], (string?)null), Simd.Choose(""));
    }

    [Theory]
    [MemberData(nameof(SupportedPaths))]
    public void Override_NamingASupportedPath_ChoosesIt_IgnoringCase(SimdPath path)
    {
        Assert.Equal((path, (string?)null), Simd.Choose(path.ToString().ToLowerInvariant()));
        Assert.Equal((path, (string?)null), Simd.Choose(path.ToString().ToUpperInvariant()));
    }

    [Theory]
    [InlineData("avx2")]
    [InlineData("1")]
    [InlineData("vector 256")]
    public void Override_NamingNoPath_IsRefusedInOneLineListingThePaths(string requested)
    {
        var (_, refusal) = Simd.Choose(requested);
        Assert.Equal($"SIMDRNN_SIMD={requested}: expected one of vector512, vector256, vector128, scalar", refusal);
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Override_NamingAPathThisMachineCannotRun_IsRefusedSayingWhatItRuns(SimdPath path)
    {
        var (_, refusal) = Simd.Choose(path.ToString());
        if (Simd.IsSupported(path))
        {
            Assert.Null(refusal);
        }
        else
        {
            Assert.NotNull(refusal);
            Assert.StartsWith($"SIMDRNN_SIMD={path}: this CPU and build cannot run the {path} path; they run ", refusal, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', refusal);
        }
    }

    [Theory]
    [MemberData(nameof(SupportedPaths))]
    public void Blocking_IsConsistent_AndIsWhatPackedMatricesUse(SimdPath path)
    {
        GemmBlocking blocking = Simd.Blocking(path);
        Assert.Equal(0, blocking.MC % blocking.MR);
        Assert.Equal(0, blocking.NC % blocking.NR);
        Assert.True(blocking.KC > 0);
        using var packed = new PackedMatrix(3, 5, path);
        Assert.Equal(blocking.NR, packed.PanelWidth);
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Lanes_AreThePathsWidthInFloats(SimdPath path)
    {
        int expected = path == SimdPath.Scalar ? 1 : int.Parse(path.ToString()["Vector".Length..], System.Globalization.CultureInfo.InvariantCulture) / 32;
        Assert.Equal(expected, Simd.Lanes(path));
    }

    [Theory]
    [MemberData(nameof(SupportedPaths))]
    public void Int8Kernel_OfAPath_RunsHere_AndBelongsToThatPath(SimdPath path)
    {
        Int8Kernel kernel = Simd.Int8KernelOf(path);
        Assert.True(Int8Gemm.IsSupported(kernel), $"{path} chose {kernel}, which does not run here");
        Int8Kernel[] ofThePath = path switch
        {
            SimdPath.Scalar => [Int8Kernel.Scalar],
            SimdPath.Vector128 => [Int8Gemm.IsSupported(Int8Kernel.ArmDotProduct) ? Int8Kernel.ArmDotProduct : Int8Kernel.Vector128],
            _ => [Int8Gemm.IsSupported(Int8Kernel.AvxVnni) ? Int8Kernel.AvxVnni : Int8Kernel.Avx2],
        };
        Assert.Equal(ofThePath, [kernel]);
    }

    [Fact]
    public void Int8Kernel_OfTheProcess_IsThatOfItsPath() => Assert.Equal(Simd.Int8KernelOf(Simd.Path), Simd.Int8Kernel);

    [Fact]
    public void Cli_UnderAnOverride_NamesThatPath_AndRefusesABadOneInOneLine()
    {
        foreach (SimdPath path in Simd.Supported)
        {
            var run = ChildCli.Run("", new Dictionary<string, string> { [Simd.OverrideVariable] = path.ToString().ToLowerInvariant() }, "--version");
            Assert.Equal(0, run.ExitCode);
            Assert.EndsWith($"({path})", run.Out.Trim(), StringComparison.Ordinal);
        }

        var refused = ChildCli.Run("", new Dictionary<string, string> { [Simd.OverrideVariable] = "neon" }, "--version");
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("simdrnn: error: SIMDRNN_SIMD=neon: expected one of vector512, vector256, vector128, scalar", refused.Error.Trim());
        Assert.Equal("", refused.Out);
    }
}
