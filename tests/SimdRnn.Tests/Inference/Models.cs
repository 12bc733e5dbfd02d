using System.Numerics.Tensors;
using SimdRnn.Cells;
using SimdRnn.Model;
using Xunit;

namespace SimdRnn.Tests.Inference;

/// <summary>Small networks with initial weights, random sequences, and the training forward as the reference.</summary>
internal static class Models
{
    public static NetworkShape Shape(string cell, int steps, int inputs, int hidden, int layers, int classes, bool bidirectional = false) =>
        new(CellCatalog.Find(CellCatalog.BuiltIn, cell)!, steps, inputs, hidden, layers, classes, bidirectional);

    public static Network<float> Network(NetworkShape shape, int seed)
    {
        var network = new Network<float>(shape);
        Initializer.Initialize<float>(shape, network.Parameters, seed);
        // Non-zero biases, so that a missing bias shows.
        var random = new Random(seed);
        foreach (var tensor in shape.Tensors.Where(t => t.Name.Contains("bias", StringComparison.Ordinal)))
        {
            var values = tensor.Of(network.Parameters);
            for (int i = 0; i < values.Length; i++) values[i] += (float)(random.NextDouble() - 0.5) * 0.4f;
        }

        network.ParametersChanged();
        return network;
    }

    /// <summary>[count, T, I] values in [-1, 1].</summary>
    public static float[] Sequences(NetworkShape shape, int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count * shape.Steps * shape.Inputs];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>Softmax of <see cref="Network{T}.Forward"/>'s logits: the whole-sequence forward the trainer uses.</summary>
    public static float[] ReferenceProbabilities(Network<float> network, ReadOnlySpan<float> sequences, int count, int[]? lengths = null)
    {
        var shape = network.Shape;
        using var workspace = network.CreateWorkspace(count);
        lengths?.CopyTo(workspace.Lengths);
        int length = shape.Steps * shape.Inputs;
        // [count, T, I] batch-major into the workspace's time-major [T, count, I]
        for (int r = 0; r < count; r++)
        {
            for (int t = 0; t < shape.Steps; t++)
            {
                sequences.Slice(r * length + t * shape.Inputs, shape.Inputs).CopyTo(workspace.Input.AsSpan((t * count + r) * shape.Inputs, shape.Inputs));
            }
        }
        network.Forward(workspace, count);
        var probabilities = new float[count * shape.Outputs];
        for (int r = 0; r < count; r++)
        {
            TensorPrimitives.SoftMax(workspace.Outputs.AsSpan(r * shape.Outputs, shape.Outputs), probabilities.AsSpan(r * shape.Outputs, shape.Outputs));
        }

        return probabilities;
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        float worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            float difference = MathF.Abs(expected[i] - actual[i]);
            if (!(difference <= worst)) (worst, at) = (difference, i);
        }

        Assert.True(worst <= tolerance, $"largest difference {worst} at {at}: expected {(at >= 0 ? expected[at] : 0)}, found {(at >= 0 ? actual[at] : 0)}");
    }
}
