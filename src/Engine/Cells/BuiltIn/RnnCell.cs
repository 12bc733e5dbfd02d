namespace SimdRnn.Cells;

/// <summary>The Elman RNN (PyTorch <c>nn.RNN</c>, tanh): h' = tanh(x·W_ih + h·W_hh + b).</summary>
[RecurrentCell("rnn", Description = "Elman RNN with tanh (PyTorch nn.RNN)")]
[Gate("a", Activation.Tanh)]
[Output("h", "a")]
public sealed partial class RnnCell;
