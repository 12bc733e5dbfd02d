using System.Globalization;
using SimdRnn.Export;
using SimdRnn.IO;

namespace SimdRnn.Cli;

/// <summary><c>simdrnn export</c>: a model file as an ONNX model, whole-sequence or one step at a time.</summary>
public sealed class ExportCommand : ICliCommand
{
    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("model", "FILE", "The safetensors model file to export"),
        new("onnx", "FILE", "The ONNX file to write (replaced atomically)"),
        new("opset", "N", $"The ONNX opset, {OnnxExporter.MinOpset} to {OnnxExporter.MaxOpset}", OnnxExporter.DefaultOpset.ToString(CultureInfo.InvariantCulture)),
        new("streaming", null, "Export one step, with each layer's output and states as inputs and outputs"),
        new("lengths", null, "Give the sequence model a second input, sequence_lens [batch] int32: each sequence's length"),
        new("cell", "NAME", "The cell, for a file without SimdRnn metadata whose gate count does not tell"),
    ];

    public string Name => "export";

    public string Summary => "Write a model file as an ONNX model (ONNX Runtime, onnxruntime in Python, ...)";

    public string Usage => CommandLineParser.Usage(
        "simdrnn export --model FILE --onnx OUT.onnx [options]",
        "Writes the model as ONNX: input [batch, steps, inputs], output 'probabilities' (classifying heads) or\n" +
        "'values' (regression), [batch, outputs] or, per-step heads, [batch, steps, outputs]. rnn, rnn-relu, lstm\n" +
        "and gru layers become ONNX's RNN, LSTM and GRU operators, every other cell a Scan over its own step.\n" +
        "--lengths adds the input sequence_lens [batch] int32 (each sequence's length, 1 to steps; padding ignored).\n" +
        "A bidirectional model exports as its sequence model (the operators' direction = bidirectional, or two Scans).\n" +
        "--streaming writes the one-step model instead: input [batch, inputs] and, per layer, h_0 ... as inputs,\n" +
        "the head's output after the step and h_0_next ... as outputs (docs/interop.md).\n" +
        "Exit codes: 0 written, 1 the model cannot be read or exported or the file cannot be written, 2 bad options.",
        Options);

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        var parsed = CommandLineParser.Parse(Name, args, Options);
        if (parsed.Help)
        {
            context.Out.Write(Usage);
            return ExitCodes.Success;
        }

        string modelPath = parsed.Required("model", "export");
        string onnxPath = parsed.Required("onnx", "export");
        int opset = parsed.Int("opset", OnnxExporter.DefaultOpset);
        if (opset is < OnnxExporter.MinOpset or > OnnxExporter.MaxOpset)
        {
            throw ParsedArguments.Expected("opset", $"an ONNX opset from {OnnxExporter.MinOpset} to {OnnxExporter.MaxOpset}", parsed.Raw("opset")!);
        }

        var options = new OnnxExportOptions { Opset = opset, Streaming = parsed.Has("streaming"), SequenceLengths = parsed.Has("lengths") };
        using var model = ModelLoading.Load(modelPath, context.Cells, parsed.Raw("cell"));
        try
        {
            OnnxExporter.ThrowIfNotExported(model.Shape, options);
        }
        catch (NotSupportedException e)
        {
            throw new CliDataException($"{modelPath}: {e.Message}", e);
        }

        try
        {
            OnnxExporter.Save(onnxPath, model.Shape, model.Network.Parameters, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliDataException($"cannot write {onnxPath}: {e.Message.ReplaceLineEndings(" ")}", e);
        }

        string kind = options.Streaming ? "one-step (streaming) model" : options.SequenceLengths ? "sequence model with sequence_lens" : "sequence model";
        context.Error.WriteLine($"Exported {ModelLoading.Describe(model)} to {onnxPath}: ONNX opset {opset}, {kind}, {new FileInfo(onnxPath).Length:N0} bytes");
        return ExitCodes.Success;
    }
}
