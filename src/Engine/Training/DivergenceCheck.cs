using System.Globalization;

namespace SimdRnn.Training;

/// <summary>
/// Decides whether a run should stop because training has gone wrong, and says why in words a user can act
/// on. Two signs: the loss stopped being finite, or after an epoch the test accuracy of a classifying head is
/// still at chance level (below 1.5 / classes, so 0.15 for ten digits) while the epoch's training loss is no
/// better than a uniform guess's (at least 0.99 ln(classes) nats): the weights are not learning. A run at chance
/// whose loss is falling below that is learning slowly, as an LSTM does for its first epochs on pixel-by-pixel
/// MNIST, and goes on.
/// </summary>
public static class DivergenceCheck
{
    public const string Suggestion = "Try a lower learning rate (--lr 0.001) or gradient clipping (--clip 5).";

    /// <summary>How every reason <see cref="Check(EpochResult, double, int)"/> gives begins.</summary>
    public const string Prefix = "Training diverged: ";

    /// <summary>A reason without <see cref="Prefix"/>, for a message that says in its own words what happens next.</summary>
    public static string WithoutPrefix(string reason) => reason.StartsWith(Prefix, StringComparison.Ordinal) ? reason[Prefix.Length..] : reason;

    /// <summary>
    /// The reason to stop after <paramref name="epoch"/>, or null to go on; <paramref name="evaluation"/> is the
    /// evaluation after it, or null to check the loss alone (before evaluating). Only classifying heads have a chance level.
    /// </summary>
    public static string? Check(EpochResult epoch, Evaluation? evaluation) =>
        evaluation is { Accuracy: double accuracy, Head: var head }
            ? Check(epoch, accuracy, head.Outputs)
            : Check(epoch, double.NaN, 2);

    /// <summary>
    /// The reason to stop after <paramref name="epoch"/>, or null to go on. Pass a NaN
    /// <paramref name="testAccuracy"/> to check the loss alone (before evaluating). A run cancelled with a
    /// finite loss is not a divergence, nor is one cancelled before its first batch (no samples, a NaN cost).
    /// </summary>
    public static string? Check(EpochResult epoch, double testAccuracy, int classes)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);

        bool trainedNothing = !epoch.Completed && epoch.SamplesPerSecond == 0;
        if (!double.IsFinite(epoch.Cost) && !trainedNothing)
        {
            string became = double.IsNaN(epoch.Cost) ? "NaN" : "infinite";
            return string.Create(CultureInfo.InvariantCulture,
                $"{Prefix}the loss became {became} in epoch {epoch.Epoch}. {Suggestion}");
        }

        double chance = 1.0 / classes;
        if (epoch.Completed && epoch.Epoch >= 1 && double.IsFinite(testAccuracy) && testAccuracy < 1.5 * chance && epoch.Cost >= UniformGuessLoss(classes))
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"{Prefix}test accuracy {testAccuracy:F4} is at chance level ({chance:F2}) after epoch {epoch.Epoch}: the network is not learning. {Suggestion}");
        }

        return null;
    }

    /// <summary>
    /// The training loss from which a run at chance level counts as not learning: 0.99 of ln(classes), the cross-entropy
    /// of a uniform guess. A network that has learnt only the class frequencies sits just below ln(classes) (2.301
    /// against 2.303 for MNIST's digits), inside the margin; one that has learnt anything of the inputs is below it.
    /// </summary>
    public static double UniformGuessLoss(int classes) => 0.99 * Math.Log(classes);
}
