using SimdRnn.Cells;

namespace SimdRnn.Export;

/// <summary>
/// A cell that is exactly one of ONNX's recurrent operators, with the operator's gate order: block j of ONNX's
/// W, R and B is SimdRnn's (PyTorch's) gate <c>GateOrder[j]</c>.
/// </summary>
internal sealed record OnnxRecurrentOperator(string OpType, int[] GateOrder, OnnxAttribute[] Attributes)
{
    private static readonly OnnxRecurrentOperator Rnn = new("RNN", [0], [new OnnxAttribute("activations", Strings: ["Tanh"])]);
    private static readonly OnnxRecurrentOperator RnnRelu = new("RNN", [0], [new OnnxAttribute("activations", Strings: ["Relu"])]);

    // PyTorch i f g o -> ONNX i o f c.
    private static readonly OnnxRecurrentOperator Lstm = new("LSTM", [0, 3, 1, 2], []);

    // PyTorch r z n -> ONNX z r h; PyTorch's GRU applies r after the recurrent product (h = tanh(x_n + r * h_n)).
    private static readonly OnnxRecurrentOperator Gru = new("GRU", [1, 0, 2], [new OnnxAttribute("linear_before_reset", Int: 1)]);

    /// <summary>
    /// The operator computing exactly this cell, or null (then the layer is a Scan over the cell's own step). A
    /// cell matches by its spec hash, so a renamed or edited copy of a built-in spec goes the general way.
    /// </summary>
    public static OnnxRecurrentOperator? For(CellInfo info) => info.SpecHash switch
    {
        _ when info.SpecHash == RnnCell.Info.SpecHash => Rnn,
        _ when info.SpecHash == RnnReluCell.Info.SpecHash => RnnRelu,
        _ when info.SpecHash == LstmCell.Info.SpecHash => Lstm,
        _ when info.SpecHash == GruCell.Info.SpecHash => Gru,
        _ => null,
    };
}
