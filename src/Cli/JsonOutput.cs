using System.Text.Json;
using System.Text.Json.Serialization;
using SimdRnn.Training;

namespace SimdRnn.Cli;

/// <summary>
/// The test figures of a <c>--json</c> line, one name each wherever they apply: <c>test_accuracy</c> (classification;
/// per step for tagging), <c>test_rmse</c> and <c>test_mae</c> (regression), <c>test_bits_per_char</c> (text), and
/// always <c>test_loss</c>. Figures that do not apply are left out.
/// </summary>
public abstract record TestFigures
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? TestAccuracy { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? TestRmse { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? TestMae { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? TestBitsPerChar { get; init; }

    public double TestLoss { get; init; }

    protected static T With<T>(T line, Evaluation test, bool text) where T : TestFigures => line with
    {
        TestAccuracy = test.Accuracy,
        TestRmse = test.Rmse,
        TestMae = test.Mae,
        TestBitsPerChar = text ? test.BitsPerPrediction : null,
        TestLoss = test.Loss,
    };
}

/// <summary>One <c>--json</c> line per epoch.</summary>
public sealed record EpochLine(
    [property: JsonPropertyOrder(-2)] int Epoch,
    [property: JsonPropertyOrder(-1)] double Cost,
    [property: JsonPropertyOrder(1)] double SamplesPerSecond,
    [property: JsonPropertyOrder(2)] double Seconds) : TestFigures
{
    public static EpochLine Of(EpochReport report, bool text) =>
        With(new EpochLine(report.Train.Epoch, report.Train.Cost, report.Train.SamplesPerSecond, report.Train.Seconds), report.Test, text);
}

/// <summary>The last <c>--json</c> line of a run that finished.</summary>
public sealed record SummaryLine([property: JsonPropertyOrder(1)] double TrainSeconds) : TestFigures
{
    [JsonPropertyOrder(-2)]
    public bool Summary => true;

    public static SummaryLine Of(Evaluation test, double trainSeconds, bool text) => With(new SummaryLine(trainSeconds), test, text);
}

/// <summary>The last <c>--json</c> line of a run stopped by <see cref="Training.DivergenceCheck"/>.</summary>
public sealed record DivergedLine(string Reason)
{
    [JsonPropertyOrder(-2)]
    public bool Summary => true;

    [JsonPropertyOrder(-1)]
    public bool Diverged => true;
}

/// <summary>
/// Source-generated serialization (no reflection, NativeAOT-safe), snake_case names, one object per line.
/// Non-finite numbers are written as "NaN"/"Infinity" strings rather than failing the run.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(EpochLine))]
[JsonSerializable(typeof(SummaryLine))]
[JsonSerializable(typeof(DivergedLine))]
[JsonSerializable(typeof(BenchLine))]
public sealed partial class CliJsonContext : JsonSerializerContext;

public static class JsonLines
{
    public static string Epoch(EpochLine line) => JsonSerializer.Serialize(line, CliJsonContext.Default.EpochLine);

    public static string Summary(SummaryLine line) => JsonSerializer.Serialize(line, CliJsonContext.Default.SummaryLine);

    public static string Diverged(DivergedLine line) => JsonSerializer.Serialize(line, CliJsonContext.Default.DivergedLine);

    public static string Bench(BenchLine line) => JsonSerializer.Serialize(line, CliJsonContext.Default.BenchLine);
}
