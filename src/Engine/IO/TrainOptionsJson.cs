using System.Text;
using System.Text.Json;
using SimdRnn.Training;

namespace SimdRnn.IO;

/// <summary>
/// <see cref="TrainOptions"/> as the JSON string of the <c>train_options</c> metadata key, snake_case, written and
/// read by hand (no reflection: NativeAOT). Unknown keys are ignored so older engines read newer files.
/// </summary>
public static class TrainOptionsJson
{
    public static string Write(TrainOptions options)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("cell", options.Cell);
            json.WriteNumber("hidden", options.Hidden);
            json.WriteNumber("layers", options.Layers);
            json.WriteBoolean("bidirectional", options.Bidirectional);
            json.WriteNumber("dropout", options.Dropout);
            json.WriteNumber("batch", options.Batch);
            json.WriteNumber("learning_rate", options.LearningRate);
            json.WriteNumber("epochs", options.Epochs);
            json.WriteString("optimizer", OptimizerState.KindName(options.Optimizer));
            json.WriteNumber("momentum", options.Momentum);
            json.WriteNumber("clip", options.Clip);
            json.WriteString("schedule", options.Schedule == LearningRateSchedule.Cosine ? "cosine" : "constant");
            json.WriteNumber("seed", options.Seed);
            json.WriteNumber("threads", options.Threads);
            if (options.Limit is int limit) json.WriteNumber("limit", limit);
            else json.WriteNull("limit");
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Parses <paramref name="text"/>; a missing key keeps its <see cref="TrainOptions"/> default.</summary>
    /// <exception cref="FormatException">The text is not such an object; the message says what was found.</exception>
    public static TrainOptions Read(string text)
    {
        var options = new TrainOptions();
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw new FormatException("expected a JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string key = reader.GetString()!;
                reader.Read();
                options = key switch
                {
                    "cell" => options with { Cell = String(ref reader, key) },
                    "hidden" => options with { Hidden = Int(ref reader, key) },
                    "layers" => options with { Layers = Int(ref reader, key) },
                    "bidirectional" => options with { Bidirectional = Bool(ref reader, key) },
                    "dropout" => options with { Dropout = Float(ref reader, key) },
                    "batch" => options with { Batch = Int(ref reader, key) },
                    "learning_rate" => options with { LearningRate = Float(ref reader, key) },
                    "epochs" => options with { Epochs = Int(ref reader, key) },
                    "optimizer" => options with { Optimizer = Optimizer(String(ref reader, key)) },
                    "momentum" => options with { Momentum = Float(ref reader, key) },
                    "clip" => options with { Clip = Float(ref reader, key) },
                    "schedule" => options with { Schedule = Schedule(String(ref reader, key)) },
                    "seed" => options with { Seed = Int(ref reader, key) },
                    "threads" => options with { Threads = Int(ref reader, key) },
                    "limit" => options with { Limit = reader.TokenType == JsonTokenType.Null ? null : Int(ref reader, key) },
                    _ => Skip(ref reader, options),
                };
            }

            if (reader.TokenType != JsonTokenType.EndObject) throw new FormatException("expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new FormatException($"expected JSON, found {Text.OneLine(e.Message)}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new FormatException($"expected JSON values of the right types, found {Text.OneLine(e.Message)}", e);
        }

        return options;
    }

    private static TrainOptions Skip(ref Utf8JsonReader reader, TrainOptions options)
    {
        reader.Skip();
        return options;
    }

    private static string String(ref Utf8JsonReader reader, string key) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new FormatException($"expected a string for '{key}'");

    private static bool Bool(ref Utf8JsonReader reader, string key) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new FormatException($"expected true or false for '{key}'"),
    };

    private static int Int(ref Utf8JsonReader reader, string key) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int value) ? value : throw new FormatException($"expected an integer for '{key}'");

    private static float Float(ref Utf8JsonReader reader, string key) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetSingle(out float value) && float.IsFinite(value)
            ? value
            : throw new FormatException($"expected a number for '{key}'");

    private static OptimizerKind Optimizer(string name) =>
        OptimizerState.TryParseKind(name, out var kind) ? kind : throw new FormatException($"expected optimizer adam or sgd, found {Text.Quote(name)}");

    private static LearningRateSchedule Schedule(string name) => name switch
    {
        "cosine" => LearningRateSchedule.Cosine,
        "constant" => LearningRateSchedule.Constant,
        _ => throw new FormatException($"expected schedule cosine or constant, found {Text.Quote(name)}"),
    };
}
