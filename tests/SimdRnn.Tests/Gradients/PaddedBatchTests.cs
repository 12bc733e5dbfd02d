using FsCheck;
using FsCheck.Fluent;
using SimdRnn.Cells;
using SimdRnn.Model;
using Xunit;

namespace SimdRnn.Tests.Gradients;

/// <summary>
/// PyTorch's packed-sequence semantics: a batch of sequences of their own lengths, padded to T with arbitrary
/// values, gives the same loss, parameter gradients and input gradients as each sequence on its own in a
/// network of exactly its length (the parameters do not depend on T), for every cell, one or two directions.
/// </summary>
public sealed class PaddedBatchTests
{
    private const int Classes = 3;

    public static TheoryData<string> Cells => CellGradientTests.Cells;

    [Theory]
    [MemberData(nameof(Cells))]
    public void PaddedBatch_EqualsEachSequenceAlone(string cell)
    {
        var entry = CellCatalog.Find(CellCatalog.BuiltIn, cell)!;
        Check.One(CellGradientTests.Reproducible("padded-" + cell, maxTest: 10),
            Prop.ForAll(GradientCase.Small, ArbMap.Default.ArbFor<bool>(), (c, bidirectional) => Compare(entry, c, bidirectional)));
    }

    private static void Compare(CellEntry cell, GradientCase c, bool bidirectional)
    {
        var random = new Random(c.Seed);
        var shape = new NetworkShape(cell, c.Steps, c.Inputs, c.Hidden, c.Layers, Classes, bidirectional);
        using var batch = GradientChecker.NoisedNetwork(shape, c.Seed, random);

        int n = c.Batch, steps = c.Steps, inputs = c.Inputs;
        var lengths = Enumerable.Range(0, n).Select(_ => random.Next(1, steps + 1)).ToArray();
        var labels = Enumerable.Range(0, n).Select(_ => random.Next(Classes)).ToArray();
        var values = new double[steps * n * inputs];   // [T, n, I]; past a row's length: padding, large on purpose
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < n; b++)
            {
                for (int i = 0; i < inputs; i++) values[(t * n + b) * inputs + i] = t < lengths[b] ? 2 * random.NextDouble() - 1 : 50 * random.NextDouble();
            }
        }

        using var ws = batch.CreateWorkspace(n);
        ws.ComputeInputGradient = true;
        values.CopyTo(ws.Input, 0);
        lengths.CopyTo(ws.Lengths);
        labels.CopyTo(ws.Labels, 0);
        var gradients = new double[shape.ParameterCount];
        batch.Forward(ws, n);
        double loss = batch.Backward(ws, n, 1.0, gradients);
        var inputGradient = ws.InputGradient.AsSpan(0, steps * n * inputs).ToArray();

        double aloneLoss = 0;
        var aloneGradients = new double[shape.ParameterCount];
        for (int b = 0; b < n; b++)
        {
            int length = lengths[b];
            var own = new NetworkShape(cell, length, inputs, c.Hidden, c.Layers, Classes, bidirectional);
            using var alone = new Network<double>(own);
            batch.Parameters.CopyTo(alone.Parameters, 0);
            alone.ParametersChanged();
            using var single = alone.CreateWorkspace(1);
            single.ComputeInputGradient = true;
            for (int t = 0; t < length; t++) values.AsSpan((t * n + b) * inputs, inputs).CopyTo(single.Input.AsSpan(t * inputs, inputs));
            single.Labels[0] = labels[b];
            alone.Forward(single, 1);
            aloneLoss += alone.Backward(single, 1, 1.0, aloneGradients);

            for (int t = 0; t < steps; t++)
            {
                for (int i = 0; i < inputs; i++)
                {
                    double expected = t < length ? single.InputGradient[t * inputs + i] : 0;
                    double found = inputGradient[(t * n + b) * inputs + i];
                    if (Math.Abs(found - expected) > 1e-10 * Math.Max(1, Math.Abs(expected)))
                    {
                        throw new Exception($"{cell.Info.Name} {c} bidirectional {bidirectional}: input gradient of row {b} (length {length}) at step {t}, input {i}: batch {found:E6}, alone {expected:E6}");
                    }
                }
            }
        }

        if (Math.Abs(loss - aloneLoss) > 1e-10 * Math.Max(1, Math.Abs(aloneLoss)))
        {
            throw new Exception($"{cell.Info.Name} {c} bidirectional {bidirectional} lengths [{string.Join(", ", lengths)}]: loss {loss:R} in the batch, {aloneLoss:R} alone");
        }

        foreach (var tensor in shape.Tensors)
        {
            for (int i = 0; i < tensor.Length; i++)
            {
                double found = gradients[tensor.Offset + i], expected = aloneGradients[tensor.Offset + i];
                if (Math.Abs(found - expected) > 1e-10 * Math.Max(1, Math.Abs(expected)))
                {
                    throw new Exception($"{cell.Info.Name} {c} bidirectional {bidirectional} lengths [{string.Join(", ", lengths)}]: {tensor.Name}[{i}] batch {found:E6}, alone {expected:E6}");
                }
            }
        }
    }
}
