using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.Inference;
using SimdRnn.IO;
using SimdRnn.Model;

namespace SimdRnn.Cli;

/// <summary>Loading model files for the commands: every failure becomes one <see cref="CliDataException"/> line (exit 1).</summary>
public static class ModelLoading
{
    public static LoadedModel Load(string path, IReadOnlyList<CellEntry> cells, string? cellOverride = null) =>
        Translate(path, () => ModelFile.Load(path, cells, cellOverride));

    /// <summary>The file's checked shape and metadata, without its weights.</summary>
    public static ModelDescription Describe(string path, IReadOnlyList<CellEntry> cells, string? cellOverride = null) =>
        Translate(path, () => ModelFile.Describe(path, cells, cellOverride));

    /// <summary>The file's header alone.</summary>
    public static SafetensorsHeader ReadHeader(string path) => Translate(path, () => SafetensorsFile.ReadHeader(path));

    /// <summary>Whether the file is an int8 model (from <c>simdrnn quantize</c>).</summary>
    public static bool IsQuantized(string path) => Translate(path, () => QuantizedModelFile.IsQuantized(SafetensorsFile.ReadHeader(path)));

    /// <summary>The file, float or int8, as an inference model.</summary>
    public static InferenceModel LoadInference(string path, IReadOnlyList<CellEntry> cells) => Translate(path, () => InferenceModel.Load(path, cells));

    private static T Translate<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (ModelFormatException e)
        {
            throw new CliDataException(e.Message, e);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliDataException(Directory.Exists(path) ? $"{path}: a directory, not a model file" : $"{path}: no such model file", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliDataException($"cannot read {path}: {e.Message}", e);
        }
    }

    /// <summary>A model that reads MNIST in <paramref name="layout"/> (28 steps of 28 pixels for rows, 784 of 1 otherwise), 10 classes.</summary>
    public static void CheckMnistShaped(string path, NetworkShape shape, MnistLayout layout)
    {
        int steps = MnistLayouts.Steps(layout), inputs = MnistLayouts.Inputs(layout);
        if (shape.Steps != steps || shape.Inputs != inputs || shape.Head != SimdRnn.Model.Head.Classify(Mnist.Classes))
        {
            throw new CliDataException(
                $"{path}: expected a model of {steps} steps of {inputs} input{(inputs == 1 ? "" : "s")} and {Mnist.Classes} classes (MNIST, {MnistLayouts.NameOf(layout)} layout), " +
                $"found {shape.Steps} steps of {shape.Inputs} inputs and a {shape.Head} head");
        }
    }

    /// <summary><c>lstm, hidden 128, layers 1, epoch 10</c></summary>
    public static string Describe(LoadedModel model) =>
        $"{model.Shape.Cell.Info.Name}, hidden {model.Shape.Hidden}, layers {model.Shape.Layers}" +
        (model.Epoch is int epoch ? $", epoch {epoch}" : model.IsSimdRnnFile ? "" : ", from a file without SimdRnn metadata");
}
