using SimdRnn.Cells;
using SimdRnn.Inference;
using SimdRnn.IO;
using SimdRnn.Model;

namespace SimdRnn.Export;

/// <summary>What to export.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The ONNX operator set, <see cref="OnnxExporter.MinOpset"/>..<see cref="OnnxExporter.MaxOpset"/>.</summary>
    public int Opset { get; init; } = OnnxExporter.DefaultOpset;

    /// <summary>
    /// False: the whole-sequence model, <c>input [batch, steps, inputs]</c> to the head's output (for a last-step
    /// classifier <c>probabilities [batch, classes]</c>; see <see cref="OnnxExporter.OutputName"/>).
    /// True: one step, with every layer's output and states as inputs and outputs (ONNX Runtime keeps no state
    /// between runs), for the use of <c>InferenceSession.Step</c>.
    /// </summary>
    public bool Streaming { get; init; }

    /// <summary>
    /// The sequence model takes a second input, <c>sequence_lens [batch]</c> int32, each sequence's length 1..steps
    /// (as ONNX's RNN, LSTM and GRU operators take it): steps past a sequence's length leave its output and states
    /// unchanged, as <c>InferenceSession.Predict</c> with lengths does. Not for the streaming model (one step long).
    /// </summary>
    public bool SequenceLengths { get; init; }
}

/// <summary>
/// Writes a network as an ONNX model. Layers of rnn, rnn-relu, lstm and gru become ONNX's RNN, LSTM and GRU
/// operators (in ONNX's gate orders, GRU with <c>linear_before_reset = 1</c>); every other cell, a user's own
/// included, becomes a Scan whose body is the cell's step rebuilt from its generated <see cref="CellInfo.ForwardGraph"/>.
/// The graph takes SimdRnn's batch-major input and transposes it to the sequence-major layout ONNX Runtime's
/// recurrent kernels take.
/// </summary>
public static class OnnxExporter
{
    public const int MinOpset = 13;

    public const int MaxOpset = 22;

    public const int DefaultOpset = 17;

    /// <summary>The model's input: [batch, steps, inputs] (streaming: [batch, inputs]).</summary>
    public const string InputName = "input";

    /// <summary>The sequence model's lengths input with <see cref="OnnxExportOptions.SequenceLengths"/>: [batch] int32, each 1..steps.</summary>
    public const string SequenceLengthsName = "sequence_lens";

    /// <summary>A classifying head's output: [batch, classes] (per-step heads: [batch, steps, classes]), each row summing to 1.</summary>
    public const string ProbabilitiesName = "probabilities";

    /// <summary>A regression head's output: [batch, K] (per-step heads: [batch, steps, K]).</summary>
    public const string ValuesName = "values";

    /// <summary>The model's output for this head: <see cref="ProbabilitiesName"/> or <see cref="ValuesName"/>.</summary>
    public static string OutputName(Head head) => head.Classifies ? ProbabilitiesName : ValuesName;

    /// <summary>The streaming model's carried values of one layer: the cell's output, then its states (e.g. h, c).</summary>
    public static IReadOnlyList<string> CarriedNames(CellInfo info) => [info.OutputName, .. info.States.Select(s => s.Name)];

    /// <summary>The streaming model's input holding a carried value before the step, e.g. <c>h_0</c>.</summary>
    public static string StateInputName(int layer, string carried) => $"{carried}_{layer}";

    /// <summary>The streaming model's output holding a carried value after the step, e.g. <c>h_0_next</c>.</summary>
    public static string StateOutputName(int layer, string carried) => $"{carried}_{layer}_next";

    /// <exception cref="ArgumentOutOfRangeException">The opset is outside <see cref="MinOpset"/>..<see cref="MaxOpset"/>.</exception>
    public static void CheckOpset(int opset)
    {
        if (opset is < MinOpset or > MaxOpset)
        {
            throw new ArgumentOutOfRangeException(nameof(opset), opset, $"expected an ONNX opset from {MinOpset} to {MaxOpset}, found {opset}");
        }
    }

    /// <summary>
    /// Throws unless this shape exports with these options: a bidirectional model has no streaming export (its
    /// reverse direction reads each sequence from its end), and the streaming model takes no lengths.
    /// </summary>
    /// <exception cref="NotSupportedException">The export is not possible or not implemented; the message is one line.</exception>
    public static void ThrowIfNotExported(NetworkShape shape, OnnxExportOptions options)
    {
        if (options.Streaming && options.SequenceLengths)
        {
            throw new NotSupportedException("the streaming (one-step) model takes no sequence lengths: stop stepping a stream at its end");
        }

        if (shape.Bidirectional && options.Streaming)
        {
            throw new NotSupportedException("a bidirectional model has no streaming (one-step) export: its reverse direction reads each sequence from its end; export the sequence model");
        }
    }

    /// <summary>The model as ONNX protobuf bytes.</summary>
    /// <exception cref="NotSupportedException">See <see cref="ThrowIfNotExported"/>.</exception>
    public static byte[] Export(NetworkShape shape, ReadOnlySpan<float> parameters, OnnxExportOptions? options = null)
    {
        options ??= new OnnxExportOptions();
        CheckOpset(options.Opset);
        if (parameters.Length != shape.ParameterCount)
        {
            throw new ArgumentException($"expected {shape.ParameterCount} parameters for this shape, found {parameters.Length}", nameof(parameters));
        }

        ThrowIfNotExported(shape, options);
        var values = parameters.ToArray();
        var info = shape.Cell.Info;
        var graph = new OnnxGraphBuilder(options.Streaming ? $"simdrnn_{info.Name}_step" : $"simdrnn_{info.Name}", "");
        string x;
        if (options.Streaming)
        {
            graph.Input(InputName, ["batch", shape.Inputs]);
            x = graph.Unsqueeze(InputName, 0);                        // [1, B, I]: a sequence of one step
        }
        else
        {
            graph.Input(InputName, ["batch", "steps", shape.Inputs]);
            x = graph.Transpose(InputName, 1, 0, 2);                  // [B, T, I] -> [T, B, I]
        }

        OnnxLengths? lengths = null;
        if (options.SequenceLengths)
        {
            graph.Input(SequenceLengthsName, ["batch"], OnnxType.Int32);
            lengths = new OnnxLengths(graph, SequenceLengthsName);
        }

        string? zeros = null;
        string Zeros() => zeros ??= BatchZeros(graph, shape.Hidden);
        OnnxLayerOutput? top = null;
        for (int layer = 0; layer < shape.Layers; layer++)
        {
            string[]? initial = null;
            if (options.Streaming)
            {
                initial = [.. CarriedNames(info).Select(name => StateInputName(layer, name))];
                foreach (var name in initial) graph.Input(name, ["batch", shape.Hidden]);
            }

            bool needSequence = layer < shape.Layers - 1 || OnnxHead.ReadsEveryStep(shape, options.Streaming);
            top = OnnxLayers.Emit(graph, shape, values, layer, x, initial, lengths, needSequence, Zeros);
            if (options.Streaming)
            {
                if (top.States.Length != initial!.Length) throw new InvalidOperationException("a layer's carried values do not match its inputs");
                for (int i = 0; i < initial.Length; i++)
                {
                    string name = StateOutputName(layer, CarriedNames(info)[i]);
                    graph.NodeTo("Identity", [top.States[i]], [name]);
                    graph.Output(name, ["batch", shape.Hidden]);
                }
            }

            x = top.Sequence ?? "";
        }

        OnnxHead.Emit(graph, shape, values, top!, options.Streaming);
        var doc = $"SimdRnn {info.Name}: {string.Join("; ", info.Gates.Select(g => $"{g.Name} = {g.Activation}({g.PreActivation})").Concat(info.States.Select(s => $"{s.Name} = {s.Update}")))}; {info.OutputName} = {info.Output}";
        var model = new OnnxModelProto(IrVersion(options.Opset), options.Opset, "simdrnn", ModelFile.EngineVersion, graph.Build(), Metadata(shape, options), doc);
        return OnnxEncoding.Encode(model);
    }

    /// <summary>Exports a network and its parameters to <paramref name="path"/>, atomically.</summary>
    public static void Save(string path, NetworkShape shape, ReadOnlySpan<float> parameters, OnnxExportOptions? options = null)
    {
        var bytes = Export(shape, parameters, options);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Exports a loaded inference model to <paramref name="path"/>, atomically.</summary>
    public static void Save(string path, InferenceModel model, OnnxExportOptions? options = null) => Save(path, model.Shape, model.Parameters, options);

    /// <summary>The IR version that came with each opset (ONNX 1.8: opset 13, IR 7; ... 1.17: opset 22, IR 10).</summary>
    private static long IrVersion(int opset) => opset switch
    {
        <= 14 => 7,
        <= 18 => 8,
        <= 20 => 9,
        _ => 10,
    };

    /// <summary>A [B, H] zero tensor with the input's batch size: Scan takes its initial values as inputs.</summary>
    private static string BatchZeros(OnnxGraphBuilder graph, int hidden)
    {
        string batch = graph.Slice(graph.Node("Shape", [InputName]), 0, 1, 0);
        string shape = graph.Node("Concat", [batch, graph.Int64s(hidden)], new OnnxAttribute("axis", Int: 0));
        return graph.Node("ConstantOfShape", [shape], new OnnxAttribute("value", Tensor: new OnnxTensor("", [1], OnnxType.Float, Floats: [0f])));
    }

    private static KeyValuePair<string, string>[] Metadata(NetworkShape shape, OnnxExportOptions options) =>
    [
        new("simdrnn.cell", shape.Cell.Info.Name),
        new("simdrnn.spec_hash", shape.Cell.Info.SpecHash),
        new("simdrnn.hidden", shape.Hidden.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("simdrnn.layers", shape.Layers.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("simdrnn.directions", shape.Directions.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("simdrnn.steps", shape.Steps.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("simdrnn.head", shape.Head.Name),
        new("simdrnn.model", options.Streaming ? "streaming" : "sequence"),
        new("simdrnn.sequence_lens", options.SequenceLengths ? "input" : "none"),
    ];
}

/// <summary>
/// The lengths input <c>sequence_lens</c> [B] int32 and, built on first use, the mask of valid steps [T, B, 1]
/// (bool: step t of row b is within its length) that Scan bodies and per-step outputs read.
/// </summary>
internal sealed class OnnxLengths(OnnxGraphBuilder graph, string lengths)
{
    private string? valid;
    private string? lengths64;

    /// <summary>[B] int32, as ONNX's recurrent operators take it.</summary>
    public string Lengths => lengths;

    /// <summary>[B] int64, as ReverseSequence takes it.</summary>
    public string Lengths64 => lengths64 ??= graph.Node("Cast", [lengths], new OnnxAttribute("to", Int: (long)OnnxType.Int64));

    /// <summary>[T, B, 1] bool: t &lt; sequence_lens[b].</summary>
    public string Valid => valid ??= Build();

    private string Build()
    {
        string steps = graph.Squeeze(graph.Slice(graph.Node("Shape", [OnnxExporter.InputName]), 1, 2, 0), 0);
        string t = graph.Node("Range", [graph.Int64Scalar(0), steps, graph.Int64Scalar(1)]);                 // [T]
        string less = graph.Node("Less", [graph.Unsqueeze(t, 1), graph.Unsqueeze(Lengths64, 0)]);             // [T, B]
        return graph.Unsqueeze(less, 2);
    }
}
