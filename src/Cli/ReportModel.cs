using System.Globalization;
using SimdRnn.Training;

namespace SimdRnn.Cli;

/// <summary>
/// The records of one or more sweeps, merged by key (a later record replaces an earlier one with the same
/// key), with the orderings the report and charts use.
/// </summary>
public sealed class ReportModel
{
    private readonly Dictionary<string, SweepRecord> byKey;

    public ReportModel(IEnumerable<SweepRecord> records)
    {
        var byKey = new Dictionary<string, SweepRecord>(StringComparer.Ordinal);
        int read = 0;
        foreach (var record in records)
        {
            byKey[record.Key] = record;
            read++;
        }

        Duplicates = read - byKey.Count;
        this.byKey = byKey;
        Records = byKey.Values.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        Ranked = Rank(Records);
        Longest = Rank(Records
            .GroupBy(r => r.Point)
            .Select(g => g.OrderByDescending(r => r.Cost.Length).ThenByDescending(r => r.Epochs).First()));
        EpochCounts = Records.Select(r => r.Epochs).Distinct().Order().ToList();
    }

    /// <summary>Every record, one per key, in key order.</summary>
    public IReadOnlyList<SweepRecord> Records { get; }

    /// <summary>Records read but replaced by a later one with the same key.</summary>
    public int Duplicates { get; }

    /// <summary>Best first: finished records by final test accuracy, then the diverged ones.</summary>
    public IReadOnlyList<SweepRecord> Ranked { get; }

    /// <summary>The record of each point with the most epochs (its whole training curve), best first.</summary>
    public IReadOnlyList<SweepRecord> Longest { get; }

    /// <summary>The epoch counts recorded, ascending.</summary>
    public IReadOnlyList<int> EpochCounts { get; }

    /// <summary>The record of <paramref name="point"/> at <paramref name="epochs"/>, if any.</summary>
    public SweepRecord? Find(SweepPoint point, int epochs) => byKey.GetValueOrDefault(point.Key(epochs));

    public IReadOnlyList<string> Cells => Records.Select(r => r.Cell).Distinct().ToList();

    /// <summary>The options other than the cell that take more than one value, by name (lr, batch, hidden, layers, seed, limit).</summary>
    public IReadOnlyList<string> Varying => Options.Where(o => Records.Select(r => o.Value(r)).Distinct().Count() > 1).Select(o => o.Name).ToList();

    /// <summary>The options other than the cell that take one value, as <c>batch 128</c>.</summary>
    public IReadOnlyList<string> Constant => Options
        .Where(o => Records.Count > 0 && !Varying.Contains(o.Name))
        .Select(o => $"{o.Name} {o.Value(Records[0])}")
        .ToList();

    /// <summary>The varying options of <paramref name="record"/>, as <c>lr 0.01, hidden 128</c>; its lr when none vary.</summary>
    public string Label(SweepRecord record) => Describe(record, Varying.Count == 0 ? ["lr"] : Varying);

    /// <summary>The options of <paramref name="record"/> named in <paramref name="names"/>, as <c>lr 0.01, hidden 128</c>.</summary>
    public static string Describe(SweepRecord record, IReadOnlyCollection<string> names) =>
        string.Join(", ", Options.Where(o => names.Contains(o.Name)).Select(o => $"{o.Name} {o.Value(record)}"));

    /// <summary>The reason without the "Training diverged:" prefix and the advice, for a table cell.</summary>
    public static string ShortReason(string? reason)
    {
        if (string.IsNullOrEmpty(reason)) return "diverged";
        return DivergenceCheck.WithoutPrefix(reason.Replace(DivergenceCheck.Suggestion, "", StringComparison.Ordinal).Trim());
    }

    // Finished records by final test accuracy, best first, then the diverged ones; ties in key order.
    private static List<SweepRecord> Rank(IEnumerable<SweepRecord> records) => records
        .OrderBy(r => r.IsDiverged)
        .ThenByDescending(r => r.IsDiverged ? double.NegativeInfinity : r.FinalAccuracy ?? double.NegativeInfinity)
        .ThenBy(r => r.Key, StringComparer.Ordinal)
        .ToList();

    private static readonly (string Name, Func<SweepRecord, string> Value)[] Options =
    [
        ("lr", r => r.LearningRate.ToString("R", CultureInfo.InvariantCulture)),
        ("batch", r => r.Batch.ToString(CultureInfo.InvariantCulture)),
        ("hidden", r => r.Hidden.ToString(CultureInfo.InvariantCulture)),
        ("layers", r => r.Layers.ToString(CultureInfo.InvariantCulture)),
        ("seed", r => r.Seed.ToString(CultureInfo.InvariantCulture)),
        ("limit", r => r.Limit is int limit ? limit.ToString(CultureInfo.InvariantCulture) : "all"),
    ];
}
