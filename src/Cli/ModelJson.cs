using System.Text.Json;
using System.Text.Json.Serialization;
using SimdRnn.Training;

namespace SimdRnn.Cli;

/// <summary><c>simdrnn eval --json</c>: one object.</summary>
public sealed record EvalLine(string Model, string Cell, int Count, double SamplesPerSecond) : TestFigures
{
    public string Head { get; init; } = "classify";

    /// <summary>The mean test loss, as <c>test_loss</c> (kept under its old name too).</summary>
    public double Cost => TestLoss;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double[]? PerClassAccuracy { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int[][]? Confusion { get; init; }

    public static EvalLine Of(string model, string cell, int count, Evaluation evaluation, bool text) =>
        With(new EvalLine(model, cell, count, evaluation.SamplesPerSecond) { Head = evaluation.Head.Name }, evaluation, text);
}

/// <summary><c>simdrnn predict --json</c>: one object per image.</summary>
public sealed record PredictionLine(string File, int? Index, int Digit, double Probability, float[] Probabilities);

/// <summary><c>simdrnn predict --csv --json</c>: one object per sequence; <c>classes</c> for a classifying head (one per step when tagging).</summary>
public sealed record SequencePredictionLine(string File, int Index, int[]? Classes, float[] Outputs);

public sealed record TensorLine(string Name, string Dtype, long[] Shape);

/// <summary><c>simdrnn inspect --json</c>: one object.</summary>
public sealed record InspectLine(
    string File, long Bytes, string? Format, string? Cell, int? Steps, int? Input, int? Hidden, int? Layers, int? Classes,
    long Parameters, TensorLine[] Tensors, Dictionary<string, string> Metadata, bool Loads, string? Error)
{
    /// <summary>The head's kind (classify, tag, regress, regress-steps), when the model loads.</summary>
    public string? Head { get; init; }

    /// <summary>The head's outputs per prediction (classes or values), when the model loads.</summary>
    public int? Outputs { get; init; }

    /// <summary>How the model reads an MNIST image (rows, pixels, permuted), when the file records it.</summary>
    public string? MnistLayout { get; init; }
}

/// <summary>Source-generated serialization of the model commands' JSON (no reflection, NativeAOT-safe), snake_case names.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(EvalLine))]
[JsonSerializable(typeof(PredictionLine))]
[JsonSerializable(typeof(SequencePredictionLine))]
[JsonSerializable(typeof(InspectLine))]
public sealed partial class ModelJsonContext : JsonSerializerContext;

public static class ModelJson
{
    public static string Eval(EvalLine line) => JsonSerializer.Serialize(line, ModelJsonContext.Default.EvalLine);

    public static string Prediction(PredictionLine line) => JsonSerializer.Serialize(line, ModelJsonContext.Default.PredictionLine);

    public static string SequencePrediction(SequencePredictionLine line) => JsonSerializer.Serialize(line, ModelJsonContext.Default.SequencePredictionLine);

    public static string Inspect(InspectLine line) => JsonSerializer.Serialize(line, ModelJsonContext.Default.InspectLine);
}
