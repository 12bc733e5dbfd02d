using FsCheck;
using FsCheck.Fluent;
using SimdRnn.Cells;
using SimdRnn.Model;
using Xunit;

namespace SimdRnn.Tests.Gradients;

/// <summary>
/// From a zero initial state, forward leaves out step 0's recurrent product and backward the product that would only
/// give the initial output's gradient. The finite-difference checks run with a given (kept) initial state, so this
/// law carries their proof over: for every cell, one or two directions, any lengths, the zero-state path gives the same
/// loss, parameter gradients and input gradients as the kept path handed an initial state of zeros.
/// </summary>
public sealed class ZeroInitialStateTests
{
    private const int Classes = 3;

    public static TheoryData<string> Cells => CellGradientTests.Cells;

    [Theory]
    [MemberData(nameof(Cells))]
    public void ZeroInitialState_EqualsAKeptStateOfZeros(string cell)
    {
        var entry = CellCatalog.Find(CellCatalog.BuiltIn, cell)!;
        Check.One(CellGradientTests.Reproducible("zero-initial-" + cell, maxTest: 20),
            Prop.ForAll(GradientCase.Small, ArbMap.Default.ArbFor<bool>(), (c, bidirectional) => Compare(entry, c, bidirectional)));
    }

    private static void Compare(CellEntry cell, GradientCase c, bool bidirectional)
    {
        var random = new Random(c.Seed);
        var shape = new NetworkShape(cell, c.Steps, c.Inputs, c.Hidden, c.Layers, Classes, bidirectional);
        using var network = GradientChecker.NoisedNetwork(shape, c.Seed, random);

        int n = c.Batch;
        var values = Enumerable.Range(0, c.Steps * n * c.Inputs).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        var lengths = Enumerable.Range(0, n).Select(_ => random.Next(1, c.Steps + 1)).ToArray();
        var labels = Enumerable.Range(0, n).Select(_ => random.Next(Classes)).ToArray();

        (double Loss, double[] Gradients, double[] InputGradient) Run(bool keep)
        {
            using var ws = network.CreateWorkspace(n);
            ws.ComputeInputGradient = true;
            ws.KeepInitialState = keep;
            values.CopyTo(ws.Input, 0);
            lengths.CopyTo(ws.Lengths);
            labels.CopyTo(ws.Labels, 0);
            if (keep)
            {
                for (int layer = 0; layer < shape.RecurrentLayers; layer++)
                {
                    ws.InitialOutput(layer, n).Clear();
                    ws.InitialState(layer, n).Clear();
                }
            }
            else
            {
                // Left over from an earlier chunk: the zero-state path must not read it.
                for (int layer = 0; layer < shape.RecurrentLayers; layer++)
                {
                    ws.InitialOutput(layer, n).Fill(7.0);
                    ws.InitialState(layer, n).Fill(7.0);
                }
            }

            var gradients = new double[shape.ParameterCount];
            network.Forward(ws, n);
            double loss = network.Backward(ws, n, 1.0, gradients);
            return (loss, gradients, ws.InputGradient.AsSpan(0, c.Steps * n * c.Inputs).ToArray());
        }

        var kept = Run(keep: true);
        var zero = Run(keep: false);
        Assert.Equal(kept.Loss, zero.Loss, 12);
        for (int i = 0; i < kept.Gradients.Length; i++) Assert.Equal(kept.Gradients[i], zero.Gradients[i], 12);
        for (int i = 0; i < kept.InputGradient.Length; i++) Assert.Equal(kept.InputGradient[i], zero.InputGradient[i], 12);
    }
}
