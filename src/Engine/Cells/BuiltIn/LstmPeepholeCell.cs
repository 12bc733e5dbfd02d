namespace SimdRnn.Cells;

/// <summary>
/// The LSTM with peephole connections (Gers and Schmidhuber, 2000): the input and forget gates see the previous
/// cell state, the output gate sees the new one, each through an elementwise weight vector.
/// </summary>
[RecurrentCell("lstm-peephole", Description = "LSTM with peephole connections to the cell state")]
[Gate("i", Activation.Sigmoid, PreActivation = "x_i + h_i + p_i * c")]
[Gate("f", Activation.Sigmoid, PreActivation = "x_f + h_f + p_f * c", BiasInit = 1f)]
[Gate("g", Activation.Tanh)]
[Gate("o", Activation.Sigmoid, PreActivation = "x_o + h_o + p_o * c'")]
[State("c", "f * c + i * g")]
[Parameter("p_i")]
[Parameter("p_f")]
[Parameter("p_o")]
[Output("h", "o * tanh(c)")]
public sealed partial class LstmPeepholeCell;
