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
            text.Append(Invariant($" Best: {best.Cell}, {ReportModel.Describe(best, ["lr", "batch", "hidden", "layers", "seed"])}, {best.Epochs} epochs, test accuracy {best.FinalAccuracy:F4}."));
        }

        text.AppendLine().AppendLine();
        if (model.Records.Count > 0)
        {
            var first = model.Records[0];
            text.AppendLine(Invariant($"Adam with a {first.Schedule} learning rate and gradient clipping at {first.Clip}; test accuracy on all 10,000 test images after the last epoch; time is training only, without evaluation."))
                .AppendLine();
        }

        text.AppendLine("## Results, best first").AppendLine();
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

    /// <summary>The table of every record, best first; diverged records last, marked in bold with the reason.</summary>
    public static string Table(ReportModel model)
    {
        var text = new StringBuilder();
        text.AppendLine("| rank | cell | lr | batch | hidden | layers | seed | limit | epochs | test accuracy | last cost | train time | samples/s | status |");
        text.Append("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        int rank = 0;
        foreach (var r in model.Ranked)
        {
            string place = r.IsDiverged ? "–" : (++rank).ToString(CultureInfo.InvariantCulture);
            string accuracy = r.FinalAccuracy is double a && double.IsFinite(a) ? Invariant($"{a:F4}") : "–";
            string cost = r.Cost.Length > 0 && double.IsFinite(r.Cost[^1]) ? Invariant($"{r.Cost[^1]:F4}") : "–";
            string status = r.IsDiverged ? $"**diverged**: {ReportModel.ShortReason(r.Reason)}" : "done";
            string limit = r.Limit is int l ? Invariant($"{l:N0}") : "all";
            text.AppendLine().Append(Invariant(
                $"| {place} | {r.Cell} | {r.LearningRate.ToString("R", CultureInfo.InvariantCulture)} | {r.Batch} | {r.Hidden} | {r.Layers} | {r.Seed} | {limit} | {r.Epochs} | {accuracy} | {cost} | {r.Seconds:F1} s | {r.SamplesPerSecond:N0} | {status.Replace("|", "\\|", StringComparison.Ordinal)} |"));
        }

        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
