using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.Model;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.Training;

/// <summary>The training memory known before training: the workspaces' size from the shape, and what it grows with.</summary>
public sealed class TrainingMemoryTests
{
    public static TheoryData<string> Cells() => new(CellCatalog.BuiltIn.Select(c => c.Info.Name));

    [Theory]
    [MemberData(nameof(Cells))]
    public void WorkspaceBytes_FromTheShape_AreWhatTheWorkspaceAllocates(string name)
    {
        var cell = CellCatalog.Find(CellCatalog.BuiltIn, name)!;
        NetworkShape[] shapes =
        [
            new(cell, 784, 1, 16, 1, Head.Classify(10)),
            new(cell, 7, 3, 5, 2, new Head(HeadKind.RegressSteps, 2), bidirectional: true),
            new(cell, 5, 4, 6, 3, new Head(HeadKind.Tag, 4)),
        ];
        foreach (var shape in shapes)
        {
            foreach (bool dropout in new[] { false, true })
            {
                using var network = new Network<float>(shape);
                using var workspace = network.CreateWorkspace(13, dropout);
                Assert.Equal(workspace.AllocatedBytes(), ChunkWorkspace<float>.Bytes(shape, 13, dropout));
            }
        }
    }

    [Fact]
    public void Workspaces_GrowWithTheStepsAndTheWorkers_NotWithTheBatch()
    {
        var data = Sequences(count: 1100, steps: 50, inputs: 1);
        var lstm = CellCatalog.Find(CellCatalog.BuiltIn, "lstm")!;
        TrainingMemory MemoryOf(int batch, int threads)
        {
            using var trainer = new Trainer(lstm, new TrainOptions { Hidden = 16, Batch = batch, Threads = threads }, data);
            return trainer.Memory;
        }

        var small = MemoryOf(128, 2);
        var large = MemoryOf(1024, 2);
        var one = MemoryOf(1024, 1);

        Assert.Equal((2, 64, 50, 2), (small.Workspaces, small.ChunkRows, small.Steps, small.Chunks));
        Assert.Equal((2, small.WorkspaceBytes, 16), (large.Workspaces, large.WorkspaceBytes, large.Chunks));
        Assert.Equal(1, one.Workspaces);
        Assert.Equal(small.WorkspaceBytes, one.WorkspaceBytes);
        int parameters = new NetworkShape(lstm, 50, 1, 16, 1, Head.Classify(3)).ParameterCount;
        Assert.Equal((long)parameters * sizeof(float) * (2 + 16 + 2), large.ParameterBytes);
        Assert.Equal(2 * small.WorkspaceBytes + small.ParameterBytes, small.TotalBytes);
    }

    [Fact]
    public void Memory_Text_SaysWhatEachPartHolds()
    {
        var memory = new TrainingMemory(2, 300L << 20, 64, 784, 2, 3L << 20);

        Assert.Equal("workspaces 600 MB (2 chunks of 64 rows x 784 steps at a time), parameters, gradients and optimizer 3 MB (2 chunk gradients); 603 MB besides the data", memory.ToString());
    }

    [Fact]
    public void Epoch_OfPixelLongSequences_IsBitIdenticalForAnyThreadCount()
    {
        var data = Sequences(count: 150, steps: 784, inputs: 1);
        float[] Train(int threads)
        {
            using var trainer = new Trainer(CellCatalog.Find(CellCatalog.BuiltIn, "lstm")!, new TrainOptions { Hidden = 8, Batch = 150, Threads = threads }, data);
            trainer.TrainEpoch(1);
            return trainer.Network.Parameters.ToArray();
        }

        Assert.Equal(Train(1), Train(2));
    }

    // Three classes told apart by the mean of the sequence.
    private static SequenceDataset Sequences(int count, int steps, int inputs)
    {
        var random = new Random(4);
        var values = new float[count * steps * inputs];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            labels[n] = n % 3;
            for (int i = 0; i < steps * inputs; i++) values[n * steps * inputs + i] = random.NextSingle() * 0.5f + labels[n] * 0.25f;
        }

        return new SequenceDataset(values, labels, steps, inputs, classes: 3);
    }
}
