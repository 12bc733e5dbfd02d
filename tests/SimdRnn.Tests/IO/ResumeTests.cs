using SimdRnn.Cells;
using SimdRnn.IO;
using SimdRnn.Tests.Data;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.IO;

/// <summary>Training 1 epoch, saving, loading and training 1 more gives the weights of 2 uninterrupted epochs.</summary>
public sealed class ResumeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(OptimizerKind.Adam, LearningRateSchedule.Cosine)]
    [InlineData(OptimizerKind.Sgd, LearningRateSchedule.Constant)]
    public void ResumedRun_MatchesUninterruptedRun(OptimizerKind optimizer, LearningRateSchedule schedule) =>
        CheckResume(TestCells.Rnn, TestCells.All, new TrainOptions
        {
            Cell = "rnn", Hidden = 8, Layers = 2, Batch = 100, Epochs = 3, LearningRate = 0.01f, Optimizer = optimizer, Schedule = schedule, Seed = 5, Threads = 2,
        });

    [BuiltInCellsFact]
    public void ResumedLstm_MatchesUninterruptedRun()
    {
        var cell = CellCatalog.Find(CellCatalog.BuiltIn, "lstm")!;
        CheckResume(cell, CellCatalog.BuiltIn, new TrainOptions { Cell = "lstm", Hidden = 8, Batch = 100, Epochs = 2, Seed = 3, Threads = 2 });
    }

    private void CheckResume(CellEntry cell, IReadOnlyList<CellEntry> cells, TrainOptions options)
    {
        var data = ModelFiles.Data(300);
        string path = Path.Combine(_dir.Path, "resume.safetensors");

        using var uninterrupted = new Trainer(cell, options, data);
        for (int epoch = 1; epoch <= options.Epochs; epoch++) Assert.True(uninterrupted.TrainEpoch(epoch).Completed);

        using (var first = new Trainer(cell, options with { Threads = 1 }, data))
        {
            Assert.True(first.TrainEpoch(1).Completed);
            ModelFile.Save(path, first.Network, new ModelCheckpoint { Epoch = 1, Options = options, Optimizer = OptimizerState.Capture(first.Optimizer) });
        }

        using var loaded = ModelFile.Load(path, cells);
        Assert.Equal(1, loaded.Epoch);
        using var resumed = new Trainer(loaded.Shape.Cell, loaded.Options!, data);
        loaded.RestoreInto(resumed);
        for (int epoch = loaded.Epoch!.Value + 1; epoch <= options.Epochs; epoch++) Assert.True(resumed.TrainEpoch(epoch).Completed);

        Assert.Equal(uninterrupted.Network.Parameters, resumed.Network.Parameters);
        Assert.Equal(uninterrupted.Optimizer.Steps, resumed.Optimizer.Steps);
    }
}
