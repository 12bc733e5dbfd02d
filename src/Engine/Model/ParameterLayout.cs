namespace SimdRnn.Model;

/// <summary>One named tensor inside the flat parameter buffer, named as in a PyTorch state_dict.</summary>
public sealed record ParameterTensor(string Name, int Offset, int[] Shape)
{
    public int Length => Shape.Aggregate(1, (product, dimension) => product * dimension);

    public Span<T> Of<T>(T[] buffer) => buffer.AsSpan(Offset, Length);

    public Span<T> Of<T>(Span<T> buffer) => buffer.Slice(Offset, Length);

    internal static ParameterTensor Append(string name, int[] shape, ref int offset, List<ParameterTensor> all)
    {
        var tensor = new ParameterTensor(name, offset, shape);
        offset += tensor.Length;
        all.Add(tensor);
        return tensor;
    }
}

/// <summary>
/// Where each layer's tensors sit in the one flat buffer that holds all parameters (and, in the same layout,
/// their gradients and the optimizer's moments), so the optimizer is one loop and a checkpoint one write.
/// </summary>
public sealed class LayerParameters
{
    internal LayerParameters(int layer, string suffix, int gates, int recurrentGates, int parameters, int inputs, int hidden, IReadOnlyList<string> parameterNames, ref int offset, List<ParameterTensor> all)
    {
        WeightIh = ParameterTensor.Append($"rnn.weight_ih_l{layer}{suffix}", [gates * hidden, inputs], ref offset, all);
        WeightHh = ParameterTensor.Append($"rnn.weight_hh_l{layer}{suffix}", [recurrentGates * hidden, hidden], ref offset, all);
        BiasIh = ParameterTensor.Append($"rnn.bias_ih_l{layer}{suffix}", [gates * hidden], ref offset, all);
        BiasHh = ParameterTensor.Append($"rnn.bias_hh_l{layer}{suffix}", [recurrentGates * hidden], ref offset, all);
        ParametersOffset = offset;
        var elementwise = new ParameterTensor[parameterNames.Count];
        for (int p = 0; p < elementwise.Length; p++) elementwise[p] = ParameterTensor.Append($"rnn.{parameterNames[p]}_l{layer}{suffix}", [hidden], ref offset, all);
        Elementwise = elementwise;
        ElementwiseLength = parameters * hidden;
    }

    public ParameterTensor WeightIh { get; }    // [G*H, I]

    public ParameterTensor WeightHh { get; }    // [R*H, H]

    public ParameterTensor BiasIh { get; }      // [G*H]

    public ParameterTensor BiasHh { get; }      // [R*H]

    public IReadOnlyList<ParameterTensor> Elementwise { get; }   // P tensors of [H], contiguous

    public int ParametersOffset { get; }

    public int ElementwiseLength { get; }
}
