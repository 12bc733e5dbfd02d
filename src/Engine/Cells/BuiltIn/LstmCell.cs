namespace SimdRnn.Cells;

/// <summary>The LSTM of PyTorch <c>nn.LSTM</c>: gates i, f, g, o in PyTorch's order; the forget bias starts at 1.</summary>
[RecurrentCell("lstm", Description = "Long short-term memory (PyTorch nn.LSTM, gates i f g o)")]
[Gate("i", Activation.Sigmoid)]
[Gate("f", Activation.Sigmoid, BiasInit = 1f)]
[Gate("g", Activation.Tanh)]
[Gate("o", Activation.Sigmoid)]
[State("c", "f * c + i * g")]
[Output("h", "o * tanh(c)")]
public sealed partial class LstmCell;
