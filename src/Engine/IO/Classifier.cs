using System.Diagnostics;
using System.Numerics.Tensors;
using SimdRnn.Data;
using SimdRnn.Inference;
using SimdRnn.Model;
using SimdRnn.Training;

namespace SimdRnn.IO;

/// <summary>
/// Runs a network forward over sequences, in chunks on worker threads: class probabilities for
/// <c>simdrnn predict</c>, accuracy and the confusion matrix for <c>simdrnn eval</c>. The network is only read.
/// It runs a training <see cref="Network{T}"/>'s forward pass, or an <see cref="InferenceModel"/>'s sessions (which
/// is how an int8 model is evaluated: with the int8 kernels it runs on).
/// </summary>
public sealed class Classifier : IDisposable
{
    private readonly Network<float>? network;
    private readonly WorkerPool pool;
    private readonly ChunkWorkspace<float>[] workspaces;   // one per worker, for the network
    private readonly InferenceSession[] sessions;          // one per worker, for the inference model
    private readonly float[][] sequences;                  // [ChunkRows, T, I] one per worker, for the sessions
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
        sessions = [];
        sequences = [];
        Shape = network.Shape;
        ChunkRows = this.workspaces[0].Capacity;
        chunks = new Chunks(this);
    }

    /// <summary>Classifies with <paramref name="model"/>'s sessions, one per thread; the model stays the caller's.</summary>
    public Classifier(InferenceModel model, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        pool = new WorkerPool(Math.Max(1, threads));
        ownsThreads = true;
        workspaces = [];
        Shape = model.Shape;
        ChunkRows = Trainer.ChunkRows;
        sessions = Enumerable.Range(0, pool.Workers).Select(_ => model.CreateSession(ChunkRows)).ToArray();
        sequences = Enumerable.Range(0, pool.Workers).Select(_ => new float[ChunkRows * Shape.Steps * Shape.Inputs]).ToArray();
        chunks = new Chunks(this);
    }

    private int ChunkRows { get; }

    public NetworkShape Shape { get; }

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
        foreach (var session in sessions) session.Dispose();
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
            int rows = owner.ChunkRows, first = chunk * rows, n = Math.Min(rows, data!.Count - first), classes = owner.Shape.Classes;
            if (owner.network is null)
            {
                var batch = owner.sequences[worker];
                int length = data.SequenceLength;
                for (int r = 0; r < n; r++) data.CopySequence(first + r, batch.AsSpan(r * length, length));
                owner.sessions[worker].Predict(batch, n, probabilities.AsSpan(first * classes, n * classes));
                return;
            }

            var ws = owner.workspaces[worker];
            for (int r = 0; r < n; r++) ws.SetSequence(r, n, data, first + r);
            owner.network.Forward(ws, n);
            for (int r = 0; r < n; r++)
            {
                TensorPrimitives.SoftMax(ws.Logits.AsSpan(r * classes, classes), probabilities.AsSpan((first + r) * classes, classes));
            }
        }
    }
}
