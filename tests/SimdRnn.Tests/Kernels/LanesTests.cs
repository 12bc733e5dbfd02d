using System.Numerics.Tensors;
using FsCheck;
using FsCheck.Fluent;
using SimdRnn.Kernels;
using SimdRnn.Tests.Gradients;
using Xunit;

namespace SimdRnn.Tests.Kernels;

/// <summary>The vector lanes the generated cell code runs on, against scalar references and TensorPrimitives.</summary>
public sealed class LanesTests
{
    private static readonly float[] Inputs = BuildInputs();

    private static float[] BuildInputs()
    {
        var random = new Random(11);
        var values = new List<float> { 0f, -0f, 1e-8f, -1e-8f, 0.5f, -0.5f, 9f, -9f, 20f, -20f, 44f, -44f, 88f, -88f, 200f, -200f, 2.5f, -2.5f };
        while (values.Count % 16 != 0 || values.Count < 4096) values.Add((float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-4, 2))));
        return values.ToArray();
    }

    /// <summary>Every path this machine runs, as the registry lists them: a new path is tested without a new line here.</summary>
    public static TheoryData<SimdPath> Paths => [.. Simd.Supported];

    [Theory]
    [MemberData(nameof(Paths))]
    public void Sigmoid_MatchesTensorPrimitives(SimdPath path)
    {
        var expected = new float[Inputs.Length];
        TensorPrimitives.Sigmoid(Inputs, expected);
        AssertClose(expected, Apply(path, "sigmoid"), 4e-7f, "sigmoid");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Tanh_MatchesTensorPrimitives(SimdPath path)
    {
        var expected = new float[Inputs.Length];
        TensorPrimitives.Tanh(Inputs, expected);
        AssertClose(expected, Apply(path, "tanh"), 4e-7f, "tanh");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void PiecewiseOperators_MatchScalarDefinitions(SimdPath path)
    {
        AssertClose(Inputs.Select(x => Math.Max(x, 0f)).ToArray(), Apply(path, "relu"), 0, "relu");
        AssertClose(Inputs.Select(x => Math.Clamp(0.2f * x + 0.5f, 0f, 1f)).ToArray(), Apply(path, "hard_sigmoid"), 1e-7f, "hard_sigmoid");
        AssertClose(Inputs.Select(x => x > 0 ? 1f : 0f).ToArray(), Apply(path, "positive"), 0, "positive");
        AssertClose(Inputs.Select(y => y > 0 && y < 1 ? 0.2f : 0f).ToArray(), Apply(path, "slope"), 0, "hard_sigmoid slope");
        AssertClose(Inputs.Select(MathF.Exp).ToArray(), Apply(path, "exp"), 4e-7f, "exp");
    }

    /// <summary>
    /// Floats of every kind: any bit pattern (NaN, infinities, subnormals, the overflow and underflow ranges), ordinary
    /// arguments, and the ones where x log2(e) lies within a few ulp of k + 1/2, where the rounding of n decides the
    /// result's range reduction (exp's n must round as Round does, ties to even).
    /// </summary>
    private static readonly Arbitrary<float[]> AnyFloats =
        Gen.Frequency(
                (1, ArbMap.Default.GeneratorFor<int>().Select(BitConverter.Int32BitsToSingle)),
                (2, Gen.Choose(-100_000, 100_000).Select(i => i / 1000f)),
                (2, from k in Gen.Choose(-126, 127)
                    from ulps in Gen.Choose(-3, 3)
                    select BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits((k + 0.5f) / 1.44269504088896341f) + ulps)))
            .ArrayOf(64)
            .ToArbitrary();

    /// <summary>The law behind the fixed cases above, for any floats: exp, sigmoid and tanh on every path stay within the references' tolerance.</summary>
    [Fact]
    public void Transcendentals_MatchReferences_ForAnyFloats()
    {
        Check.One(CellGradientTests.Reproducible("lanes", maxTest: 300), Prop.ForAll(AnyFloats, inputs =>
        {
            var sigmoid = new float[inputs.Length];
            var tanh = new float[inputs.Length];
            TensorPrimitives.Sigmoid(inputs, sigmoid);
            TensorPrimitives.Tanh(inputs, tanh);
            foreach (var path in Simd.Supported)
            {
                AssertClose(inputs, inputs.Select(MathF.Exp).ToArray(), Apply(path, "exp", inputs), 4e-7f, $"{path} exp");
                AssertClose(inputs, sigmoid, Apply(path, "sigmoid", inputs), 4e-7f, $"{path} sigmoid");
                AssertClose(inputs, tanh, Apply(path, "tanh", inputs), 4e-7f, $"{path} tanh");
            }
        }));
    }

    private static float[] Apply(SimdPath path, string op) => Apply(path, op, Inputs);

    private static float[] Apply(SimdPath path, string op, float[] inputs)
    {
        var apply = new ApplyOnPath(op, inputs);
        return Simd.Visit<ApplyOnPath, float[]>(path, ref apply);
    }

    private readonly struct ApplyOnPath(string op, float[] inputs) : ISimdPathVisitor<float[]>
    {
        public float[] Visit<TLanes, TKernel>()
            where TLanes : struct, ILanes<TLanes, float>
            where TKernel : struct, IGemmKernel => Apply<TLanes>(op, inputs);
    }

    // inputs.Length is a multiple of every path's lane count.
    private static float[] Apply<TLanes>(string op, float[] inputs) where TLanes : struct, ILanes<TLanes, float>
    {
        var result = new float[inputs.Length];
        for (int i = 0; i < inputs.Length; i += TLanes.Count)
        {
            var x = TLanes.Load(in inputs[i]);
            var y = op switch
            {
                "sigmoid" => TLanes.Sigmoid(x),
                "tanh" => TLanes.Tanh(x),
                "relu" => TLanes.Relu(x),
                "hard_sigmoid" => TLanes.HardSigmoid(x),
                "positive" => TLanes.Positive(x),
                "slope" => TLanes.HardSigmoidSlope(x),
                _ => TLanes.Exp(x),
            };
            TLanes.Store(y, ref result[i]);
        }

        return result;
    }

    // Relative to |expected| above 1, absolute below; infinities must match exactly.
    private static void AssertClose(float[] expected, float[] actual, float tolerance, string what) => AssertClose(Inputs, expected, actual, tolerance, what);

    // NaN must stay NaN.
    private static void AssertClose(float[] inputs, float[] expected, float[] actual, float tolerance, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            float bound = tolerance * Math.Max(Math.Abs(expected[i]), 1f);
            bool same = expected[i] == actual[i] || Math.Abs(expected[i] - actual[i]) <= bound || (float.IsNaN(expected[i]) && float.IsNaN(actual[i]));
            Assert.True(same, $"{what}({inputs[i]:R}): expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
