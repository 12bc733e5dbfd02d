namespace SimdRnn.Cells;

/// <summary>
/// The GRU of PyTorch <c>nn.GRU</c> and cuDNN: gates r, z, n; the reset gate scales the candidate's recurrent
/// projection (reset after the matrix product).
/// </summary>
[RecurrentCell("gru", Description = "Gated recurrent unit (PyTorch nn.GRU / cuDNN, gates r z n, reset after)")]
[Gate("r", Activation.Sigmoid)]
[Gate("z", Activation.Sigmoid)]
[Gate("n", Activation.Tanh, PreActivation = "x_n + r * h_n")]
[Output("h", "(1 - z) * n + z * h")]
public sealed partial class GruCell;
