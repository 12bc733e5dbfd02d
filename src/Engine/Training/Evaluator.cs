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
    private readonly int[][] lengths;                      // [ChunkRows] one per worker, for the sessions
    private readonly float[][] sessionOutputs;             // [ChunkRows, P, O] one per worker, for the sessions
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
        lengths = [];
        sessionOutputs = [];
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
        lengths = Enumerable.Range(0, pool.Workers).Select(_ => new int[ChunkRows]).ToArray();
        sessionOutputs = Enumerable.Range(0, pool.Workers).Select(_ => new float[ChunkRows * Shape.OutputsPerSequence]).ToArray();
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
        CheckShape(data);
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

        CheckShape(data);
        if (head.Classifies && data.Head.Outputs > head.Outputs)
        {
            var labels = data.Labels;
            for (int i = 0; i < labels.Length; i++)
            {
                if (labels[i] >= head.Outputs)
                {
                    throw new ArgumentException($"Label {labels[i]} of sequence {i / data.PredictionsPerSequence} is not one of the network's {head.Outputs} classes.", nameof(data));
                }
            }
        }

        var clock = Stopwatch.StartNew();
        int chunkCount = (data.Count + ChunkRows - 1) / ChunkRows;
        var sums = new ChunkSums[chunkCount];
        var confusions = head.Classifies ? Enumerable.Range(0, pool.Workers).Select(_ => new int[head.Outputs, head.Outputs]).ToArray() : null;
        chunks.PrepareMetrics(data, sums, confusions);
        pool.Run(chunkCount, chunks);

        // Sums in chunk order, so the figures do not depend on the thread count; counts are integers.
        var total = new ChunkSums();
        foreach (var chunk in sums) total.Add(chunk);
        long count = Math.Max(1, total.Predictions);
        if (head.Classifies)
        {
            var confusion = confusions![0];
            for (int w = 1; w < confusions.Length; w++)
            {
                for (int r = 0; r < head.Outputs; r++)
                {
                    for (int c = 0; c < head.Outputs; c++) confusion[r, c] += confusions[w][r, c];
                }
            }

            return new Evaluation(head, total.Loss / count, Rate(data, clock))
            {
                Accuracy = total.Predictions == 0 ? 0 : (double)total.Correct / total.Predictions,
                Confusion = confusion,
            };
        }

        long values = count * head.Outputs;
        return new Evaluation(head, total.Loss / values, Rate(data, clock))
        {
            Rmse = Math.Sqrt(total.Loss / values),
            Mae = total.Absolutes / values,
        };
    }

    private void CheckShape(SequenceDataset data)
    {
        if (data.Steps != Shape.Steps || data.Inputs != Shape.Inputs)
        {
            throw new ArgumentException(
                $"The network reads {Shape.Steps} steps of {Shape.Inputs} inputs; the data has {data.Steps} steps of {data.Inputs}.", nameof(data));
        }
    }

    /// <summary>One chunk's share of an evaluation: judged predictions, correct ones, the summed loss (cross-entropy, or squared error) and absolute errors.</summary>
    private struct ChunkSums
    {
        public long Predictions, Correct;
        public double Loss, Absolutes;

        public void Add(ChunkSums other)
        {
            Predictions += other.Predictions;
            Correct += other.Correct;
            Loss += other.Loss;
            Absolutes += other.Absolutes;
        }
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

    /// <summary>
    /// Runs chunks forward and either writes their predictions ([N, P, O], for <see cref="Predict"/>) or adds up their
    /// metrics (for <see cref="Evaluate"/>, which so needs no buffer of every prediction: a character model's test text
    /// has millions).
    /// </summary>
    private sealed class Chunks(Evaluator owner) : IWorkItems
    {
        private SequenceDataset? data;
        private float[]? predictions;
        private ChunkSums[]? sums;
        private int[][,]? confusions;   // one per worker

        public void Prepare(SequenceDataset dataset, float[] destination)
        {
            data = dataset;
            predictions = destination;
            sums = null;
        }

        public void PrepareMetrics(SequenceDataset dataset, ChunkSums[] chunkSums, int[][,]? workerConfusions)
        {
            data = dataset;
            predictions = null;
            sums = chunkSums;
            confusions = workerConfusions;
        }

        // The network's outputs are logits [P, n, O] time-major; a session's are [n, P, O] sequence-major, softmax
        // already applied for a classifying head. Predictions are [N, P, O] sequence-major.
        public void Run(int chunk, int worker)
        {
            var shape = owner.Shape;
            int rows = owner.ChunkRows, first = chunk * rows, n = Math.Min(rows, data!.Count - first), outputs = shape.Outputs;
            int perSequence = shape.Head.PredictionsPerSequence(shape.Steps);
            bool session = owner.network is null;
            if (session)
            {
                var batch = owner.sequences[worker];
                var rowLengths = owner.lengths[worker].AsSpan(0, n);
                int length = data.SequenceLength;
                for (int r = 0; r < n; r++)
                {
                    data.CopySequence(first + r, batch.AsSpan(r * length, length));
                    rowLengths[r] = data.Length(first + r);
                }

                owner.sessions[worker].Predict(batch, n, rowLengths, owner.sessionOutputs[worker].AsSpan(0, n * perSequence * outputs));
            }
            else
            {
                var ws = owner.workspaces[worker];
                for (int r = 0; r < n; r++) ws.SetSequence(r, n, data, first + r);
                owner.network!.Forward(ws, n);
            }

            var chunkSums = new ChunkSums();
            for (int r = 0; r < n; r++)
            {
                int judged = predictions is null ? Judged(data, first + r, perSequence) : perSequence;
                for (int p = 0; p < judged; p++)
                {
                    var source = session
                        ? owner.sessionOutputs[worker].AsSpan((r * perSequence + p) * outputs, outputs)
                        : owner.workspaces[worker].Outputs.AsSpan((p * n + r) * outputs, outputs);
                    if (predictions is not null)
                    {
                        var destination = predictions.AsSpan((int)(((long)(first + r) * perSequence + p) * outputs), outputs);
                        if (shape.Head.Classifies && !session) TensorPrimitives.SoftMax(source, destination);
                        else source.CopyTo(destination);
                    }
                    else if (shape.Head.Classifies)
                    {
                        int label = data.LabelsOf(first + r)[p], predicted = TensorPrimitives.IndexOfMax<float>(source);
                        confusions![worker][label, predicted]++;
                        if (predicted == label) chunkSums.Correct++;
                        chunkSums.Loss += session ? -Math.Log(Math.Max(source[label], float.Epsilon)) : HeadLoss.CrossEntropy<float>(source, label);
                        chunkSums.Predictions++;
                    }
                    else
                    {
                        var targets = data.TargetsOf(first + r).Slice(p * outputs, outputs);
                        for (int k = 0; k < outputs; k++)
                        {
                            double difference = (double)source[k] - targets[k];
                            chunkSums.Loss += difference * difference;
                            chunkSums.Absolutes += Math.Abs(difference);
                        }

                        chunkSums.Predictions++;
                    }
                }
            }

            if (sums is not null) sums[chunk] = chunkSums;
        }
    }
}
