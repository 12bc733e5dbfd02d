using SimdRnn.Model;

namespace SimdRnn.Export;

/// <summary>The network's head as ONNX nodes, from the top layer's outputs to the model's output: every <see cref="HeadKind"/>.</summary>
internal static class OnnxHead
{
    /// <summary>
    /// Whether the head reads the top layer's output at every step. The streaming model is one step long, so a
    /// per-step head reads that step's output, as <c>InferenceSession.Step</c> does.
    /// </summary>
    public static bool ReadsEveryStep(NetworkShape shape, bool streaming) => shape.Head.PerStep && !streaming;

    /// <summary>
    /// <c>fc</c> on the last output [B, F] (F = Directions * H; a last-step head, or any head in the streaming model) giving [B, O], or
    /// on every step's output [T, B, F] giving [B, T, O] (batch-major, as <c>InferenceSession.Predict</c> writes
    /// it); then softmax over the O classes for a classifying head. Written to <see cref="OnnxExporter.OutputName"/>.
    /// </summary>
    public static void Emit(OnnxGraphBuilder graph, NetworkShape shape, float[] parameters, OnnxLayerOutput top, bool streaming)
    {
        var head = shape.Head;
        int outputs = head.Outputs;
        string name = OnnxExporter.OutputName(head);
        string bias = graph.Floats("fc_bias", [outputs], shape.HeadBias.Of(parameters).ToArray());
        string values;
        OnnxDim[] dims;
        if (ReadsEveryStep(shape, streaming))
        {
            // One product over all T*B rows: [T, B, F] · fc.weight^T [F, O] + fc.bias.
            string weight = graph.Floats("fc_weight_T", [shape.Features, outputs], OnnxLayers.Transpose(shape.HeadWeight.Of(parameters), outputs, shape.Features));
            values = graph.Add(graph.MatMul(top.Sequence!, weight), bias);
            if (head.Classifies) values = graph.Node("Softmax", [values], new OnnxAttribute("axis", Int: 2));
            graph.NodeTo("Transpose", [values], [name], new OnnxAttribute("perm", Ints: [1, 0, 2]));
            dims = ["batch", "steps", outputs];
        }
        else
        {
            string weight = graph.Floats("fc_weight", [outputs, shape.Features], shape.HeadWeight.Of(parameters).ToArray());
            values = graph.Node("Gemm", [top.Last, weight, bias], new OnnxAttribute("transB", Int: 1));
            graph.NodeTo(head.Classifies ? "Softmax" : "Identity", [values], [name], head.Classifies ? [new OnnxAttribute("axis", Int: 1)] : []);
            dims = ["batch", outputs];
        }

        graph.Output(name, dims);
    }
}
