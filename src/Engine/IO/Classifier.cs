using System.Diagnostics;
using System.Numerics.Tensors;
using SimdRnn.Data;
using SimdRnn.Model;
using SimdRnn.Training;

namespace SimdRnn.IO;

/// <summary>
/// Runs a network forward over sequences, in chunks on worker threads: class probabilities for
/// <c>simdrnn predict</c>, accuracy and the confusion matrix for <c>simdrnn eval</c>. The network is only read.
/// </summary>
public sealed class Classifier : IDisposable
{
    private readonly Network<float> network;
    private readonly WorkerPool pool;
    private readonly ChunkWorkspace<float>[] workspaces;   // one per worker
    private readonly bool ownsThreads;
    private readonly Chunks chunks;

    public Classifier(Network<float> network, int threads = 1)
        : this(network, new WorkerPool(Math.Max(1, threads)), null)
    {
    }

    /// <summary>Borrows a trainer's threads and workspaces (one per worker), or makes its own when none are given.</summary>
    internal Classifier(Network<float> network, WorkerPool pool, ChunkWorkspace<float>[]? workspaces)
    {
        this.network = network;
        this.pool = pool;
        ownsThreads = workspaces is null;
        this.workspaces = workspaces ?? Enumerable.Range(0, pool.Workers).Select(_ => network.CreateWorkspace(Trainer.ChunkRows)).ToArray();
        chunks = new Chunks(this);
    }

    private int ChunkRows => workspaces[0].Capacity;

    public NetworkShape Shape => network.Shape;

    /// <summary>The softmax probabilities [N, C] of every sequence of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The data's steps or inputs differ from the network's.</exception>
    public float[] Probabilities(SequenceDataset data)
    {
        if (data.Steps != Shape.Steps || data.Inputs != Shape.Inputs)
        {
            throw new ArgumentException(
                $"The network reads {Shape.Steps} steps of {Shape.Inputs} inputs; the data has {data.Steps} steps of {data.Inputs}.", nameof(data));
        }

        var probabilities = new float[data.Count * Shape.Classes];
        chunks.Prepare(data, probabilities);
        pool.Run((data.Count + ChunkRows - 1) / ChunkRows, chunks);
        return probabilities;
    }

    /// <summary>Accuracy, mean cross-entropy and the confusion matrix (rows: true class, columns: predicted).</summary>
    public Evaluation Evaluate(SequenceDataset data)
    {
        var clock = Stopwatch.StartNew();
        var probabilities = Probabilities(data);
        int classes = Shape.Classes, correct = 0;
        var confusion = new int[classes, classes];
        double loss = 0;
        for (int n = 0; n < data.Count; n++)
        {
            var row = probabilities.AsSpan(n * classes, classes);
            int predicted = TensorPrimitives.IndexOfMax<float>(row), label = data.Label(n);
            if (label >= classes) throw new ArgumentException($"Label {label} at index {n} is not one of the network's {classes} classes.", nameof(data));
            confusion[label, predicted]++;
            if (predicted == label) correct++;
            loss -= Math.Log(Math.Max(row[label], float.Epsilon));
        }

        double seconds = clock.Elapsed.TotalSeconds;
        return new Evaluation(data.Count == 0 ? 0 : (double)correct / data.Count, loss / Math.Max(1, data.Count), confusion, data.Count / Math.Max(seconds, 1e-9));
    }

    public void Dispose()
    {
        if (!ownsThreads) return;
        pool.Dispose();
        foreach (var workspace in workspaces) workspace.Dispose();
    }

    private sealed class Chunks(Classifier owner) : IWorkItems
    {
        private SequenceDataset? data;
        private float[] probabilities = [];

        public void Prepare(SequenceDataset dataset, float[] destination)
        {
            data = dataset;
            probabilities = destination;
        }

        public void Run(int chunk, int worker)
        {
            var ws = owner.workspaces[worker];
            int rows = owner.ChunkRows, first = chunk * rows, n = Math.Min(rows, data!.Count - first), classes = owner.Shape.Classes;
            for (int r = 0; r < n; r++) ws.SetSequence(r, n, data, first + r);
            owner.network.Forward(ws, n);
            for (int r = 0; r < n; r++)
            {
                TensorPrimitives.SoftMax(ws.Logits.AsSpan(r * classes, classes), probabilities.AsSpan((first + r) * classes, classes));
            }
        }
    }
}
