using System.Text.Json;
using System.Text.Json.Serialization;

namespace SimdRnn.Cli;

/// <summary>One <c>--json</c> line per epoch.</summary>
public sealed record EpochLine(int Epoch, double Cost, double TestAccuracy, double SamplesPerSecond, double Seconds);

/// <summary>The last <c>--json</c> line of a run that finished.</summary>
public sealed record SummaryLine(double TestAccuracy, double TrainSeconds)
{
    [JsonPropertyOrder(-2)]
    public bool Summary => true;
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
