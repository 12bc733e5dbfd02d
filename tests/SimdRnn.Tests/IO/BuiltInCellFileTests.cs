using SimdRnn.Cells;
using SimdRnn.IO;
using SimdRnn.Tests.Data;
using Xunit;

namespace SimdRnn.Tests.IO;

/// <summary>Model files of the generated built-in cells (skipped while the registry is empty).</summary>
public sealed class BuiltInCellFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [BuiltInCellsFact]
    public void EveryBuiltInCell_RoundTripsWithIdenticalPredictions()
    {
        var data = ModelFiles.Data(5);
        foreach (var cell in CellCatalog.BuiltIn)
        {
            string path = Path.Combine(_dir.Path, $"{cell.Info.Name}.safetensors");
            using var network = ModelFiles.Network(cell, hidden: 7, layers: 2);
            ModelFile.Save(path, network);

            using var loaded = ModelFile.Load(path, CellCatalog.BuiltIn);

            Assert.Same(cell, loaded.Shape.Cell);
            Assert.Equal(network.Parameters, loaded.Network.Parameters);
            Assert.Equal(ModelFiles.Logits(network, data, 5), ModelFiles.Logits(loaded.Network, data, 5));
        }
    }

    [BuiltInCellsFact]
    public void BuiltInNames_AreThoseTheLoaderInfersFromGateCounts()
    {
        Assert.Equal(1, CellCatalog.Find(CellCatalog.BuiltIn, "rnn")!.Info.GateCount);
        Assert.Equal(3, CellCatalog.Find(CellCatalog.BuiltIn, "gru")!.Info.GateCount);
        Assert.Equal(4, CellCatalog.Find(CellCatalog.BuiltIn, "lstm")!.Info.GateCount);
    }

    [BuiltInCellsFact]
    public void PyTorchStateDicts_LoadAsRnnGruAndLstm()
    {
        foreach (var (gates, name) in new[] { (1, "rnn"), (3, "gru"), (4, "lstm") })
        {
            string path = Path.Combine(_dir.Path, $"torch-{name}.safetensors");
            ModelFiles.WriteTensors(path, ModelFiles.PyTorchTensors(gates, inputs: 28, hidden: 16, layers: 2, classes: 10));

            using var loaded = ModelFile.Load(path, CellCatalog.BuiltIn);

            Assert.Equal(name, loaded.Shape.Cell.Info.Name);
            Assert.Equal((28, 16, 2, 10), (loaded.Shape.Inputs, loaded.Shape.Hidden, loaded.Shape.Layers, loaded.Shape.Outputs));
        }
    }

    [BuiltInCellsFact]
    public void PyTorchRnn_LoadsAsRnnReluWhenTold()
    {
        string path = Path.Combine(_dir.Path, "torch-relu.safetensors");
        ModelFiles.WriteTensors(path, ModelFiles.PyTorchTensors(1, inputs: 28, hidden: 4, layers: 1, classes: 10));

        using var loaded = ModelFile.Load(path, CellCatalog.BuiltIn, cellOverride: "rnn-relu");

        Assert.Equal("rnn-relu", loaded.Shape.Cell.Info.Name);
    }
}
