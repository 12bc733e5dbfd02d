using SimdRnn.IO;
using SimdRnn.Model;
using SimdRnn.Tests.Data;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.IO;

/// <summary>Bidirectional networks in model files: PyTorch's "_reverse" names, the metadata, and files without it.</summary>
public sealed class BidirectionalModelFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Network<float> Bidirectional(string cell, int layers)
    {
        var entry = SimdRnn.Cells.CellCatalog.Find(SimdRnn.Cells.CellCatalog.BuiltIn, cell)!;
        var network = new Network<float>(new NetworkShape(entry, steps: 4, inputs: 3, hidden: 5, layers, classes: 4, bidirectional: true));
        Initializer.Initialize<float>(network.Shape, network.Parameters, 7);
        network.ParametersChanged();
        return network;
    }

    [Fact]
    public void Shape_NamesTheReverseDirectionAsPyTorch()
    {
        using var network = Bidirectional("lstm-peephole", layers: 2);
        Assert.Equal(
        [
            "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "rnn.p_i_l0", "rnn.p_f_l0", "rnn.p_o_l0",
            "rnn.weight_ih_l0_reverse", "rnn.weight_hh_l0_reverse", "rnn.bias_ih_l0_reverse", "rnn.bias_hh_l0_reverse", "rnn.p_i_l0_reverse", "rnn.p_f_l0_reverse", "rnn.p_o_l0_reverse",
            "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1", "rnn.p_i_l1", "rnn.p_f_l1", "rnn.p_o_l1",
            "rnn.weight_ih_l1_reverse", "rnn.weight_hh_l1_reverse", "rnn.bias_ih_l1_reverse", "rnn.bias_hh_l1_reverse", "rnn.p_i_l1_reverse", "rnn.p_f_l1_reverse", "rnn.p_o_l1_reverse",
            "fc.weight", "fc.bias",
        ], network.Shape.Tensors.Select(t => t.Name));
        Assert.Equal([4 * 5, 10], network.Shape.LayerParameters[2].WeightIh.Shape);   // layer 1 reads both directions
        Assert.Equal([4, 10], network.Shape.HeadWeight.Shape);
    }

    [Fact]
    public void SaveThenLoad_KeepsTheDirectionsAndThePredictions()
    {
        string path = Path.Combine(_dir.Path, "bi.safetensors");
        var data = ModelFiles.Data(6).WithLengths([4, 1, 3, 2, 4, 2]);
        using var network = Bidirectional("gru", layers: 2);
        ModelFile.Save(path, network, new ModelCheckpoint { Options = new TrainOptions { Cell = "gru", Hidden = 5, Layers = 2, Bidirectional = true, Dropout = 0.25f } });

        using var loaded = ModelFile.Load(path, SimdRnn.Cells.CellCatalog.BuiltIn);

        Assert.True(loaded.Shape.Bidirectional);
        Assert.Equal("true", loaded.Metadata[ModelFile.Keys.Bidirectional]);
        Assert.True(loaded.Options!.Bidirectional);
        Assert.Equal(0.25f, loaded.Options.Dropout);
        Assert.Equal(ModelFiles.Logits(network, data, 6), ModelFiles.Logits(loaded.Network, data, 6));
    }

    [Fact]
    public void FileWithoutMetadata_WithReverseTensors_IsBidirectional()
    {
        string path = Path.Combine(_dir.Path, "torch.safetensors");
        using (var network = Bidirectional("gru", layers: 2))
        {
            SafetensorsWriter.Write(path, network.Shape.Tensors.Select(t => new TensorToWrite(t.Name, t.Shape, network.Parameters.AsMemory(t.Offset, t.Length))).ToList(), null);
        }

        using var loaded = ModelFile.Load(path, SimdRnn.Cells.CellCatalog.BuiltIn);
        Assert.True(loaded.Shape.Bidirectional);
        Assert.Equal("gru", loaded.Shape.Cell.Info.Name);
        Assert.Equal(2, loaded.Shape.Layers);
    }

    [Fact]
    public void MissingReverseTensor_IsNamed()
    {
        string path = Path.Combine(_dir.Path, "torch.safetensors");
        using (var network = Bidirectional("rnn", layers: 1))
        {
            SafetensorsWriter.Write(path, network.Shape.Tensors.Where(t => t.Name != "rnn.bias_hh_l0_reverse")
                .Select(t => new TensorToWrite(t.Name, t.Shape, network.Parameters.AsMemory(t.Offset, t.Length))).ToList(), null);
        }

        var e = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path, SimdRnn.Cells.CellCatalog.BuiltIn));
        Assert.Equal($"{path}: tensor 'rnn.bias_hh_l0_reverse': expected shape [5], found no such tensor", e.Message);
    }
}
