namespace SimdRnn.Cells;

/// <summary>
/// The GRU of TensorFlow 1 <c>GRUCell</c>: the reset gate scales the previous output before the candidate's
/// recurrent matrix product (reset before), and the update gate keeps the old output where it is 1.
/// </summary>
[RecurrentCell("gru-tf", Description = "Gated recurrent unit as TF1 GRUCell (reset before the recurrent product)")]
[Gate("r", Activation.Sigmoid, BiasInit = 1f)]
[Gate("z", Activation.Sigmoid, BiasInit = 1f)]
[Gate("n", Activation.Tanh, RecurrentInput = "r * h")]
[Output("h", "z * h + (1 - z) * n")]
public sealed partial class GruTfCell;
