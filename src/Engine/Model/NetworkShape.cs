using SimdRnn.Cells;

namespace SimdRnn.Model;

/// <summary>
/// The architecture: stacked recurrent layers of one cell over sequences of <see cref="Steps"/> steps of
/// <see cref="Inputs"/> values, the top layer's last hidden state through a dense layer to
/// <see cref="Classes"/> logits. It fixes the parameter layout.
/// </summary>
public sealed class NetworkShape
{
    public NetworkShape(CellEntry cell, int steps, int inputs, int hidden, int layers, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Cell = cell;
        Steps = steps;
        Inputs = inputs;
        Hidden = hidden;
        Layers = layers;
        Classes = classes;

        var info = cell.Info;

        // The layout below counts in int: a size too large for one buffer would wrap around silently.
        long count = (long)classes * hidden + classes;
        for (int layer = 0; layer < layers && count <= Array.MaxLength; layer++)
        {
            long layerInputs = layer == 0 ? inputs : hidden;
            count += (long)info.GateCount * hidden * (layerInputs + 1) + (long)info.RecurrentGates * hidden * (hidden + 1) + (long)info.ParameterCount * hidden;
        }

        if (count > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(hidden),
                $"A {cell.Info.Name} network with {layers} layer(s) of {hidden} hidden units, {inputs} inputs and {classes} classes has more than {Array.MaxLength} parameters, more than one buffer holds; use fewer hidden units or layers (or fewer classes: CSV data takes one more than its largest label).");
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
        HeadWeight = ParameterTensor.Append("fc.weight", [classes, hidden], ref offset, tensors);
        HeadBias = ParameterTensor.Append("fc.bias", [classes], ref offset, tensors);
        Tensors = tensors;
        ParameterCount = offset;
    }

    public CellEntry Cell { get; }

    public int Steps { get; }

    public int Inputs { get; }

    public int Hidden { get; }

    public int Layers { get; }

    public int Classes { get; }

    public IReadOnlyList<LayerParameters> LayerParameters { get; }

    public ParameterTensor HeadWeight { get; }   // [C, H]

    public ParameterTensor HeadBias { get; }     // [C]

    /// <summary>Every tensor in buffer order.</summary>
    public IReadOnlyList<ParameterTensor> Tensors { get; }

    public int ParameterCount { get; }

    public int LayerInputs(int layer) => layer == 0 ? Inputs : Hidden;
}
