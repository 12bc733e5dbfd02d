using SimdRnn.Cells;

namespace SimdRnn.Model;

/// <summary>
/// The architecture: stacked recurrent layers of one cell over sequences of <see cref="Steps"/> steps of
/// <see cref="Inputs"/> values, then the <see cref="Head"/>: a dense layer from the top layer's output (after
/// the last step, or at every step) to <see cref="Outputs"/> values. It fixes the parameter layout.
/// </summary>
public sealed class NetworkShape
{
    /// <summary>A last-step classifier of <paramref name="classes"/> classes (today's MNIST network).</summary>
    public NetworkShape(CellEntry cell, int steps, int inputs, int hidden, int layers, int classes)
        : this(cell, steps, inputs, hidden, layers, Model.Head.Classify(classes))
    {
    }

    public NetworkShape(CellEntry cell, int steps, int inputs, int hidden, int layers, Head head)
    {
        ArgumentNullException.ThrowIfNull(head);
        int outputs = head.Outputs;
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        Cell = cell;
        Steps = steps;
        Inputs = inputs;
        Hidden = hidden;
        Layers = layers;
        Head = head;

        var info = cell.Info;

        // The layout below counts in int: a size too large for one buffer would wrap around silently.
        long count = (long)outputs * hidden + outputs;
        for (int layer = 0; layer < layers && count <= Array.MaxLength; layer++)
        {
            long layerInputs = layer == 0 ? inputs : hidden;
            count += (long)info.GateCount * hidden * (layerInputs + 1) + (long)info.RecurrentGates * hidden * (hidden + 1) + (long)info.ParameterCount * hidden;
        }

        if (count > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(hidden),
                $"A {cell.Info.Name} network with {layers} layer(s) of {hidden} hidden units, {inputs} inputs and {outputs} {(head.Classifies ? "classes" : "outputs")} has more than {Array.MaxLength} parameters, more than one buffer holds; use fewer hidden units or layers (or fewer classes: CSV data takes one more than its largest label).");
        }

        var names = info.Parameters.Select(p => p.Name).ToArray();
        var tensors = new List<ParameterTensor>();
        int offset = 0;
        var layerParameters = new LayerParameters[layers];
        for (int layer = 0; layer < layers; layer++)
        {
            layerParameters[layer] = new LayerParameters(layer, info.GateCount, info.RecurrentGates, info.ParameterCount,
                layer == 0 ? inputs : hidden, hidden, names, ref offset, tensors);
        }

        LayerParameters = layerParameters;
        HeadWeight = ParameterTensor.Append("fc.weight", [outputs, hidden], ref offset, tensors);
        HeadBias = ParameterTensor.Append("fc.bias", [outputs], ref offset, tensors);
        Tensors = tensors;
        ParameterCount = offset;
    }

    public CellEntry Cell { get; }

    public int Steps { get; }

    public int Inputs { get; }

    public int Hidden { get; }

    public int Layers { get; }

    /// <summary>What the network predicts from the recurrent layers' output.</summary>
    public Head Head { get; }

    /// <summary>O: the head's outputs per prediction (classes, or values).</summary>
    public int Outputs => Head.Outputs;

    /// <summary>Head outputs per sequence: O, or T*O for a per-step head.</summary>
    public int OutputsPerSequence => Head.PredictionsPerSequence(Steps) * Head.Outputs;

    public IReadOnlyList<LayerParameters> LayerParameters { get; }

    public ParameterTensor HeadWeight { get; }   // [O, H]

    public ParameterTensor HeadBias { get; }     // [O]

    /// <summary>Every tensor in buffer order.</summary>
    public IReadOnlyList<ParameterTensor> Tensors { get; }

    public int ParameterCount { get; }

    public int LayerInputs(int layer) => layer == 0 ? Inputs : Hidden;
}
