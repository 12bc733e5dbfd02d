using System.Globalization;
using System.Text;

namespace SimdRnn.Cli;

/// <summary><c>report.md</c>: a summary line, the table of every record best first, and the charts.</summary>
public static class ReportMarkdown
{
    public const string FileName = "report.md";

    public static string Write(ReportModel model, IReadOnlyList<string> sources, IReadOnlyList<(string Cell, string File)> curves, string? summaryFile)
    {
        var text = new StringBuilder();
        int diverged = model.Records.Count(r => r.IsDiverged), points = model.Longest.Count;
        text.AppendLine("# Sweep report").AppendLine();
        text.Append(Invariant($"{model.Records.Count} records of {points} points from {string.Join(", ", sources.Select(s => $"`{s}`"))}"))
            .Append(Invariant($"; {diverged} diverged."));
        if (model.Ranked.FirstOrDefault(r => !r.IsDiverged) is { } best)
        {
            text.Append(Invariant($" Best record: {best.Cell}, {ReportModel.Describe(best, ["lr", "batch", "hidden", "layers", "seed"])}, {best.Epochs} epochs, test accuracy {best.FinalAccuracy:F4}."));
        }

        text.AppendLine().AppendLine();
        if (model.Records.Count > 0)
        {
            var first = model.Records[0];
            text.AppendLine(Invariant($"Adam with a {first.Schedule} learning rate and gradient clipping at {first.Clip}; test accuracy on all 10,000 test images after the last epoch; time is training only, without evaluation."))
                .AppendLine();
        }

        text.AppendLine("## Points, best first").AppendLine();
        text.AppendLine("One row per point, ranked by test accuracy after its largest epoch count; the smaller counts were recorded on the way.").AppendLine();
        text.AppendLine(Table(model)).AppendLine();

        if (curves.Count > 0)
        {
            text.AppendLine("## Training curves").AppendLine();
            foreach (var (cell, file) in curves) text.AppendLine($"![{cell}: cost and test accuracy per epoch]({file})").AppendLine();
        }

        if (summaryFile is not null)
        {
            text.AppendLine("## Accuracy by learning rate and hidden units").AppendLine();
            text.AppendLine($"![Test accuracy by learning rate and hidden units]({summaryFile})").AppendLine();
        }

        return text.ToString();
    }

    /// <summary>
    /// The table of every point, best first by test accuracy after its largest epoch count, with a column of
    /// test accuracy per epoch count; diverged points last, marked in bold with the reason.
    /// </summary>
    public static string Table(ReportModel model)
    {
        var text = new StringBuilder();
        var counts = model.EpochCounts;
        text.Append("| rank | cell | lr | batch | hidden | layers | seed | limit |");
        foreach (int count in counts) text.Append(Invariant($" accuracy, {count} epoch{(count == 1 ? "" : "s")} |"));
        text.AppendLine(" last cost | train time | samples/s | status |");
        text.Append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |").Append(string.Concat(counts.Select(_ => " ---: |"))).Append(" ---: | ---: | ---: | --- |");
        int rank = 0;
        foreach (var r in model.Longest)
        {
            string place = r.IsDiverged ? "–" : (++rank).ToString(CultureInfo.InvariantCulture);
            string limit = r.Limit is int l ? Invariant($"{l:N0}") : "all";
            text.AppendLine().Append(Invariant(
                $"| {place} | {r.Cell} | {r.LearningRate.ToString("R", CultureInfo.InvariantCulture)} | {r.Batch} | {r.Hidden} | {r.Layers} | {r.Seed} | {limit} |"));
            foreach (int count in counts) text.Append(' ').Append(Accuracy(model.Find(r.Point, count))).Append(" |");
            double lastCost = r.Cost.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Last();
            string cost = double.IsFinite(lastCost) ? Invariant($"{lastCost:F4}") : "–";
            string status = r.IsDiverged ? $"**diverged**: {ReportModel.ShortReason(r.Reason)}" : "done";
            text.Append(Invariant($" {cost} | {r.Seconds:F1} s | {r.SamplesPerSecond:N0} | {status.Replace("|", "\\|", StringComparison.Ordinal)} |"));
        }

        return text.ToString();
    }

    private static string Accuracy(SweepRecord? record) => record switch
    {
        null => "",
        { IsDiverged: true } => "diverged",
        { FinalAccuracy: double a } when double.IsFinite(a) => Invariant($"{a:F4}"),
        _ => "–",
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
