namespace SimdRnn.Cells;

/// <summary>The Elman RNN with relu (PyTorch <c>nn.RNN(nonlinearity="relu")</c>).</summary>
[RecurrentCell("rnn-relu", Description = "Elman RNN with relu (PyTorch nn.RNN, nonlinearity='relu')")]
[Gate("a", Activation.Relu)]
[Output("h", "a")]
public sealed partial class RnnReluCell;
