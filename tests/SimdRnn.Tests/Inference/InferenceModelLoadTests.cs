using SimdRnn.Inference;
using SimdRnn.IO;
using SimdRnn.Tests.Data;
using Xunit;

namespace SimdRnn.Tests.Inference;

public sealed class InferenceModelLoadTests
{
    [Fact]
    public void Load_FileStreamAndBytes_GiveTheSavedNetworksPredictions()
    {
        var shape = Models.Shape("gru", steps: 7, inputs: 4, hidden: 24, layers: 2, classes: 5);
        using var network = Models.Network(shape, seed: 30);
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "model.safetensors");
        ModelFile.Save(path, network);
        var sequences = Models.Sequences(shape, 9, seed: 31);
        var expected = Models.ReferenceProbabilities(network, sequences, 9);

        using var fromFile = InferenceModel.Load(path);
        using var stream = File.OpenRead(path);
        using var fromStream = InferenceModel.Load(stream);
        using var fromBytes = InferenceModel.Load(File.ReadAllBytes(path).AsSpan());
        foreach (var model in new[] { fromFile, fromStream, fromBytes })
        {
            Assert.Equal((7, 4, 5), (model.Steps, model.Inputs, model.Outputs));
            using var session = model.CreateSession(4);
            var probabilities = new float[9 * 5];
            session.Predict(sequences, 9, probabilities);
            Models.AssertClose(expected, probabilities, 1e-5f);
        }
    }

    [Fact]
    public void Load_Garbage_IsAModelFormatErrorAboutTheBytes_AndLeavesNoTemporaryFile()
    {
        int before = Directory.GetFiles(Path.GetTempPath(), "simdrnn-model-*").Length;
        var error = Assert.Throws<ModelFormatException>(() => InferenceModel.Load("not a model file at all"u8));
        Assert.StartsWith("(model bytes): ", error.Message);
        Assert.Equal(before, Directory.GetFiles(Path.GetTempPath(), "simdrnn-model-*").Length);
    }

    [Fact]
    public void Load_MissingFile_IsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => InferenceModel.Load(Path.Combine(Path.GetTempPath(), "simdrnn-no-such-model.safetensors")));
    }
}
