using SimdRnn.Cells;

namespace SimdRnn.Model;

/// <summary>
/// The architecture: stacked recurrent layers of one cell over sequences of up to <see cref="Steps"/> steps of
/// <see cref="Inputs"/> values, each layer one direction or two (<see cref="Bidirectional"/>: forward and
/// reverse, outputs concatenated as PyTorch's, <see cref="Features"/> wide), then the <see cref="Head"/>: a
/// dense layer from the top layer's output (after each sequence's last step, or at every step) to
/// <see cref="Outputs"/> values. It fixes the parameter layout.
/// </summary>
public sealed class NetworkShape
{
    /// <summary>A last-step classifier of <paramref name="classes"/> classes (today's MNIST network).</summary>
    public NetworkShape(CellEntry cell, int steps, int inputs, int hidden, int layers, int classes, bool bidirectional = false)
        : this(cell, steps, inputs, hidden, layers, Model.Head.Classify(classes), bidirectional)
    {
    }

    public NetworkShape(CellEntry cell, int steps, int inputs, int hidden, int layers, Head head, bool bidirectional = false)
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
        Bidirectional = bidirectional;
        Directions = bidirectional ? 2 : 1;

        var info = cell.Info;

        // The layout below counts in int: a size too large for one buffer would wrap around silently.
        long count = (long)outputs * Directions * hidden + outputs;
        for (int layer = 0; layer < layers && count <= Array.MaxLength; layer++)
        {
            long layerInputs = layer == 0 ? inputs : (long)Directions * hidden;
            count += Directions * ((long)info.GateCount * hidden * (layerInputs + 1) + (long)info.RecurrentGates * hidden * (hidden + 1) + (long)info.ParameterCount * hidden);
        }

        if (count > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(hidden),
                $"A {cell.Info.Name} network with {layers} layer(s) of {hidden} hidden units, {inputs} inputs and {outputs} {(head.Classifies ? "classes" : "outputs")} has more than {Array.MaxLength} parameters, more than one buffer holds; use fewer hidden units or layers (or fewer classes: CSV data takes one more than its largest label).");
        }

        var names = info.Parameters.Select(p => p.Name).ToArray();
        var tensors = new List<ParameterTensor>();
        int offset = 0;
        var layerParameters = new LayerParameters[layers * Directions];
        for (int layer = 0; layer < layers; layer++)
        {
            // PyTorch's state_dict order: a layer's forward tensors, then its reverse ones ("_reverse").
            for (int direction = 0; direction < Directions; direction++)
            {
                layerParameters[RecurrentLayer(layer, direction)] = new LayerParameters(layer, direction == 1 ? "_reverse" : "", info.GateCount, info.RecurrentGates,
                    info.ParameterCount, LayerInputs(RecurrentLayer(layer, direction)), hidden, names, ref offset, tensors);
            }
        }

        LayerParameters = layerParameters;
        HeadWeight = ParameterTensor.Append("fc.weight", [outputs, Features], ref offset, tensors);
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

    /// <summary>Whether each layer runs a reverse direction beside the forward one.</summary>
    public bool Bidirectional { get; }

    /// <summary>1, or 2 when <see cref="Bidirectional"/>.</summary>
    public int Directions { get; }

    /// <summary>F: the width of a layer's output, Directions * H (forward, then reverse).</summary>
    public int Features => Directions * Hidden;

    /// <summary>Recurrent layers of one direction each: Layers * Directions, indexed by <see cref="RecurrentLayer"/>.</summary>
    public int RecurrentLayers => Layers * Directions;

    /// <summary>The index of stacked layer <paramref name="layer"/>'s direction (0 forward, 1 reverse) among the <see cref="RecurrentLayers"/>.</summary>
    public int RecurrentLayer(int layer, int direction) => layer * Directions + direction;

    /// <summary>One entry per recurrent layer, indexed by <see cref="RecurrentLayer"/>.</summary>
    public IReadOnlyList<LayerParameters> LayerParameters { get; }

    public ParameterTensor HeadWeight { get; }   // [O, F]

    public ParameterTensor HeadBias { get; }     // [O]

    /// <summary>Every tensor in buffer order.</summary>
    public IReadOnlyList<ParameterTensor> Tensors { get; }

    public int ParameterCount { get; }

    /// <summary>The input width of recurrent layer <paramref name="recurrentLayer"/>: I for the first stacked layer, F above it.</summary>
    public int LayerInputs(int recurrentLayer) => recurrentLayer < Directions ? Inputs : Features;
}
