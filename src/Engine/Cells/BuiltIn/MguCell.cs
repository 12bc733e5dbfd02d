namespace SimdRnn.Cells;

/// <summary>The minimal gated unit (Zhou et al., 2016): one forget gate doubles as the reset gate.</summary>
[RecurrentCell("mgu", Description = "Minimal gated unit: a GRU with a single forget gate")]
[Gate("f", Activation.Sigmoid)]
[Gate("n", Activation.Tanh, RecurrentInput = "f * h")]
[Output("h", "(1 - f) * h + f * n")]
public sealed partial class MguCell;
