using System.Numerics;
using System.Text;
using SimdRnn.Cells;
using SimdRnn.Model;

namespace SimdRnn.Tests.Gradients;

/// <summary>The largest disagreement found in one tensor.</summary>
public sealed record TensorDifference(string Tensor, double Analytic, double Reference, int Index)
{
    public double Absolute => Math.Abs(Analytic - Reference);
}

/// <summary>
/// Builds a random network of a cell and a head in double precision (random weights, inputs, targets and initial
/// states; optionally bidirectional, with random sequence lengths, or with a fixed dropout mask), computes the analytic gradient of the head's summed loss (softmax cross-entropy, or squared error) with
/// respect to every parameter tensor, the inputs and every layer's initial output and states, and compares each with
/// central finite differences of a loss computed here, independently of the engine's.
/// </summary>
public sealed class GradientChecker : IDisposable
{
    // Step for central differences: truncation error ~ step², rounding ~ 1e-16 / step.
    private const double Step = 1e-5;
    private const int Classes = 3;
    private const int Values = 2;

    private readonly Network<double> network;
    private readonly ChunkWorkspace<double> workspace;
    private readonly int rows;
    private readonly Func<Head, double, double, double>? brokenLoss;
    private readonly Dropout dropout;

    /// <summary>
    /// A network of <paramref name="shape"/> with its initial weights for <paramref name="seed"/> plus noise from
    /// <paramref name="random"/> on every parameter, so that zero biases and symmetric blocks do not hide mistakes.
    /// </summary>
    public static Network<double> NoisedNetwork(NetworkShape shape, int seed, Random random)
    {
        var network = new Network<double>(shape);
        Initializer.Initialize<double>(shape, network.Parameters, seed);
        for (int i = 0; i < network.Parameters.Length; i++) network.Parameters[i] += 0.4 * (random.NextDouble() - 0.5);
        network.ParametersChanged();
        return network;
    }

    /// <param name="brokenLoss">Tests only: replaces the squared error (prediction, target) of a regression head in the
    /// reference loss, to show that a loss the engine does not differentiate makes the check fail.</param>
    public GradientChecker(CellEntry cell, GradientCase c, HeadKind head = HeadKind.Classify, Func<Head, double, double, double>? brokenLoss = null,
        bool bidirectional = false, bool variableLengths = false, Dropout dropout = default)
    {
        Case = c;
        rows = c.Batch;
        this.brokenLoss = brokenLoss;
        this.dropout = dropout;
        var shape = new NetworkShape(cell, c.Steps, c.Inputs, c.Hidden, c.Layers, new Head(head, head is HeadKind.Classify or HeadKind.Tag ? Classes : Values), bidirectional);
        var random = new Random(c.Seed);
        network = NoisedNetwork(shape, c.Seed, random);

        workspace = network.CreateWorkspace(rows, dropout: dropout.IsActive);
        workspace.ComputeInputGradient = true;
        workspace.KeepInitialState = true;
        Fill(random, workspace.Input.AsSpan(0, c.Steps * rows * c.Inputs), 1.0);
        for (int layer = 0; layer < shape.RecurrentLayers; layer++)
        {
            Fill(random, workspace.InitialOutput(layer, rows), 0.5);
            Fill(random, workspace.InitialState(layer, rows), 0.5);
        }

        // Targets of every prediction ([n] or [T, n] time-major), written where the loss reads them.
        int predictions = network.Predictions(rows);
        if (shape.Head.Classifies)
        {
            for (int p = 0; p < predictions; p++) workspace.Labels[p] = random.Next(Classes);
        }
        else
        {
            Fill(random, workspace.Targets.AsSpan(0, predictions * Values), 1.0);
        }

        if (variableLengths)
        {
            for (int r = 0; r < rows; r++) workspace.Lengths[r] = random.Next(1, c.Steps + 1);
        }
    }

    public GradientCase Case { get; }

    public Network<double> Network => network;

    /// <summary>Every tensor's largest difference between analytic and finite-difference gradients.</summary>
    public IReadOnlyList<TensorDifference> Compare()
    {
        var gradients = new double[network.Parameters.Length];
        network.Forward(workspace, rows, dropout);
        network.Backward(workspace, rows, 1.0, gradients);
        var inputGradient = workspace.InputGradient.AsSpan(0, Case.Steps * rows * Case.Inputs).ToArray();
        int recurrentLayers = network.Shape.RecurrentLayers;
        var outputGradients = Enumerable.Range(0, recurrentLayers).Select(l => workspace.InitialOutputGradient(l, rows).ToArray()).ToArray();
        var stateGradients = Enumerable.Range(0, recurrentLayers).Select(l => workspace.InitialStateGradient(l, rows).ToArray()).ToArray();

        var differences = new List<TensorDifference>();
        foreach (var tensor in network.Shape.Tensors)
        {
            differences.Add(Worst(tensor.Name, tensor.Length, i => gradients[tensor.Offset + i], i => ref network.Parameters[tensor.Offset + i], refresh: true));
        }

        differences.Add(Worst("input", inputGradient.Length, i => inputGradient[i], i => ref workspace.Input[i], refresh: false));
        for (int layer = 0; layer < recurrentLayers; layer++)
        {
            int l = layer;
            var output = outputGradients[l];
            var state = stateGradients[l];
            differences.Add(Worst($"initial_output_l{l}", output.Length, i => output[i], i => ref workspace.InitialOutput(l, rows)[i], refresh: false));
            differences.Add(Worst($"initial_state_l{l}", state.Length, i => state[i], i => ref workspace.InitialState(l, rows)[i], refresh: false));
        }

        return differences;
    }

    /// <summary>Mixed tolerance: |analytic - reference| &lt;= relative · max(|reference|, scale) per tensor.</summary>
    public static string? Violations(IReadOnlyList<TensorDifference> differences, double relative, double scale = 1e-3)
    {
        var failing = differences.Where(d => d.Absolute > relative * Math.Max(Math.Abs(d.Reference), scale)).ToList();
        if (failing.Count == 0) return null;
        var message = new StringBuilder("largest difference per tensor:");
        foreach (var d in differences)
        {
            message.Append($"\n  {d.Tensor,-22} analytic {d.Analytic,14:E6} finite-difference {d.Reference,14:E6} at [{d.Index}] diff {d.Absolute:E2}{(failing.Contains(d) ? "  <-- FAILS" : "")}");
        }

        return message.ToString();
    }

    private delegate ref double Slot(int index);

    private TensorDifference Worst(string name, int length, Func<int, double> analytic, Slot slot, bool refresh)
    {
        var worst = new TensorDifference(name, 0, 0, -1);
        double worstScore = -1;
        for (int i = 0; i < length; i++)
        {
            ref double value = ref slot(i);
            double original = value;
            value = original + Step;
            double plus = Loss(refresh);
            value = original - Step;
            double minus = Loss(refresh);
            value = original;
            double reference = (plus - minus) / (2 * Step);
            double a = analytic(i);
            double score = Math.Abs(a - reference) / Math.Max(Math.Abs(reference), 1e-3);
            if (score > worstScore)
            {
                worstScore = score;
                worst = new TensorDifference(name, a, reference, i);
            }
        }

        if (refresh) network.ParametersChanged();
        return worst;
    }

    private double Loss(bool refresh)
    {
        if (refresh) network.ParametersChanged();
        network.Forward(workspace, rows, dropout);
        var head = network.Shape.Head;
        int outputs = head.Outputs, predictions = network.Predictions(rows);
        double loss = 0;
        for (int p = 0; p < predictions; p++)
        {
            // A per-step prediction past its row's length (p = t*n + b, t >= length) is padding: no loss.
            if (head.PerStep && p / rows >= workspace.Lengths[p % rows]) continue;
            var row = workspace.Outputs.AsSpan(p * outputs, outputs);
            if (head.Classifies)
            {
                double max = double.NegativeInfinity;
                foreach (var v in row) max = Math.Max(max, v);
                double sum = 0;
                foreach (var v in row) sum += Math.Exp(v - max);
                loss += max + Math.Log(sum) - row[workspace.Labels[p]];
            }
            else
            {
                for (int k = 0; k < outputs; k++)
                {
                    double y = row[k], t = workspace.Targets[p * outputs + k];
                    loss += brokenLoss?.Invoke(head, y, t) ?? (y - t) * (y - t);
                }
            }
        }

        return loss;
    }

    private static void Fill<T>(Random random, Span<T> values, double scale) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++) values[i] = T.CreateTruncating(scale * (2 * random.NextDouble() - 1));
    }

    public void Dispose()
    {
        workspace.Dispose();
        network.Dispose();
    }
}
