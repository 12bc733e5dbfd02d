using System.Globalization;
using System.Text;
using SimdRnn.IO;

namespace SimdRnn.Cli;

/// <summary><c>simdrnn inspect</c>: what a model file holds, and whether it loads with the cells at hand.</summary>
public sealed class InspectCommand : ICliCommand
{
    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("cell", "NAME", "The cell, for a file without SimdRnn metadata whose gate count does not tell"),
        new("json", null, "Print one JSON object on stdout instead of text"),
    ];

    public string Name => "inspect";

    public string Summary => "Show a model file's cell, sizes, tensors and training metadata";

    public string Usage => CommandLineParser.Usage(
        "simdrnn inspect [options] FILE",
        "Lists the tensors and metadata of a safetensors model file and checks that it loads.\n" +
        "Exit codes: 0 the file loads, 1 it is malformed or does not fit the cells, 2 bad options.",
        Options);

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        var parsed = CommandLineParser.Parse(Name, args, Options, maxPositionals: 1);
        if (parsed.Help)
        {
            context.Out.Write(Usage);
            return ExitCodes.Success;
        }

        if (parsed.Positionals.Count == 0) throw new UsageException("no model file given; run 'simdrnn inspect --help' for usage");
        string path = parsed.Positionals[0];
        var header = ModelLoading.ReadHeader(path);
        ModelDescription? model = null;
        string? error = null;
        try
        {
            model = ModelLoading.Describe(path, context.Cells, parsed.Raw("cell"));
        }
        catch (CliDataException e)
        {
            error = e.Message;
        }

        long bytes = new FileInfo(path).Length;
        long parameters = header.Tensors.Where(t => !t.Name.StartsWith(ModelFile.OptimizerPrefix, StringComparison.Ordinal)).Sum(t => t.ElementCount);
        if (parsed.Has("json"))
        {
            var shape = model?.Shape;
            context.Out.WriteLine(ModelJson.Inspect(new InspectLine(path, bytes, header.Metadata.GetValueOrDefault(ModelFile.Keys.Format),
                shape?.Cell.Info.Name ?? header.Metadata.GetValueOrDefault(ModelFile.Keys.Cell), shape?.Steps, shape?.Inputs, shape?.Hidden, shape?.Layers, shape is { Head.Classifies: true } ? shape.Outputs : null,
                parameters, header.Tensors.Select(t => new TensorLine(t.Name, t.DType.Name(), t.Shape)).ToArray(),
                header.Metadata.ToDictionary(), model is not null, error) {
                    Head = shape?.Head.Name,
                    Outputs = shape?.Outputs,
                    MnistLayout = model is not null && header.Metadata.ContainsKey(ModelFile.Keys.MnistLayout) ? SimdRnn.Data.MnistLayouts.NameOf(model.MnistLayout) : null,
                }));
        }
        else
        {
            context.Out.Write(Text(path, bytes, parameters, header, model));
        }

        if (error is null) return ExitCodes.Success;
        context.Error.WriteLine($"simdrnn: {error}");
        return ExitCodes.Error;
    }

    public static string Text(string path, long bytes, long parameters, SafetensorsHeader header, ModelDescription? model)
    {
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        var metadata = header.Metadata;
        text.Append(invariant, $"File: {path} ({bytes:N0} bytes, {header.Tensors.Count} tensors, format {metadata.GetValueOrDefault(ModelFile.Keys.Format) ?? "(none)"})\n");
        if (model is not null)
        {
            var shape = model.Shape;
            string hash = metadata.TryGetValue(ModelFile.Keys.SpecHash, out string? saved) ? $"spec hash {saved}, as in this build" : "no spec hash in the file";
            text.Append(invariant, $"Cell: {shape.Cell.Info.Name} ({hash})\n");
            text.Append(invariant, $"Sizes: steps {shape.Steps}, input {shape.Inputs}, hidden {shape.Hidden}, layers {shape.Layers}{(shape.Bidirectional ? " bidirectional" : "")}, {(shape.Head.Classifies ? "classes" : "outputs")} {shape.Outputs}\n");
            if (shape.Head.Kind != SimdRnn.Model.HeadKind.Classify) text.Append(invariant, $"Head: {shape.Head.Name} ({(shape.Head.PerStep ? "every step" : "the last step")})\n");
            if (model.Vocabulary is { } vocabulary) text.Append(invariant, $"Vocabulary: {vocabulary.Count} characters (a character model)\n");
            if (metadata.ContainsKey(ModelFile.Keys.MnistLayout)) text.Append(invariant, $"MNIST layout: {SimdRnn.Data.MnistLayouts.NameOf(model.MnistLayout)} ({SimdRnn.Data.MnistLayouts.Describe(model.MnistLayout)})\n");
            if (!model.IsSimdRnnFile) text.Append("  (inferred from the tensor shapes: the file has no SimdRnn metadata)\n");
        }
        else
        {
            text.Append("Cell: ").Append(Printable(metadata.GetValueOrDefault(ModelFile.Keys.Cell) ?? "(unknown)")).Append(" (the file does not load: see the error below)\n");
        }

        text.Append(invariant, $"Parameters: {parameters:N0} ({parameters * sizeof(float):N0} bytes as F32)\n");
        if (metadata.GetValueOrDefault(QuantizedModelFile.QuantizationKey) == QuantizedModelFile.Int8)
        {
            text.Append("Weights: int8 with a float scale per output row (simdrnn quantize); inference only\n");
        }

        if (model?.Optimizer is { } optimizer)
        {
            text.Append(invariant, $"Optimizer state: {OptimizerState.KindName(optimizer)}, {model.OptimizerSteps:N0} steps\n");
        }

        if (model?.Epoch is int epoch) text.Append(invariant, $"Epochs completed: {epoch}\n");
        if (model?.Options is { } options)
        {
            text.Append(invariant,
                $"Training: cell {options.Cell}, hidden {options.Hidden}, layers {options.Layers}, batch {options.Batch}, lr {options.LearningRate}, " +
                $"epochs {options.Epochs}, optimizer {OptimizerState.KindName(options.Optimizer)}, momentum {options.Momentum}, clip {options.Clip}, " +
                $"schedule {options.Schedule.ToString().ToLowerInvariant()}, seed {options.Seed}, limit {(options.Limit is int limit ? limit.ToString(invariant) : "none")}\n");
        }

        text.Append("Tensors:\n");
        int nameWidth = header.Tensors.Count == 0 ? 0 : header.Tensors.Max(t => t.Name.Length);
        foreach (var tensor in header.Tensors)
        {
            text.Append("  ").Append(Printable(tensor.Name).PadRight(nameWidth)).Append("  ").Append(tensor.DType.Name().PadRight(4)).Append("  ").Append(tensor.ShapeText).Append('\n');
        }

        text.Append("Metadata:\n");
        foreach (var (key, value) in metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            text.Append("  ").Append(Printable(key)).Append(" = ").Append(Printable(value)).Append('\n');
        }

        return text.ToString();
    }

    // Names and values come from the file: control characters would break (or forge) lines of the listing.
    private static string Printable(string text) => string.Create(text.Length, text, (span, source) =>
    {
        for (int i = 0; i < source.Length; i++) span[i] = char.IsControl(source[i]) ? '?' : source[i];
    });
}
