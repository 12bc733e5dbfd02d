using SimdRnn.Training;

namespace SimdRnn.IO;

/// <summary>
/// An optimizer's state, to resume training where it stopped: its steps and its buffers, each laid out like the
/// parameters (Adam: <c>adam.m</c>, <c>adam.v</c>; SGD: <c>sgd.velocity</c>). Saved as tensors
/// <c>optimizer.{buffer}.{parameter tensor}</c>.
/// </summary>
public sealed record OptimizerState(OptimizerKind Kind, long Steps, IReadOnlyList<float[]> Buffers)
{
    /// <summary>The buffer names of <paramref name="kind"/>, in the order of <see cref="Buffers"/>.</summary>
    public static IReadOnlyList<string> BufferNames(OptimizerKind kind) => kind switch
    {
        OptimizerKind.Adam => ["adam.m", "adam.v"],
        _ => ["sgd.velocity"],
    };

    /// <summary>The <c>optimizer</c> metadata value: <c>adam</c> or <c>sgd</c>.</summary>
    public static string KindName(OptimizerKind kind) => kind == OptimizerKind.Adam ? "adam" : "sgd";

    public static bool TryParseKind(string name, out OptimizerKind kind)
    {
        kind = name == "sgd" ? OptimizerKind.Sgd : OptimizerKind.Adam;
        return name is "adam" or "sgd";
    }

    /// <summary>A copy of the state of <paramref name="optimizer"/> (an <see cref="Adam"/> or <see cref="Sgd"/>).</summary>
    public static OptimizerState Capture(IOptimizer optimizer) => optimizer switch
    {
        Adam adam => new(OptimizerKind.Adam, adam.Steps, [(float[])adam.FirstMoment.Clone(), (float[])adam.SecondMoment.Clone()]),
        Sgd sgd => new(OptimizerKind.Sgd, sgd.Steps, [(float[])sgd.Velocity.Clone()]),
        _ => throw new NotSupportedException($"Optimizer {optimizer.GetType().Name} has no saved form."),
    };

    /// <summary>Copies this state into <paramref name="optimizer"/>, which must be of the same kind and size.</summary>
    public void RestoreInto(IOptimizer optimizer)
    {
        switch (optimizer)
        {
            case Adam adam when Kind == OptimizerKind.Adam:
                Buffers[0].CopyTo(adam.FirstMoment.AsSpan());
                Buffers[1].CopyTo(adam.SecondMoment.AsSpan());
                adam.Steps = Steps;
                break;
            case Sgd sgd when Kind == OptimizerKind.Sgd:
                Buffers[0].CopyTo(sgd.Velocity.AsSpan());
                sgd.Steps = Steps;
                break;
            default:
                throw new ArgumentException($"Cannot restore {KindName(Kind)} state into {optimizer.GetType().Name}.", nameof(optimizer));
        }
    }
}
