namespace SimdRnn.Cells;

/// <summary>The independently recurrent network (Li et al., 2018): each unit sees only its own previous output.</summary>
[RecurrentCell("indrnn", Description = "IndRNN: relu with an elementwise recurrent weight")]
[Gate("a", Activation.Relu, PreActivation = "x_a + u * h")]
[Parameter("u", InitLow = 0f, InitHigh = 1f)]
[Output("h", "a")]
public sealed partial class IndRnnCell;
