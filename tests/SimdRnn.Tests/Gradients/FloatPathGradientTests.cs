using FsCheck.Fluent;
using SimdRnn.Cells;
using SimdRnn.Model;
using Xunit;

namespace SimdRnn.Tests.Gradients;

/// <summary>
/// The float SIMD path (vectors plus remainders) computes what the double reference path computes, forward
/// and backward, for every cell; and backward accumulates.
/// </summary>
public sealed class FloatPathGradientTests
{
    public static TheoryData<string> Cells => CellGradientTests.Cells;

    [Theory]
    [MemberData(nameof(Cells))]
    public void FloatGradient_AgreesWithDouble(string cell)
    {
        var entry = CellCatalog.Find(CellCatalog.BuiltIn, cell)!;
        FsCheck.Check.One(CellGradientTests.Reproducible("float-" + cell, maxTest: 10), Prop.ForAll(GradientCase.Wide, c =>
        {
            var (doubleLogits, doubleGradients) = Run<double>(entry, c);
            var (floatLogits, floatGradients) = Run<float>(entry, c);
            AssertClose(doubleLogits, floatLogits, $"{cell} {c} logits");
            AssertClose(doubleGradients, floatGradients, $"{cell} {c} gradients");
        }));
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void GradientTwice_WithoutZeroing_Doubles(string cell)
    {
        var entry = CellCatalog.Find(CellCatalog.BuiltIn, cell)!;
        var c = new GradientCase(Batch: 3, Steps: 4, Inputs: 5, Hidden: 19, Layers: 2, Seed: 7);
        using var network = Build<float>(entry, c, out var workspace, out var labels);
        var gradients = new float[network.Parameters.Length];
        network.Forward(workspace, c.Batch);
        network.Backward(workspace, c.Batch, 1f, gradients);
        var once = gradients.ToArray();

        // Backward consumed what forward saved: a second one without a forward is refused, one after a forward adds.
        var refused = Assert.Throws<InvalidOperationException>(() => network.Backward(workspace, c.Batch, 1f, gradients));
        Assert.Contains("Forward", refused.Message);
        Assert.Equal(once, gradients);
        network.Forward(workspace, c.Batch);
        network.Backward(workspace, c.Batch, 1f, gradients);
        for (int i = 0; i < once.Length; i++) Assert.Equal(2 * once[i], gradients[i], 1e-6f * Math.Max(1, Math.Abs(once[i])));
        workspace.Dispose();
    }

    private static (double[] Logits, double[] Gradients) Run<T>(CellEntry cell, GradientCase c)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        using var network = Build<T>(cell, c, out var workspace, out var labels);
        var gradients = new T[network.Parameters.Length];
        network.Forward(workspace, c.Batch);
        var logits = workspace.Outputs.AsSpan(0, c.Batch * network.Shape.Outputs).ToArray().Select(double.CreateTruncating).ToArray();
        network.Backward(workspace, c.Batch, T.One, gradients);
        workspace.Dispose();
        return (logits, gradients.Select(double.CreateTruncating).ToArray());
    }

    private static Network<T> Build<T>(CellEntry cell, GradientCase c, out ChunkWorkspace<T> workspace, out int[] labels)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var shape = new NetworkShape(cell, c.Steps, c.Inputs, c.Hidden, c.Layers, classes: 4);
        var network = new Network<T>(shape);
        var random = new Random(c.Seed);
        var values = new double[shape.ParameterCount];
        Initializer.Initialize<double>(shape, values, c.Seed);
        for (int i = 0; i < values.Length; i++) network.Parameters[i] = T.CreateTruncating((float)(values[i] + 0.2 * (random.NextDouble() - 0.5)));
        network.ParametersChanged();
        workspace = network.CreateWorkspace(c.Batch);
        for (int i = 0; i < c.Steps * c.Batch * c.Inputs; i++) workspace.Input[i] = T.CreateTruncating((float)(random.NextDouble() * 2 - 1));
        labels = Enumerable.Range(0, c.Batch).Select(_ => random.Next(4)).ToArray();
        labels.CopyTo(workspace.Labels, 0);
        return network;
    }

    // Float carries ~1e-7 relative error per operation; through a few steps and layers 1e-4 of the
    // largest magnitude bounds it comfortably while any wrong term would be of order one.
    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        double scale = Math.Max(1e-3, expected.Max(Math.Abs));
        int worst = 0;
        for (int i = 1; i < expected.Length; i++)
        {
            if (Math.Abs(expected[i] - actual[i]) > Math.Abs(expected[worst] - actual[worst])) worst = i;
        }

        if (expected.Length > 0 && Math.Abs(expected[worst] - actual[worst]) > 1e-4 * scale)
        {
            throw new Exception($"{what}: float {actual[worst]:E6} vs double {expected[worst]:E6} at [{worst}] (scale {scale:E2})");
        }
    }
}
