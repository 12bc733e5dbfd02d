using SimdRnn.Cells;
using SimdRnn.Model;

namespace SimdRnn.Export;

/// <summary>What a layer gives the next: its output at every step, its output at the last step, its final states.</summary>
/// <param name="Sequence">[T, B, H], or null when not asked for.</param>
/// <param name="Last">[B, H], the output after the last step.</param>
/// <param name="States">[B, H] each: the final output, then the cell's states in spec order.</param>
internal sealed record OnnxLayerOutput(string? Sequence, string Last, string[] States);

/// <summary>
/// One recurrent layer as ONNX nodes over a sequence-major input [T, B, I]: the RNN, LSTM or GRU operator
/// where the cell is exactly one of those, else a Scan whose body is the cell's own step, rebuilt from
/// <see cref="CellInfo.ForwardGraph"/>.
/// </summary>
internal static class OnnxLayers
{
    // initial: [B, H] each, the output then the states; null to start from zeros.
    // zeros: a [B, H] zero tensor, built on first call (Scan takes explicit initial values).
    // lengths: each row's length, or null when every row has all T steps. Past a row's length its output and
    // states stay as they were, so the sequence output there repeats the row's last output (as SimdRnn's).
    public static OnnxLayerOutput Emit(OnnxGraphBuilder graph, NetworkShape shape, float[] parameters, int layer, string x, string[]? initial, OnnxLengths? lengths, bool needSequence, Func<string> zeros)
    {
        var info = shape.Cell.Info;
        return OnnxRecurrentOperator.For(info) is { } op
            ? EmitOperator(graph, shape, parameters, layer, op, x, initial, lengths, needSequence)
            : EmitScan(graph, shape, parameters, layer, x, initial ?? [.. Enumerable.Repeat(0, 1 + info.StateCount).Select(_ => zeros())], lengths);
    }

    private static OnnxLayerOutput EmitOperator(OnnxGraphBuilder graph, NetworkShape shape, float[] parameters, int layer, OnnxRecurrentOperator op, string x, string[]? initial, OnnxLengths? lengths, bool needSequence)
    {
        int hidden = shape.Hidden, directions = shape.Directions, inputs = shape.LayerInputs(shape.RecurrentLayer(layer, 0)), gates = op.GateOrder.Length;
        string l = $"l{layer}_";

        // W, R, B stacked [directions, ...]: forward, then reverse (PyTorch's "_reverse" tensors).
        var directionTensors = Enumerable.Range(0, directions).Select(d => shape.LayerParameters[shape.RecurrentLayer(layer, d)]).ToArray();
        string w = graph.Floats(l + "W", [directions, gates * hidden, inputs], [.. directionTensors.SelectMany(t => Reorder(t.WeightIh.Of(parameters), op.GateOrder, hidden * inputs))]);
        string r = graph.Floats(l + "R", [directions, gates * hidden, hidden], [.. directionTensors.SelectMany(t => Reorder(t.WeightHh.Of(parameters), op.GateOrder, hidden * hidden))]);
        string b = graph.Floats(l + "B", [directions, 2 * gates * hidden],
            [.. directionTensors.SelectMany(t => (float[])[.. Reorder(t.BiasIh.Of(parameters), op.GateOrder, hidden), .. Reorder(t.BiasHh.Of(parameters), op.GateOrder, hidden)])]);

        var operands = new List<string> { x, w, r, b };
        if (initial is not null || lengths is not null)
        {
            operands.Add(lengths?.Lengths ?? "");   // sequence_lens: "" when every sequence has all T steps
        }

        if (initial is not null) operands.AddRange(initial.Select(state => graph.Unsqueeze(state, 0)));

        bool streaming = initial is not null;
        string y = needSequence ? graph.Fresh(l + "Y") : "";
        string yh = graph.Fresh(l + "Y_h");
        var results = new List<string> { y, yh };
        if (op.OpType == "LSTM")
        {
            results.Add(streaming ? graph.Fresh(l + "Y_c") : "");
        }

        // Bidirectional: the operator's activation lists name each direction's activations, forward then reverse.
        var attributes = op.Attributes.Select(a => directions == 2 && a.Name == "activations" ? a with { Strings = [.. a.Strings!, .. a.Strings!] } : a);
        OnnxAttribute[] direction = directions == 2 ? [new OnnxAttribute("direction", String: "bidirectional")] : [];
        graph.NodeTo(op.OpType, [.. operands], [.. results], [new OnnxAttribute("hidden_size", Int: hidden), .. direction, .. attributes]);

        if (directions == 1)
        {
            // Y [T, 1, B, H], Y_h and Y_c [1, B, H]: drop the direction axis.
            string last = graph.Squeeze(yh, 0);
            var states = new List<string> { last };
            if (op.OpType == "LSTM" && streaming)
            {
                states.Add(graph.Squeeze(results[2], 0));
            }

            if (!needSequence) return new OnnxLayerOutput(null, last, [.. states]);

            // ONNX's Y is zero past a row's length, where SimdRnn's output stays the last step's: Y_h, the last valid step.
            string sequence = graph.Squeeze(y, 1);
            if (lengths is not null) sequence = graph.Node("Where", [lengths.Valid, sequence, last]);
            return new OnnxLayerOutput(sequence, last, [.. states]);
        }

        // Y_h [2, B, H] -> [B, 2, H] -> [B, 2H]: [forward h_n, reverse h_n], what the last-step head reads.
        string features = graph.Node("Reshape", [graph.Transpose(yh, 1, 0, 2), graph.Int64s(0, 2 * hidden)]);
        if (!needSequence) return new OnnxLayerOutput(null, features, []);

        // Past a row's length SimdRnn's forward half repeats the row's last output and its reverse half is zero:
        // where a step is not valid, take Y_h times [1, 0] per direction.
        string all = y;
        if (lengths is not null)
        {
            string fill = graph.Node("Mul", [yh, graph.Floats(l + "forward_only", [2, 1, 1], [1f, 0f])]);       // [2, B, H]
            all = graph.Node("Where", [graph.Unsqueeze(lengths.Valid, 1), y, fill]);                            // [T, 2, B, H]
        }

        // Y [T, 2, B, H] -> [T, B, 2, H] -> [T, B, 2H]: each step [forward, reverse], what the next layer reads.
        string sequenceBoth = graph.Node("Reshape", [graph.Transpose(all, 0, 2, 1, 3), graph.Int64s(0, 0, 2 * hidden)]);
        return new OnnxLayerOutput(sequenceBoth, features, []);
    }

    /// <summary>Gate blocks of <paramref name="block"/> values each, in ONNX's order.</summary>
    private static float[] Reorder(ReadOnlySpan<float> source, int[] order, int block)
    {
        var result = new float[source.Length];
        for (int j = 0; j < order.Length; j++)
        {
            source.Slice(order[j] * block, block).CopyTo(result.AsSpan(j * block, block));
        }

        return result;
    }

    private static OnnxLayerOutput EmitScan(OnnxGraphBuilder graph, NetworkShape shape, float[] parameters, int layer, string x, string[] initial, OnnxLengths? lengths)
    {
        var forward = EmitScan(graph, shape, parameters, layer, 0, x, initial, lengths);
        if (shape.Directions == 1) return forward;

        // [forward, reverse] at each step [T, B, 2H], and the two final outputs [B, 2H] (PyTorch's h_n).
        var reverse = EmitScan(graph, shape, parameters, layer, 1, x, initial, lengths);
        string sequence = graph.Node("Concat", [forward.Sequence!, reverse.Sequence!], new OnnxAttribute("axis", Int: 2));
        string last = graph.Node("Concat", [forward.Last, reverse.Last], new OnnxAttribute("axis", Int: 1));
        return new OnnxLayerOutput(sequence, last, []);
    }

    // One direction. The reverse one scans each row's valid steps from its last: with every row T long, Scan's
    // own reverse directions; with lengths, ReverseSequence (which reverses each row's first length steps) before
    // and after a masked forward scan, then zeros past each length, as SimdRnn's reverse output is there.
    private static OnnxLayerOutput EmitScan(OnnxGraphBuilder graph, NetworkShape shape, float[] parameters, int layer, int direction, string x, string[] initial, OnnxLengths? lengths)
    {
        var info = shape.Cell.Info;
        int recurrent = shape.RecurrentLayer(layer, direction);
        var tensors = shape.LayerParameters[recurrent];
        int hidden = shape.Hidden, inputs = shape.LayerInputs(recurrent);
        string l = direction == 0 ? $"l{layer}_" : $"l{layer}_reverse_";

        // The input projection of every step at once, outside the loop: XP [T, B, G*H] = X · weight_ih^T + bias_ih.
        string weightIh = graph.Floats(l + "weight_ih_T", [inputs, info.GateCount * hidden], Transpose(tensors.WeightIh.Of(parameters), info.GateCount * hidden, inputs));
        string biasIh = graph.Floats(l + "bias_ih", [info.GateCount * hidden], tensors.BiasIh.Of(parameters).ToArray());
        string xp = graph.Add(graph.MatMul(x, weightIh), biasIh);

        bool reverse = direction == 1;
        if (reverse && lengths is not null) xp = Reversed(graph, xp, lengths);

        var body = ScanBody(shape, parameters, recurrent, l + "step_", masked: lengths is not null);
        int carried = 1 + info.StateCount;
        string[] results = [.. Enumerable.Range(0, carried).Select(i => graph.Fresh(l + "state")), graph.Fresh(l + "Y")];
        string[] scanned = lengths is null ? [xp] : [xp, lengths.Valid];
        OnnxAttribute[] directions = reverse && lengths is null
            ? [new OnnxAttribute("scan_input_directions", Ints: [1]), new OnnxAttribute("scan_output_directions", Ints: [1])]
            : [];
        graph.NodeTo("Scan", [.. initial, .. scanned], results,
            [new OnnxAttribute("body", Graph: body), new OnnxAttribute("num_scan_inputs", Int: scanned.Length), .. directions]);
        string y = results[^1];
        if (reverse && lengths is not null) y = graph.Node("Where", [lengths.Valid, Reversed(graph, y, lengths), graph.Scalar(0f)]);
        return new OnnxLayerOutput(y, results[0], results[..carried]);
    }

    /// <summary>[T, B, n] with each row's first length steps in reverse order (the rest as they were).</summary>
    private static string Reversed(OnnxGraphBuilder graph, string sequence, OnnxLengths lengths) =>
        graph.Node("ReverseSequence", [sequence, lengths.Lengths64], new OnnxAttribute("batch_axis", Int: 1), new OnnxAttribute("time_axis", Int: 0));

    /// <summary>
    /// The Scan body: inputs the previous output and states [B, H] and this step's input projection [B, G*H];
    /// outputs the new output and states, and the output again as the scan output. Weights are the body's own
    /// initializers. Masked: a second scan input, valid [B, 1] bool, keeps a row's previous values where false.
    /// </summary>
    private static OnnxGraph ScanBody(NetworkShape shape, float[] parameters, int recurrent, string prefix, bool masked)
    {
        var info = shape.Cell.Info;
        var tensors = shape.LayerParameters[recurrent];
        int hidden = shape.Hidden;
        var body = new OnnxGraphBuilder($"{info.Name}_{prefix.TrimEnd('_')}", prefix);
        OnnxDim[] rowDims = ["batch", hidden];
        string hPrev = body.Fresh("h_prev");
        body.Input(hPrev, rowDims);
        var statesPrev = info.States.Select(s => body.Fresh(s.Name + "_prev")).ToArray();
        foreach (var state in statesPrev) body.Input(state, rowDims);
        string xp = body.Fresh("xp");
        body.Input(xp, ["batch", info.GateCount * hidden]);
        string? valid = masked ? body.Fresh("valid") : null;
        if (valid is not null) body.Input(valid, ["batch", 1], OnnxType.Bool);
        string Kept(string next, string previous) => valid is null ? next : body.Node("Where", [valid, next, previous]);

        int ro = info.OutputRecurrentGates, re = info.ExpressionRecurrentGates;
        string Projection(string input, string name, int firstBlock, int blocks)
        {
            string weight = body.Floats(name + "_T", [hidden, blocks * hidden], Transpose(tensors.WeightHh.Of(parameters).Slice(firstBlock * hidden * hidden, blocks * hidden * hidden), blocks * hidden, hidden));
            string bias = body.Floats(name + "_bias", [blocks * hidden], tensors.BiasHh.Of(parameters).Slice(firstBlock * hidden, blocks * hidden).ToArray());
            return body.Add(body.MatMul(input, weight), bias);
        }

        var buffers = new Dictionary<StepBuffer, string> { [StepBuffer.XProj] = xp, [StepBuffer.HPrev] = hPrev };
        if (ro > 0) buffers[StepBuffer.HProj] = Projection(hPrev, "weight_hh_output", 0, ro);
        var parameterValues = tensors.Elementwise.Select(t => body.Floats(t.Name.Replace('.', '_'), [hidden], t.Of(parameters).ToArray())).ToArray();
        var step = new OnnxStep(body, hidden, buffers, statesPrev, parameterValues);
        if (info.RecurrentInputGraph is { } recurrentInput)
        {
            string rinput = step.Emit(recurrentInput)[(StepBuffer.RInput, 0)];
            buffers[StepBuffer.RProj] = Projection(rinput, "weight_hh_expression", ro, re);
        }

        var stored = step.Emit(info.ForwardGraph);
        string hNew = Kept(stored[(StepBuffer.HNew, 0)], hPrev);
        var outputs = new List<string> { body.Fresh("h_next"), };
        body.NodeTo("Identity", [hNew], [outputs[0]]);
        for (int s = 0; s < info.StateCount; s++)
        {
            outputs.Add(body.Fresh(info.States[s].Name + "_next"));
            body.NodeTo("Identity", [Kept(stored[(StepBuffer.StateNew, s)], statesPrev[s])], [outputs[^1]]);
        }

        foreach (var output in outputs) body.Output(output, rowDims);
        string y = body.Fresh("y");
        body.NodeTo("Identity", [hNew], [y]);
        body.Output(y, rowDims);
        return body.Build($"{info.Name}: {info.OutputName} = {info.Output}");
    }

    /// <summary>[rows, cols] row-major to [cols, rows].</summary>
    internal static float[] Transpose(ReadOnlySpan<float> source, int rows, int cols)
    {
        var result = new float[source.Length];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                result[j * rows + i] = source[i * cols + j];
            }
        }

        return result;
    }
}
