namespace SimdRnn.Cells;

/// <summary>The LSTM with coupled input and forget gates (CIFG, Greff et al., 2017): the input gate is 1 - f.</summary>
[RecurrentCell("cifg-lstm", Description = "LSTM with coupled input and forget gates (input = 1 - forget)")]
[Gate("f", Activation.Sigmoid, BiasInit = 1f)]
[Gate("g", Activation.Tanh)]
[Gate("o", Activation.Sigmoid)]
[State("c", "f * c + (1 - f) * g")]
[Output("h", "o * tanh(c)")]
public sealed partial class CifgLstmCell;
