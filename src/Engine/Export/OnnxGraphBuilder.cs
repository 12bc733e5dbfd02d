using System.Globalization;

namespace SimdRnn.Export;

/// <summary>
/// Builds one ONNX graph: nodes with unique names, initializers (small int64 and scalar constants shared), inputs
/// and outputs. Every name starts with the builder's prefix, so a subgraph's names never shadow its parent's.
/// </summary>
internal sealed class OnnxGraphBuilder(string name, string prefix)
{
    private readonly List<OnnxNode> nodes = [];
    private readonly List<OnnxTensor> initializers = [];
    private readonly List<OnnxValue> inputs = [];
    private readonly List<OnnxValue> outputs = [];
    private readonly Dictionary<string, string> constants = [];
    private int count;

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string op, string[] operands, params OnnxAttribute[] attributes) => Node(op, operands, 1, attributes)[0];

    /// <summary>Adds a node and returns its outputs' names.</summary>
    public string[] Node(string op, string[] operands, int outputCount, params OnnxAttribute[] attributes)
    {
        string node = $"{prefix}{op}_{count++}";
        var results = Enumerable.Range(0, outputCount).Select(i => outputCount == 1 ? node : $"{node}_{i}").ToArray();
        nodes.Add(new OnnxNode(op, node, operands, results, attributes));
        return results;
    }

    /// <summary>A new value name, for a node whose outputs are chosen one by one (an optional output left out is "").</summary>
    public string Fresh(string what) => $"{prefix}{what}_{count++}";

    /// <summary>Adds a node writing the named outputs (a graph output keeps its public name).</summary>
    public void NodeTo(string op, string[] operands, string[] results, params OnnxAttribute[] attributes) =>
        nodes.Add(new OnnxNode(op, $"{prefix}{op}_{count++}", operands, results, attributes));

    /// <summary>A float initializer named <paramref name="tensor"/> (prefixed).</summary>
    public string Floats(string tensor, long[] dims, float[] values)
    {
        string full = prefix + tensor;
        initializers.Add(new OnnxTensor(full, dims, OnnxType.Float, Floats: values));
        return full;
    }

    /// <summary>A 1-D int64 constant (axes, slice bounds, shapes), one initializer per distinct value list.</summary>
    public string Int64s(params long[] values)
    {
        string key = "i:" + string.Join(",", values);
        if (!constants.TryGetValue(key, out var existing))
        {
            existing = $"{prefix}ints_{constants.Count}";
            initializers.Add(new OnnxTensor(existing, [values.Length], OnnxType.Int64, Int64s: values));
            constants[key] = existing;
        }

        return existing;
    }

    /// <summary>A float scalar, one initializer per distinct value.</summary>
    public string Scalar(float value)
    {
        string key = "f:" + value.ToString("R", CultureInfo.InvariantCulture);
        if (!constants.TryGetValue(key, out var existing))
        {
            existing = $"{prefix}const_{constants.Count}";
            initializers.Add(new OnnxTensor(existing, [], OnnxType.Float, Floats: [value]));
            constants[key] = existing;
        }

        return existing;
    }

    /// <summary>An int64 scalar (Range's bounds), one initializer per distinct value.</summary>
    public string Int64Scalar(long value)
    {
        string key = "s:" + value.ToString(CultureInfo.InvariantCulture);
        if (!constants.TryGetValue(key, out var existing))
        {
            existing = $"{prefix}scalar_{constants.Count}";
            initializers.Add(new OnnxTensor(existing, [], OnnxType.Int64, Int64s: [value]));
            constants[key] = existing;
        }

        return existing;
    }

    public void Input(string value, OnnxDim[]? dims, OnnxType type = OnnxType.Float) => inputs.Add(new OnnxValue(value, dims, type));

    public void Output(string value, OnnxDim[]? dims) => outputs.Add(new OnnxValue(value, dims));

    public OnnxGraph Build(string doc = "") => new(name, nodes.ToArray(), initializers.ToArray(), inputs.ToArray(), outputs.ToArray(), doc);

    // Shorthands for the operators the exporter uses, with the opset 13+ signatures (axes and bounds as inputs).

    public string Slice(string data, long start, long end, long axis) => Node("Slice", [data, Int64s(start), Int64s(end), Int64s(axis)]);

    public string Squeeze(string data, long axis) => Node("Squeeze", [data, Int64s(axis)]);

    public string Unsqueeze(string data, long axis) => Node("Unsqueeze", [data, Int64s(axis)]);

    public string Transpose(string data, params long[] permutation) => Node("Transpose", [data], new OnnxAttribute("perm", Ints: permutation));

    public string Add(string a, string b) => Node("Add", [a, b]);

    public string MatMul(string a, string b) => Node("MatMul", [a, b]);
}
