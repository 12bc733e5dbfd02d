using System.Numerics.Tensors;
using SimdRnn.Kernels;
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

    private static float[] Apply(SimdPath path, string op)
    {
        var apply = new ApplyOnPath(op);
        return Simd.Visit<ApplyOnPath, float[]>(path, ref apply);
    }

    private readonly struct ApplyOnPath(string op) : ISimdPathVisitor<float[]>
    {
        public float[] Visit<TLanes, TKernel>()
            where TLanes : struct, ILanes<TLanes, float>
            where TKernel : struct, IGemmKernel => Apply<TLanes>(op);
    }

    private static float[] Apply<TLanes>(string op) where TLanes : struct, ILanes<TLanes, float>
    {
        var result = new float[Inputs.Length];
        for (int i = 0; i < Inputs.Length; i += TLanes.Count)
        {
            var x = TLanes.Load(in Inputs[i]);
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
    private static void AssertClose(float[] expected, float[] actual, float tolerance, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            float bound = tolerance * Math.Max(Math.Abs(expected[i]), 1f);
            bool same = expected[i] == actual[i] || Math.Abs(expected[i] - actual[i]) <= bound;
            Assert.True(same, $"{what}({Inputs[i]:R}): expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
