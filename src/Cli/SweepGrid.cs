using System.Globalization;

namespace SimdRnn.Cli;

/// <summary>
/// One training run of a sweep: everything but the epoch counts, which are checkpoints of the run.
/// Immutable, structural equality.
/// </summary>
public sealed record SweepPoint(string Cell, float LearningRate, int Batch, int Hidden, int Layers, int Seed, int? Limit)
{
    /// <summary>The stable key of the record this point writes after <paramref name="epochs"/> epochs.</summary>
    public string Key(int epochs) => string.Create(CultureInfo.InvariantCulture,
        $"cell={Cell} lr={LearningRate.ToString("R", CultureInfo.InvariantCulture)} batch={Batch} hidden={Hidden} layers={Layers} seed={Seed} limit={(Limit is int limit ? limit.ToString(CultureInfo.InvariantCulture) : "all")} epochs={epochs}");

    /// <summary><c>lstm lr 0.01 batch 128 hidden 128 layers 1 seed 1</c>, for progress and result lines.</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture,
        $"{Cell} lr {LearningRate.ToString("R", CultureInfo.InvariantCulture)} batch {Batch} hidden {Hidden} layers {Layers} seed {Seed}");
}

/// <summary>Which part of the grid this process runs: points whose index mod <see cref="Count"/> is <see cref="Index"/>.</summary>
public readonly record struct Shard(int Index, int Count)
{
    public static Shard All => new(0, 1);

    public bool Contains(int pointIndex) => pointIndex % Count == Index;

    /// <summary>Parses <c>i/n</c> with 0 &lt;= i &lt; n; throws a <see cref="UsageException"/> naming <c>--shard</c>.</summary>
    public static Shard Parse(string raw)
    {
        const string what = "i/n with 0 <= i < n, e.g. 0/4 for the first of four shards";
        int slash = raw.IndexOf('/');
        if (slash < 0
            || !int.TryParse(raw.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(raw.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || count < 1 || index >= count)
        {
            throw ParsedArguments.Expected("shard", what, raw);
        }

        return new Shard(index, count);
    }
}

/// <summary>
/// The grid of a sweep: the product of its lists. Points are in a fixed order, the nested loops
/// cell, lr, batch, hidden, layers, seed (seed varies fastest), each list in the order given, so that
/// <c>--shard i/n</c> means the same points on every machine that runs the same command.
/// </summary>
public sealed record SweepGrid(
    IReadOnlyList<string> Cells,
    IReadOnlyList<float> LearningRates,
    IReadOnlyList<int> Batches,
    IReadOnlyList<int> Hiddens,
    IReadOnlyList<int> Layers,
    IReadOnlyList<int> Seeds,
    IReadOnlyList<int> Epochs,
    int? Limit)
{
    /// <summary>Every point, in the documented order.</summary>
    public IReadOnlyList<SweepPoint> Points()
    {
        var points = new List<SweepPoint>();
        foreach (var cell in Cells)
        foreach (var lr in LearningRates)
        foreach (var batch in Batches)
        foreach (var hidden in Hiddens)
        foreach (var layers in Layers)
        foreach (var seed in Seeds)
        {
            points.Add(new SweepPoint(cell, lr, batch, hidden, layers, seed, Limit));
        }

        return points;
    }

    /// <summary>The points of <paramref name="shard"/>, with their index in the whole grid.</summary>
    public IReadOnlyList<(int Index, SweepPoint Point)> Points(Shard shard) =>
        Points().Select((point, index) => (index, point)).Where(p => shard.Contains(p.index)).ToList();

    /// <summary>The epoch counts, ascending: the run trains to the last and records each on the way.</summary>
    public IReadOnlyList<int> Checkpoints => Epochs.Order().ToList();

    public int MaxEpochs => Epochs.Max();
}

/// <summary>Comma-separated option values: every entry checked, none empty, none twice.</summary>
public static class SweepLists
{
    public static IReadOnlyList<string> Names(ParsedArguments parsed, string name, string fallback) =>
        Split(parsed, name, fallback, "a comma-separated list of names", raw => (!raw.Any(char.IsWhiteSpace), raw));

    public static IReadOnlyList<int> PositiveInts(ParsedArguments parsed, string name, string fallback) =>
        Split(parsed, name, fallback, "a comma-separated list of positive integers", raw =>
            (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0, value));

    public static IReadOnlyList<int> Ints(ParsedArguments parsed, string name, string fallback) =>
        Split(parsed, name, fallback, "a comma-separated list of integers", raw =>
            (int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value), value));

    // float.TryParse accepts "NaN" and turns overflow into infinity: both are rejected as not finite.
    public static IReadOnlyList<float> PositiveNumbers(ParsedArguments parsed, string name, string fallback) =>
        Split(parsed, name, fallback, "a comma-separated list of positive finite numbers", raw =>
            (float.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value) && value > 0, value));

    private static IReadOnlyList<T> Split<T>(ParsedArguments parsed, string name, string fallback, string what, Func<string, (bool Ok, T Value)> parse)
    {
        string raw = parsed.String(name, fallback);
        var values = new List<T>();
        foreach (var entry in raw.Split(','))
        {
            string trimmed = entry.Trim();
            if (trimmed.Length == 0) throw ParsedArguments.Expected(name, what + " with no empty entry", raw);
            var (ok, value) = parse(trimmed);
            if (!ok) throw new UsageException($"--{name} must be {what}, got '{trimmed}' in '{raw}'");
            if (values.Contains(value)) throw new UsageException($"--{name} lists '{trimmed}' twice in '{raw}'");
            values.Add(value);
        }

        return values;
    }
}
