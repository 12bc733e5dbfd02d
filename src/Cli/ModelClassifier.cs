using SimdRnn.Cells;
using SimdRnn.Inference;
using SimdRnn.IO;
using SimdRnn.Model;

namespace SimdRnn.Cli;

/// <summary>
/// What <c>eval</c> and <c>predict</c> classify with: a float model file's network, or an int8 file's
/// <see cref="InferenceModel"/>, which runs on the int8 kernels (so its accuracy is the int8 model's own).
/// </summary>
public sealed class ModelClassifier : IDisposable
{
    private readonly IDisposable model;

    private ModelClassifier(IDisposable model, Classifier classifier, NetworkShape shape, string path, string description)
    {
        this.model = model;
        Classifier = classifier;
        Shape = shape;
        Path = path;
        Description = description;
    }

    public Classifier Classifier { get; }

    public NetworkShape Shape { get; }

    public string Path { get; }

    /// <summary><c>lstm, hidden 128, layers 1, epoch 10</c>, with <c>, int8</c> for an int8 file.</summary>
    public string Description { get; }

    /// <summary>Loads <paramref name="path"/> and checks it reads MNIST; every failure is one <see cref="CliDataException"/> line.</summary>
    public static ModelClassifier LoadMnist(string path, IReadOnlyList<CellEntry> cells, string? cellOverride, int threads)
    {
        if (ModelLoading.IsQuantized(path))
        {
            var int8 = ModelLoading.LoadInference(path, cells);
            try
            {
                ModelLoading.CheckMnistShaped(path, int8.Shape);
                string epoch = ModelLoading.Describe(path, cells).Epoch is int done ? $", epoch {done}" : "";
                var shape = int8.Shape;
                return new ModelClassifier(int8, new Classifier(int8, threads), shape, path,
                    $"{shape.Cell.Info.Name}, hidden {shape.Hidden}, layers {shape.Layers}{epoch}, int8");
            }
            catch
            {
                int8.Dispose();
                throw;
            }
        }

        var loaded = ModelLoading.Load(path, cells, cellOverride);
        try
        {
            ModelLoading.CheckMnistShaped(loaded);
            return new ModelClassifier(loaded, new Classifier(loaded.Network, threads), loaded.Shape, path, ModelLoading.Describe(loaded));
        }
        catch
        {
            loaded.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Classifier.Dispose();
        model.Dispose();
    }
}
