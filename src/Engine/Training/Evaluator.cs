using System.Diagnostics;
using System.Numerics.Tensors;
using SimdRnn.Data;
using SimdRnn.Inference;
using SimdRnn.Model;

namespace SimdRnn.Training;

/// <summary>
/// How well a network does on a data set, by its head: for classifying heads the accuracy (per step for
/// <see cref="HeadKind.Tag"/>) and the confusion matrix (rows: true class, columns: predicted); for regression
/// heads the root mean squared and mean absolute errors. <see cref="Loss"/> is the mean training loss (cross-entropy
/// per prediction, or squared error per value), so <see cref="BitsPerPrediction"/> of a character model is its bits
/// per character.
/// </summary>
public sealed record Evaluation(Head Head, double Loss, double SamplesPerSecond)
{
    /// <summary>Correct predictions / predictions, for classifying heads.</summary>
    public double? Accuracy { get; init; }

    /// <summary>[C, C] counts, for classifying heads.</summary>
    public int[,]? Confusion { get; init; }

    /// <summary>sqrt(mean (y - t)^2) over every predicted value, for regression heads.</summary>
    public double? Rmse { get; init; }

    /// <summary>mean |y - t| over every predicted value, for regression heads.</summary>
    public double? Mae { get; init; }

    /// <summary>The mean cross-entropy in bits (<see cref="Loss"/> / ln 2), for classifying heads.</summary>
    public double? BitsPerPrediction => Head.Classifies ? Loss / Math.Log(2) : null;

    /// <summary>The figure that judges the run: accuracy for classifying heads, RMSE for regression.</summary>
    public double Score => Accuracy ?? Rmse ?? double.NaN;
}

/// <summary>
/// Runs a network forward over sequences, in chunks on worker threads: class probabilities or predicted values for
/// <c>simdrnn predict</c>, the metrics of <see cref="Evaluation"/> for <c>simdrnn eval</c> and training. The
/// network is only read. It runs a training <see cref="Network{T}"/>'s forward pass, or an <see cref="InferenceModel"/>'s
/// sessions (which is how an int8 model is evaluated: on the int8 kernels it runs on).
/// </summary>
public sealed class Evaluator : IDisposable
{
    private readonly Network<float>? network;
    private readonly WorkerPool pool;
    private readonly ChunkWorkspace<float>[] workspaces;   // one per worker, for the network
    private readonly InferenceSession[] sessions;          // one per worker, for the inference model
    private readonly float[][] sequences;                  // [ChunkRows, T, I] one per worker, for the sessions
    private readonly bool ownsThreads;
    private readonly Chunks chunks;

    public Evaluator(Network<float> network, int threads = 1)
        : this(network, new WorkerPool(Math.Max(1, threads)), null)
    {
    }

    /// <summary>Borrows a trainer's threads and workspaces (one per worker), or makes its own when none are given.</summary>
    internal Evaluator(Network<float> network, WorkerPool pool, ChunkWorkspace<float>[]? workspaces)
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

    /// <summary>Runs <paramref name="model"/>'s sessions, one per thread; the model stays the caller's.</summary>
    public Evaluator(InferenceModel model, int threads = 1)
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

    /// <summary>
    /// The head's predictions for every sequence of <paramref name="data"/>: [N, P, O] with P = 1, or T for a per-step
    /// head (sequence n at n*P*O, its step t at t*O); softmax probabilities for a classifying head, values for regression.
    /// </summary>
    /// <exception cref="ArgumentException">The data's steps or inputs differ from the network's.</exception>
    public float[] Predict(SequenceDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Steps != Shape.Steps || data.Inputs != Shape.Inputs)
        {
            throw new ArgumentException(
                $"The network reads {Shape.Steps} steps of {Shape.Inputs} inputs; the data has {data.Steps} steps of {data.Inputs}.", nameof(data));
        }

        var predictions = new float[(long)data.Count * Shape.OutputsPerSequence];
        chunks.Prepare(data, predictions);
        pool.Run((data.Count + ChunkRows - 1) / ChunkRows, chunks);
        return predictions;
    }

    /// <summary>The head's metrics on <paramref name="data"/>, whose targets must be for the same kind of head.</summary>
    public Evaluation Evaluate(SequenceDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var head = Shape.Head;
        if (data.Head.Kind != head.Kind)
        {
            throw new ArgumentException($"The network's head is {head.Name}; the data's targets are for {data.Head.Name}.", nameof(data));
        }

        var clock = Stopwatch.StartNew();
        var predictions = Predict(data);
        int outputs = head.Outputs, perSequence = data.PredictionsPerSequence;

        // A per-step head is judged on each sequence's own steps only: the rest is padding.
        long count = 0;
        for (int n = 0; n < data.Count; n++) count += Judged(data, n, perSequence);
        if (head.Classifies)
        {
            var confusion = new int[outputs, outputs];
            long correct = 0;
            double loss = 0;
            for (int n = 0; n < data.Count; n++)
            {
                var labels = data.LabelsOf(n);
                for (int p = 0, judged = Judged(data, n, perSequence); p < judged; p++)
                {
                    var row = predictions.AsSpan((int)(((long)n * perSequence + p) * outputs), outputs);
                    int predicted = TensorPrimitives.IndexOfMax<float>(row), label = labels[p];
                    if (label >= outputs) throw new ArgumentException($"Label {label} of sequence {n} is not one of the network's {outputs} classes.", nameof(data));
                    confusion[label, predicted]++;
                    if (predicted == label) correct++;
                    loss -= Math.Log(Math.Max(row[label], float.Epsilon));
                }
            }

            return new Evaluation(head, loss / Math.Max(1, count), Rate(data, clock))
            {
                Accuracy = count == 0 ? 0 : (double)correct / count,
                Confusion = confusion,
            };
        }

        double squares = 0, absolutes = 0;
        for (int n = 0; n < data.Count; n++)
        {
            var all = data.TargetsOf(n);
            var predicted = predictions.AsSpan((int)((long)n * all.Length), Judged(data, n, perSequence) * outputs);
            var targets = all[..predicted.Length];
            for (int k = 0; k < targets.Length; k++)
            {
                double difference = (double)predicted[k] - targets[k];
                squares += difference * difference;
                absolutes += Math.Abs(difference);
            }
        }

        long values = Math.Max(1, count * outputs);
        return new Evaluation(head, squares / values, Rate(data, clock))
        {
            Rmse = Math.Sqrt(squares / values),
            Mae = absolutes / values,
        };
    }

    // Predictions of sequence n that count: all of a last-step head's one, a per-step head's within the sequence's length.
    private static int Judged(SequenceDataset data, int n, int perSequence) => perSequence == 1 ? 1 : data.Length(n);

    private static double Rate(SequenceDataset data, Stopwatch clock) => data.Count / Math.Max(clock.Elapsed.TotalSeconds, 1e-9);

    public void Dispose()
    {
        if (!ownsThreads) return;
        pool.Dispose();
        foreach (var workspace in workspaces) workspace.Dispose();
        foreach (var session in sessions) session.Dispose();
    }

    private sealed class Chunks(Evaluator owner) : IWorkItems
    {
        private SequenceDataset? data;
        private float[] predictions = [];

        public void Prepare(SequenceDataset dataset, float[] destination)
        {
            data = dataset;
            predictions = destination;
        }

        // The chunk's outputs are [P, n, O] time-major; the result is [N, P, O] sequence-major.
        public void Run(int chunk, int worker)
        {
            var shape = owner.Shape;
            int rows = owner.ChunkRows, first = chunk * rows, n = Math.Min(rows, data!.Count - first), outputs = shape.Outputs;
            int perSequence = shape.Head.PredictionsPerSequence(shape.Steps);
            if (owner.network is null)
            {
                // A session writes sequence-major [n, P, O] already, softmax applied for a classifying head.
                var batch = owner.sequences[worker];
                int length = data.SequenceLength, stride = perSequence * outputs;
                for (int r = 0; r < n; r++) data.CopySequence(first + r, batch.AsSpan(r * length, length));
                owner.sessions[worker].Predict(batch, n, predictions.AsSpan((int)((long)first * stride), n * stride));
                return;
            }

            var ws = owner.workspaces[worker];
            for (int r = 0; r < n; r++) ws.SetSequence(r, n, data, first + r);
            owner.network.Forward(ws, n);
            for (int r = 0; r < n; r++)
            {
                for (int p = 0; p < perSequence; p++)
                {
                    var source = ws.Outputs.AsSpan((p * n + r) * outputs, outputs);
                    var destination = predictions.AsSpan((int)(((long)(first + r) * perSequence + p) * outputs), outputs);
                    if (shape.Head.Classifies) TensorPrimitives.SoftMax(source, destination);
                    else source.CopyTo(destination);
                }
            }
        }
    }
}
