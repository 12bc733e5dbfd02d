namespace SimdRnn.Model;

/// <summary>What the network predicts, and so which loss trains it and which metric judges it.</summary>
public enum HeadKind
{
    /// <summary>One class per sequence from the last step (softmax cross-entropy; accuracy).</summary>
    Classify,

    /// <summary>One class per time step (softmax cross-entropy over every step; per-step accuracy).</summary>
    Tag,

    /// <summary>K numbers per sequence from the last step (mean squared error; RMSE and MAE).</summary>
    Regress,

    /// <summary>K numbers per time step (mean squared error over every step; RMSE and MAE).</summary>
    RegressSteps,
}

/// <summary>
/// The dense layer on top of the recurrent layers (<c>fc</c>, as PyTorch's <c>nn.Linear(H, O)</c>) and its loss.
/// A last-step head reads the top layer's output after the last step, [n, H] -> [n, O]; a per-step head reads the
/// output of every step as one product over all T*n rows, [T, n, H] -> [T, n, O]. <see cref="Outputs"/> (O) is the
/// number of classes for <see cref="HeadKind.Classify"/> and <see cref="HeadKind.Tag"/>, the number of values K
/// for the regressions.
/// </summary>
public sealed record Head
{
    public Head(HeadKind kind, int outputs)
    {
        if (kind is < HeadKind.Classify or > HeadKind.RegressSteps) throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown head kind.");
        int minimum = kind is HeadKind.Classify or HeadKind.Tag ? 2 : 1;
        if (outputs < minimum)
        {
            throw new ArgumentOutOfRangeException(nameof(outputs), outputs,
                minimum == 2 ? "A classification head needs at least 2 classes." : "A regression head needs at least 1 output.");
        }

        Kind = kind;
        Outputs = outputs;
    }

    public HeadKind Kind { get; }

    /// <summary>O: classes, or values per prediction.</summary>
    public int Outputs { get; }

    /// <summary>Whether the head predicts at every step ([T, n, O]) rather than once per sequence ([n, O]).</summary>
    public bool PerStep => Kind is HeadKind.Tag or HeadKind.RegressSteps;

    /// <summary>Whether the outputs are class logits (softmax cross-entropy) rather than values (squared error).</summary>
    public bool Classifies => Kind is HeadKind.Classify or HeadKind.Tag;

    /// <summary>The name used by <c>--task</c> and in model files: classify, tag, regress, regress-steps.</summary>
    public string Name => NameOf(Kind);

    /// <summary>Predictions per sequence: T for a per-step head, else 1.</summary>
    public int PredictionsPerSequence(int steps) => PerStep ? steps : 1;

    public static Head Classify(int classes) => new(HeadKind.Classify, classes);

    public static string NameOf(HeadKind kind) => kind switch
    {
        HeadKind.Classify => "classify",
        HeadKind.Tag => "tag",
        HeadKind.Regress => "regress",
        HeadKind.RegressSteps => "regress-steps",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Every kind with its name, in declaration order.</summary>
    public static IReadOnlyList<(string Name, HeadKind Kind)> Kinds { get; } =
        [.. new[] { HeadKind.Classify, HeadKind.Tag, HeadKind.Regress, HeadKind.RegressSteps }.Select(kind => (NameOf(kind), kind))];

    /// <summary>The kind named <paramref name="name"/>, or null.</summary>
    public static HeadKind? KindNamed(string name)
    {
        foreach (var (known, kind) in Kinds)
        {
            if (known == name) return kind;
        }

        return null;
    }

    public override string ToString() => $"{Name} ({Outputs} {(Classifies ? "classes" : "outputs")})";
}
