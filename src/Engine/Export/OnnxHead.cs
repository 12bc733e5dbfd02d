using SimdRnn.Model;

namespace SimdRnn.Export;

/// <summary>The network's head as ONNX nodes, from the top layer's outputs to the model's output.</summary>
internal static class OnnxHead
{
    /// <summary>Whether the head reads the top layer's output at every step (not only the last).</summary>
    public static bool ReadsEveryStep(NetworkShape shape) => false;

    /// <summary>
    /// The last-step classifier: <c>probabilities [B, C] = softmax(h[T-1] · fc.weight^T + fc.bias)</c>, the same
    /// probabilities <c>InferenceSession</c> gives.
    /// </summary>
    public static void Emit(OnnxGraphBuilder graph, NetworkShape shape, float[] parameters, OnnxLayerOutput top)
    {
        string weight = graph.Floats("fc_weight", [shape.Classes, shape.Hidden], shape.HeadWeight.Of(parameters).ToArray());
        string bias = graph.Floats("fc_bias", [shape.Classes], shape.HeadBias.Of(parameters).ToArray());
        string logits = graph.Node("Gemm", [top.Last, weight, bias], new OnnxAttribute("transB", Int: 1));
        graph.NodeTo("Softmax", [logits], [OnnxExporter.ProbabilitiesName], new OnnxAttribute("axis", Int: 1));
        graph.Output(OnnxExporter.ProbabilitiesName, ["batch", shape.Classes]);
    }
}
