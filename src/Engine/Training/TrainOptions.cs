namespace SimdRnn.Training;

public enum LearningRateSchedule
{
    /// <summary>The learning rate stays as given.</summary>
    Constant,
    /// <summary>Cosine decay from the given rate to zero over all epochs, per batch.</summary>
    Cosine,
}

/// <summary>Everything that determines a training run; the same options and seed give the same numbers.</summary>
public sealed record TrainOptions
{
    public string Cell { get; init; } = "lstm";

    public int Hidden { get; init; } = 128;

    public int Layers { get; init; } = 1;

    /// <summary>Each layer runs forward and reverse over every sequence, outputs concatenated (PyTorch's bidirectional=True).</summary>
    public bool Bidirectional { get; init; }

    /// <summary>Dropout probability on each layer's output but the top one's, in training only (PyTorch's dropout), in [0, 1).</summary>
    public float Dropout { get; init; }

    public int Batch { get; init; } = 128;

    public float LearningRate { get; init; } = 0.001f;

    public int Epochs { get; init; } = 10;

    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>SGD momentum.</summary>
    public float Momentum { get; init; } = 0.9f;

    /// <summary>Global gradient-norm clip; 0 turns clipping off.</summary>
    public float Clip { get; init; } = 5f;

    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;

    public int Seed { get; init; } = 1;

    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Train on the first N training samples only.</summary>
    public int? Limit { get; init; }
}
