using System.Globalization;
using SimdRnn.Inference;
using SimdRnn.IO;

namespace SimdRnn.Cli;

/// <summary><c>simdrnn quantize</c>: an int8 copy of a float model file, about a quarter of its size (docs/embedding.md).</summary>
public sealed class QuantizeCommand : ICliCommand
{
    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("model", "FILE", "The float model (.safetensors) to quantize"),
        new("out", "FILE", "Where to write the int8 model"),
        new("cell", "NAME", "The cell, for a file without SimdRnn metadata whose gate count does not tell"),
    ];

    public string Name => "quantize";

    public string Summary => "Write an int8 copy of a model: weights in int8 with per-row scales, for inference";

    public string Usage => CommandLineParser.Usage(
        "simdrnn quantize --model FILE --out FILE [options]",
        "Quantizes weight_ih, weight_hh and fc.weight of every layer to int8 with one scale per output row\n" +
        "(biases and elementwise parameters stay float) and writes them as a safetensors file: I8 tensors\n" +
        "under their usual names, their scales as '<name>_scale'. eval, predict, inspect, the inference API,\n" +
        "the C library and samples/Embedded load it; train --resume does not (docs/embedding.md).\n" +
        "Exit codes: 0 done, 1 bad model file or cannot write, 2 bad options.",
        Options);

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        var parsed = CommandLineParser.Parse(Name, args, Options);
        if (parsed.Help)
        {
            context.Out.Write(Usage);
            return ExitCodes.Success;
        }

        string path = parsed.Required("model", "quantize");
        string output = parsed.Required("out", "quantize");
        if (Directory.Exists(output)) throw new CliDataException($"cannot write {output}: it is a directory; give a file name such as {Path.Combine(output, "model-int8.safetensors")}");

        using var loaded = ModelLoading.Load(path, context.Cells, parsed.Raw("cell"));
        using var model = InferenceModel.FromNetwork(loaded.Network);
        using var int8 = model.Quantize();
        try
        {
            QuantizedModelFile.Save(output, int8, new ModelCheckpoint { Epoch = loaded.Epoch ?? 0, Options = loaded.Options, Vocabulary = loaded.Description.Vocabulary, MnistLayout = MnistLayoutOf(loaded.Description) });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliDataException($"cannot write {output}: {e.Message.ReplaceLineEndings(" ")}", e);
        }

        // Against the float parameters rather than the source file, which may carry optimizer state besides.
        long floatBytes = sizeof(float) * (long)loaded.Shape.ParameterCount, written = new FileInfo(output).Length;
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Wrote {output} ({ModelLoading.Describe(loaded)}, int8): {written:N0} bytes, {100.0 * written / floatBytes:F1}% of the {floatBytes:N0} bytes of its float32 parameters"));
        return ExitCodes.Success;
    }

    // The key is carried over only when the source file has it, so a CSV model stays without one.
    private static SimdRnn.Data.MnistLayout? MnistLayoutOf(ModelDescription description) =>
        description.Metadata.ContainsKey(ModelFile.Keys.MnistLayout) ? description.MnistLayout : null;
}
