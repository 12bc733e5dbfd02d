using SimdRnn.Cells;
using SimdRnn.Inference;
using SimdRnn.IO;
using SimdRnn.Model;
using SimdRnn.Training;

namespace SimdRnn.Cli;

/// <summary>
/// What <c>eval</c> and <c>predict</c> run: a float model file's network, or an int8 file's
/// <see cref="InferenceModel"/>, which runs on the int8 kernels (so its figures are the int8 model's own).
/// </summary>
public sealed class ModelEvaluator : IDisposable
{
    private readonly IDisposable model;

    private ModelEvaluator(IDisposable model, Evaluator evaluator, ModelDescription description, string text)
    {
        this.model = model;
        Evaluator = evaluator;
        Description = description;
        Text = text;
    }

    public Evaluator Evaluator { get; }

    /// <summary>The file's checked shape and metadata.</summary>
    public ModelDescription Description { get; }

    public NetworkShape Shape => Description.Shape;

    public string Path => Description.Path;

    /// <summary><c>lstm, hidden 128, layers 1, epoch 10</c>, with <c>, int8</c> for an int8 file.</summary>
    public string Text { get; }

    /// <summary>Loads <paramref name="path"/>; every failure is one <see cref="CliDataException"/> line.</summary>
    public static ModelEvaluator Load(string path, IReadOnlyList<CellEntry> cells, string? cellOverride, int threads)
    {
        if (ModelLoading.IsQuantized(path))
        {
            var description = ModelLoading.Describe(path, cells);
            var int8 = ModelLoading.LoadInference(path, cells);
            var shape = int8.Shape;
            string epoch = description.Epoch is int done ? $", epoch {done}" : "";
            return new ModelEvaluator(int8, new Evaluator(int8, threads), description, $"{shape.Cell.Info.Name}, hidden {shape.Hidden}, layers {shape.Layers}{epoch}, int8");
        }

        var loaded = ModelLoading.Load(path, cells, cellOverride);
        return new ModelEvaluator(loaded, new Evaluator(loaded.Network, threads), loaded.Description, ModelLoading.Describe(loaded));
    }

    public void Dispose()
    {
        Evaluator.Dispose();
        model.Dispose();
    }
}
