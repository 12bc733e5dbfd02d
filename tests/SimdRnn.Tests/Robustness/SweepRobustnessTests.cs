using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Xunit;
using SimdRnn.Cli;
using SimdRnn.Tests.Cli;
using SimdRnn.Tests.Data;
using SimdRnn.Tests.Sweep;
using Xunit;

namespace SimdRnn.Tests.Robustness;

/// <summary>
/// results.jsonl from elsewhere (another machine's shard, a hand edit, a torn write): whatever it holds, the
/// parser never throws, <c>report</c> draws what is valid and says what it ignored, and <c>sweep</c> resumes
/// over it and completes the grid. A crash would show as an exit code of 1 with "simdrnn: error:".
/// </summary>
public sealed partial class SweepRobustnessTests : IDisposable
{
    private static readonly string[] Grid = ["--cell", "fake-lstm,fake-gru", "--lr", "0.01,0.5", "--epochs", "1,3", "--seed", "1,2"];

    /// <summary>A finished sweep: 8 points, 16 records, the lr 0.5 points diverged at epoch 2.</summary>
    private static readonly Lazy<byte[]> ValidResults = new(() =>
    {
        using var dir = new TempDirectory();
        var run = new FakeTrainer(Diverging).Sweep(dir.Path, Grid);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        return File.ReadAllBytes(Results.PathIn(dir.Path));
    });

    /// <summary>The 16 keys of <see cref="Grid"/>'s points and checkpoints.</summary>
    private static readonly Lazy<HashSet<string>> GridKeys = new(() => SweepResults.Parse(ValidResults.Value, "r").Records.Select(r => r.Key).ToHashSet());

    /// <summary>Values a hand edit or another version could put where a number, string or array was.</summary>
    private static readonly string[] HostileValues =
    [
        "-1", "0", "1e308", "-1e308", "1e-400", "2147483648", "9223372036854775808", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"",
        "null", "true", "\"\"", "\"x\"", "[]", "[null]", "[\"NaN\",\"NaN\"]", "[1,2,3,4,5,6,7,8,9,10]", "{}", "\"\\u0000\\n\"",
        "[" + string.Join(',', Enumerable.Repeat("0.5", 1000)) + "]",
    ];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Property(MaxTest = 500)]
    public void Parse_MutatedBytes_NeverThrows((NonNegativeInt Position, byte Value)[] mutations, NonNegativeInt cut, bool truncate)
    {
        var contents = SweepResults.Parse(Mutate(ValidResults.Value, mutations, truncate ? cut.Get : null), "results.jsonl");
        Assert.All(contents.Ignored, note => Assert.DoesNotContain('\n', note));
    }

    [Property(MaxTest = 120)]
    public void Report_MutatedBytes_DrawsWhatIsValid((NonNegativeInt Position, byte Value)[] mutations, NonNegativeInt cut, bool truncate) =>
        AssertReportWorks(Mutate(ValidResults.Value, mutations, truncate ? cut.Get : null));

    [Property(MaxTest = 200)]
    public void Report_HostileValues_DrawsWhatIsValid(NonNegativeInt[] edits) =>
        AssertReportWorks(EditValues(ValidResults.Value, edits));

    [Property(MaxTest = 40)]
    public void Sweep_ResumesOverAMutatedFile_AndCompletesTheGrid(NonNegativeInt[] edits, (NonNegativeInt Position, byte Value)[] mutations)
    {
        string output = Path.Combine(_dir.Path, Path.GetRandomFileName());
        Directory.CreateDirectory(output);
        byte[] mutated = Mutate(EditValues(ValidResults.Value, edits), mutations, null);
        File.WriteAllBytes(Results.PathIn(output), mutated);

        var run = new FakeTrainer(Diverging).Sweep(output, Grid);

        // The grid's keys and the keys of the valid records the file held, no other: a mutation inside a key can leave
        // a valid record of a key outside the grid, which the sweep keeps (it drops no line it did not write).
        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        var expected = SweepResults.Parse(mutated, "r").Records.Select(r => r.Key).Union(GridKeys.Value).ToHashSet();
        Assert.Equal(expected, Results.In(output).Select(r => r.Key).ToHashSet());
    }

    /// <summary>
    /// The case the property above once found: a byte changed inside a key leaves a valid record of a key outside the
    /// grid. The sweep trains the point that lost its record and keeps the stray line.
    /// </summary>
    [Fact]
    public void Sweep_OverARecordWithAnAlteredKey_TrainsThatPointAndKeepsTheLine()
    {
        string text = Encoding.UTF8.GetString(ValidResults.Value);
        int key = text.IndexOf("\"key\":\"", StringComparison.Ordinal) + "\"key\":\"".Length;
        File.WriteAllText(Results.PathIn(_dir.Path), string.Concat(text.AsSpan(0, key), "Q", text.AsSpan(key + 1)));

        var run = new FakeTrainer(Diverging).Sweep(_dir.Path, Grid);

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        var keys = Results.In(_dir.Path).Select(r => r.Key).ToHashSet();
        Assert.Subset(keys, GridKeys.Value);
        Assert.Equal(17, keys.Count);
    }

    /// <summary>Keeps the properties above honest: the edits reach the values, and many edited files still hold records.</summary>
    [Fact]
    public void HostileEdits_ChangeValuesYetLeaveRecords()
    {
        int valid = SweepResults.Parse(ValidResults.Value, "r").Records.Count;
        var edited = Enumerable.Range(0, 50).Select(i => EditValues(ValidResults.Value, [NonNegativeInt.NewNonNegativeInt(i * 7919)])).ToArray();

        Assert.Equal(16, valid);
        Assert.Equal(16, GridKeys.Value.Count);
        Assert.All(edited, bytes => Assert.NotEqual(ValidResults.Value, bytes));
        Assert.True(edited.Count(bytes => SweepResults.Parse(bytes, "r").Records.Count == valid) > 5, "some edits should yield valid, if odd, records");
    }

    private static (double Cost, double Accuracy) Diverging(SimdRnn.Training.TrainOptions options, int epoch) =>
        options.LearningRate > 0.1f && epoch >= 2 ? (double.NaN, double.NaN) : FakeTrainer.Learns(options, epoch);

    private void AssertReportWorks(byte[] results)
    {
        string input = Path.Combine(_dir.Path, Path.GetRandomFileName());
        Directory.CreateDirectory(input);
        File.WriteAllBytes(Results.PathIn(input), results);

        var run = CliHarness.Run(FakeTrainer.Cells, "report", input);

        Assert.True(run.ExitCode == ExitCodes.Success, $"exit {run.ExitCode}: {run.Error}");
        Assert.DoesNotContain("simdrnn: error:", run.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(input, "report.md")));
        Directory.Delete(input, recursive: true);
    }

    /// <summary>Replaces JSON values (numbers, strings, arrays) chosen by <paramref name="edits"/> with hostile ones.</summary>
    private static byte[] EditValues(byte[] valid, NonNegativeInt[] edits)
    {
        string text = Encoding.UTF8.GetString(valid);
        foreach (var edit in edits.Take(12))
        {
            var values = JsonValue().Matches(text);
            if (values.Count == 0) break;
            var target = values[edit.Get % values.Count].Groups["value"];
            string replacement = HostileValues[edit.Get / values.Count % HostileValues.Length];
            text = string.Concat(text.AsSpan(0, target.Index), replacement, text.AsSpan(target.Index + target.Length));
        }

        return Encoding.UTF8.GetBytes(text);
    }

    private static byte[] Mutate(byte[] valid, (NonNegativeInt Position, byte Value)[] mutations, int? cut)
    {
        byte[] bytes = cut is int length ? valid[..(length % (valid.Length + 1))] : (byte[])valid.Clone();
        foreach (var (position, value) in mutations)
        {
            if (bytes.Length > 0) bytes[position.Get % bytes.Length] = value;
        }

        return bytes;
    }

    // A value after a key: a number, a string, null/true/false, or an array of scalars.
    [GeneratedRegex(@""":(?<value>-?[0-9][0-9.eE+-]*|""(?:[^""\\]|\\.)*""|null|true|false|\[[^\[\]{}]*\])")]
    private static partial Regex JsonValue();
}
