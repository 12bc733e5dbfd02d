using SimdRnn.Cells;

namespace CustomCell;

/// <summary>
/// JANET (van der Westhuizen and Lasenby, 2018, "The unreasonable effectiveness of the forget gate"): an LSTM
/// with only a forget gate, whose output is its cell state. The input is let in by 1 - sigmoid(s - 1), s being
/// the forget gate's pre-activation: the paper's shift (beta = 1) makes a little more room for the new value
/// than 1 - f would.
/// </summary>
[RecurrentCell("janet", Description = "JANET: an LSTM with only a forget gate (sample cell)")]
[Gate("f", Activation.Sigmoid, BiasInit = 1f)]
[Gate("g", Activation.Tanh)]
[Output("h", "f * h + (1 - sigmoid(x_f + h_f - 1)) * g")]
public sealed partial class JanetCell;
