using SimdRnn.Cells;

namespace SimdRnn.Tests.Export;

// Cells declared in the test project, as a user declares them in theirs: the generator runs here too, so these
// export through their own generated step graphs with no engine change.

/// <summary>samples/CustomCell's JANET, the same spec.</summary>
[RecurrentCell("janet", Description = "JANET: an LSTM with only a forget gate (sample cell)")]
[Gate("f", Activation.Sigmoid, BiasInit = 1f)]
[Gate("g", Activation.Tanh)]
[Output("h", "f * h + (1 - sigmoid(x_f + h_f - 1)) * g")]
public sealed partial class JanetCell;

/// <summary>Every operation a step graph has that the built-in cells leave out (hard sigmoid, exp, division, negation).</summary>
[RecurrentCell("every-op", Description = "test: hard sigmoid, exp, division, negation, a parameter and a state")]
[Gate("a", Activation.HardSigmoid)]
[Gate("b", Activation.Identity)]
[Parameter("w", InitLow = 0.2f, InitHigh = 0.8f)]
[State("s", "a * s + (1 - a) * tanh(b) / (1 + exp(-b) * w)")]
[Output("h", "-relu(-s) + s * 0.5")]
public sealed partial class EveryOpCell;
