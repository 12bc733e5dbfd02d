using System.Text.Json;
using System.Text.Json.Serialization;

namespace SimdRnn.Cli;

/// <summary><c>simdrnn eval --json</c>: one object.</summary>
public sealed record EvalLine(
    string Model, string Cell, int Count, double TestAccuracy, double Cost, double[] PerClassAccuracy, int[][] Confusion, double SamplesPerSecond);

/// <summary><c>simdrnn predict --json</c>: one object per image.</summary>
public sealed record PredictionLine(string File, int? Index, int Digit, double Probability, float[] Probabilities);

public sealed record TensorLine(string Name, string Dtype, long[] Shape);

/// <summary><c>simdrnn inspect --json</c>: one object.</summary>
public sealed record InspectLine(
    string File, long Bytes, string? Format, string? Cell, int? Steps, int? Input, int? Hidden, int? Layers, int? Classes,
    long Parameters, TensorLine[] Tensors, Dictionary<string, string> Metadata, bool Loads, string? Error);

/// <summary>Source-generated serialization of the model commands' JSON (no reflection, NativeAOT-safe), snake_case names.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(EvalLine))]
[JsonSerializable(typeof(PredictionLine))]
[JsonSerializable(typeof(InspectLine))]
public sealed partial class ModelJsonContext : JsonSerializerContext;

public static class ModelJson
{
    public static string Eval(EvalLine line) => JsonSerializer.Serialize(line, ModelJsonContext.Default.EvalLine);

    public static string Prediction(PredictionLine line) => JsonSerializer.Serialize(line, ModelJsonContext.Default.PredictionLine);

    public static string Inspect(InspectLine line) => JsonSerializer.Serialize(line, ModelJsonContext.Default.InspectLine);
}
