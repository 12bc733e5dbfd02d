using System.Diagnostics;
using System.Numerics.Tensors;
using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.IO;
using SimdRnn.Model;

namespace SimdRnn.Training;

/// <summary>Progress inside an epoch.</summary>
public readonly record struct EpochProgress(int Samples, int TotalSamples, double AverageCost, double Seconds);

/// <summary>One epoch's figures, as the CLI prints them; <see cref="Cost"/> is the mean loss per loss term (<see cref="HeadLoss"/>).</summary>
public sealed record EpochResult(int Epoch, double Cost, double SamplesPerSecond, double Seconds, bool Completed);

/// <summary>
/// Mini-batch training. Each batch is split into fixed chunks of <see cref="ChunkRows"/> sequences that
/// run forward and backward on the worker threads with no synchronisation inside the sequence; chunk
/// gradients are then summed in chunk order, so the result is bit-identical for any thread count. The update
/// after the chunks (the sum, the norm for clipping, the optimizer step, the re-packing of the weights) runs on
/// the workers too, over fixed slices of the parameters, so it does not serialise the batch (see <see cref="BatchUpdate"/>).
/// </summary>
public sealed class Trainer : IEpochTrainer, IDisposable
{
    /// <summary>Sequences per chunk: part of the arithmetic (the gradient summation order), never of the thread count.</summary>
    public const int ChunkRows = 64;

    /// <summary>
    /// Slices the per-batch update splits the parameters into: part of the arithmetic (the gradient norm is summed
    /// slice by slice), never of the thread count. Enough for the workers of a large machine to share.
    /// </summary>
    private const int UpdateSlices = 32;

    private readonly SequenceDataset train;
    private readonly WorkerPool pool;
    private readonly ChunkWorkspace<float>[] workspaces;   // one per worker
    private readonly float[][] chunkGradients;             // one per chunk of a batch
    private readonly double[] chunkLosses;
    private readonly int[] order;
    private readonly long[] lengthKeys;                    // [N] bucketing's sort keys; empty for fixed-length data
    private readonly int[] batchOrder;                     // [batches] the order in which an epoch's batches run
    private readonly float[] gradients;
    private readonly TrainChunks trainChunks;
    private readonly BatchUpdate batchUpdate;
    private readonly Evaluator evaluator;
    private readonly int batchesPerEpoch;
    private readonly int lossTermsPerSequence;

    public Trainer(CellEntry cell, TrainOptions options, SequenceDataset train)
    {
        Options = options;
        this.train = train;
        Shape = new NetworkShape(cell, train.Steps, train.Inputs, options.Hidden, options.Layers, train.Head, options.Bidirectional);
        lossTermsPerSequence = HeadLoss.TermsPerSequence(Shape.Head, Shape.Steps);

        // A batch never holds more rows than the training set, so a --batch far above it costs no gradient buffers
        // (each chunk has a whole parameter-sized buffer) and changes no arithmetic.
        int chunks = (Math.Min(options.Batch, train.Count) + ChunkRows - 1) / ChunkRows;
        int workers = Math.Min(Math.Max(1, options.Threads), chunks), workspaceRows = Math.Min(ChunkRows, options.Batch);
        bool dropout = options.Dropout > 0;
        int optimizerBuffers = options.Optimizer == OptimizerKind.Adam ? 2 : 1;
        Memory = new TrainingMemory(workers, ChunkWorkspace<float>.Bytes(Shape, workspaceRows, dropout), workspaceRows, Shape.Steps, chunks,
            (long)Shape.ParameterCount * sizeof(float) * (2 + chunks + optimizerBuffers));
        CheckMemory(Memory);
        Network = new Network<float>(Shape);
        Initializer.Initialize<float>(Shape, Network.Parameters, options.Seed);
        Network.ParametersChanged();

        pool = new WorkerPool(workers);
        workspaces = Enumerable.Range(0, pool.Workers).Select(_ => Network.CreateWorkspace(workspaceRows, dropout)).ToArray();
        chunkGradients = Enumerable.Range(0, chunks).Select(_ => new float[Shape.ParameterCount]).ToArray();
        chunkLosses = new double[chunks];
        gradients = new float[Shape.ParameterCount];
        order = new int[train.Count];
        Optimizer = options.Optimizer == OptimizerKind.Adam
            ? new Adam(Shape.ParameterCount)
            : new Sgd(Shape.ParameterCount, options.Momentum);
        trainChunks = new TrainChunks(this);
        batchUpdate = new BatchUpdate(this);
        evaluator = new Evaluator(Network, pool, workspaces);
        batchesPerEpoch = (train.Count + options.Batch - 1) / options.Batch;
        lengthKeys = train.HasVariableLengths ? new long[train.Count] : [];
        batchOrder = new int[batchesPerEpoch];
    }

    public TrainOptions Options { get; }

    /// <summary>What the run holds besides the data: the workspaces and the parameter-sized buffers, from the shape alone.</summary>
    public TrainingMemory Memory { get; }

    /// <summary>
    /// Refuses, before allocating, a run whose workspaces and parameter-sized buffers (weights, summed gradients, one
    /// gradient per chunk, the optimizer's moments) would not fit in the memory the process may use, rather than let
    /// it take the machine's memory and fail part-way.
    /// </summary>
    private void CheckMemory(TrainingMemory memory)
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && memory.TotalBytes > available)
        {
            throw new InsufficientMemoryException(
                $"Training needs about {memory.TotalBytes / (1 << 20):N0} MB for {Shape.ParameterCount:N0} parameters, their gradients for {memory.Chunks} chunks of {ChunkRows} sequences, the optimizer state " +
                $"and {memory.Workspaces} workspace{(memory.Workspaces == 1 ? "" : "s")} of {memory.ChunkRows} rows x {memory.Steps} steps ({memory.WorkspaceBytes / (1 << 20):N0} MB each), " +
                $"more than the {available / (1 << 20):N0} MB this process may use; use a smaller --hidden, --layers or --batch, or fewer --threads (a workspace each).");
        }
    }

    public NetworkShape Shape { get; }

    public Network<float> Network { get; }

    public IOptimizer Optimizer { get; }

    /// <summary>Threads that run chunks: at most <see cref="TrainOptions.Threads"/>, at most the chunks of a batch.</summary>
    public int Workers => pool.Workers;

    /// <summary>Time steps trained so far: the sum of the lengths of every sequence of every batch.</summary>
    public long StepsTrained { get; private set; }

    /// <summary>The global gradient norm of the last batch, before clipping.</summary>
    public double LastGradientNorm { get; private set; }

    /// <summary>
    /// Multiplies every learning rate of <see cref="LearningRate"/>: 1 unless lowered after a divergence
    /// (<see cref="Fit"/> with <see cref="DivergencePolicy.Recover"/>).
    /// </summary>
    public float LearningRateFactor { get; set; } = 1f;

    /// <summary>
    /// Trains one epoch (numbered from 1) in an order shuffled from the seed and the epoch number, so an
    /// epoch does not depend on the ones before it. Sequences of different lengths are bucketed: see
    /// <see cref="Order"/>. Stops early, with <see cref="EpochResult.Completed"/> false, on cancellation
    /// (after the current batch) or when the loss stops being finite.
    /// </summary>
    public EpochResult TrainEpoch(int epoch, Action<EpochProgress>? progress = null, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        Order(epoch);

        double costSum = 0, terms = 0;
        int samples = 0;
        bool completed = true;
        for (int batch = 0; batch < batchesPerEpoch; batch++)
        {
            if (cancellation.IsCancellationRequested)
            {
                completed = false;
                break;
            }

            int start = batchOrder[batch] * Options.Batch, rows = Math.Min(Options.Batch, train.Count - start);
            double loss = TrainBatch(start, rows, LearningRate(epoch, batch), epoch, batch);
            costSum += loss;
            terms += LossTerms(start, rows);
            samples += rows;
            if (!double.IsFinite(loss))
            {
                completed = false;
                break;
            }

            progress?.Invoke(new EpochProgress(samples, train.Count, costSum / samples, clock.Elapsed.TotalSeconds));
        }

        double seconds = clock.Elapsed.TotalSeconds;
        return new EpochResult(epoch, samples == 0 ? double.NaN : costSum / terms, samples / seconds, seconds, completed);
    }

    // The loss terms of order[start..start+rows): per sequence, or for a per-step head per valid step (padding has none).
    private long LossTerms(int start, int rows)
    {
        if (!Shape.Head.PerStep || lengthKeys.Length == 0) return (long)rows * lossTermsPerSequence;
        long steps = 0;
        for (int r = 0; r < rows; r++) steps += train.Length(order[start + r]);
        return steps * (lossTermsPerSequence / Shape.Steps);
    }

    /// <summary>
    /// The epoch's sequence order and batch order, from the seed and the epoch number alone. Fixed-length data:
    /// a shuffle, batches in turn. Data of different lengths: the shuffle, then sorted by length, longest
    /// first (ties stay shuffled), cut into batches that run in a shuffled order, so each batch holds sequences
    /// of about one length and every chunk's rows are longest first (its steps run over the live rows only).
    /// </summary>
    private void Order(int epoch)
    {
        var random = new Random(unchecked(Options.Seed * 1_000_003 + epoch));
        for (int i = 0; i < order.Length; i++) order[i] = i;
        random.Shuffle(order);
        for (int b = 0; b < batchOrder.Length; b++) batchOrder[b] = b;
        if (lengthKeys.Length == 0) return;

        // The key is -length * N + position in the shuffle: unique, so the (unstable) sort has one result.
        for (int i = 0; i < order.Length; i++) lengthKeys[i] = -(long)train.Length(order[i]) * order.Length + i;
        Array.Sort(lengthKeys, order);
        random.Shuffle(batchOrder);
    }

    /// <summary>The learning rate of a batch under <see cref="TrainOptions.Schedule"/>.</summary>
    public float LearningRate(int epoch, int batch)
    {
        float rate = Options.LearningRate * LearningRateFactor;
        if (Options.Schedule == LearningRateSchedule.Constant) return rate;
        double progress = ((epoch - 1) * (double)batchesPerEpoch + batch) / (Options.Epochs * (double)batchesPerEpoch);
        return (float)(rate * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(progress, 1))));
    }

    // One optimizer step on order[start..start+rows); returns the summed loss of the batch (over its loss terms).
    // Epoch and batch key the dropout masks.
    internal double TrainBatch(int start, int rows, float learningRate, int epoch = 1, int batch = 0)
    {
        trainChunks.Prepare(start, rows, epoch, batch, 1f / LossTerms(start, rows));
        int chunks = (rows + ChunkRows - 1) / ChunkRows;
        pool.Run(chunks, trainChunks);

        double loss = 0;
        for (int c = 0; c < chunks; c++) loss += chunkLosses[c];
        for (int r = 0; r < rows; r++) StepsTrained += train.Length(order[start + r]);

        LastGradientNorm = batchUpdate.Run(chunks, learningRate);
        return loss;
    }

    /// <summary>The head's metrics on <paramref name="data"/> with the current weights, on the training threads.</summary>
    public Evaluation Evaluate(SequenceDataset data) => evaluator.Evaluate(data);

    /// <summary>A copy of the weights and the optimizer's state, to go back to with <see cref="Restore"/>.</summary>
    public TrainingSnapshot Snapshot() => TrainingSnapshot.Capture(Network.Parameters, Optimizer);

    /// <summary>Puts back the weights and optimizer state of <paramref name="snapshot"/>.</summary>
    public void Restore(TrainingSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        snapshot.RestoreInto(Network.Parameters, Optimizer);
        Network.ParametersChanged();
    }

    public void Dispose()
    {
        pool.Dispose();
        foreach (var workspace in workspaces) workspace.Dispose();
        Network.Dispose();
    }

    /// <summary>
    /// The update after a batch's chunks, on the workers: (1) per slice of the parameters, the sum of the chunks'
    /// gradients in chunk order and the slice's sum of squares; then, on the caller, the global norm from the slices'
    /// sums in slice order and the clipping scale; (2) per slice, the clipping and the optimizer's update; (3) per
    /// group of packed weights, the re-packing. Every element's arithmetic is the whole-buffer arithmetic, and the
    /// norm's order is the slices', so the result does not depend on how many workers share the items.
    /// </summary>
    private sealed class BatchUpdate : IWorkItems
    {
        private enum Phase { Sum, Step, Repack }

        private readonly Trainer trainer;
        private readonly int sliceLength, slices;
        private readonly float[] sliceSquares;
        private Phase phase;
        private int chunks;
        private float scale, learningRate;

        public BatchUpdate(Trainer trainer)
        {
            this.trainer = trainer;
            int parameters = trainer.gradients.Length;

            // Whole 64-float blocks (cache lines and vectors of every width) per slice.
            sliceLength = Math.Max(64, ((parameters + UpdateSlices - 1) / UpdateSlices + 63) / 64 * 64);
            slices = (parameters + sliceLength - 1) / sliceLength;
            sliceSquares = new float[slices];
        }

        /// <summary>Runs the update of a batch of <paramref name="batchChunks"/> chunks; returns the gradient norm before clipping.</summary>
        public double Run(int batchChunks, float rate)
        {
            var pool = trainer.pool;
            chunks = batchChunks;
            phase = Phase.Sum;
            pool.Run(slices, this);

            double squares = 0;
            for (int s = 0; s < slices; s++) squares += sliceSquares[s];
            float norm = (float)Math.Sqrt(squares);
            scale = GradientClipping.Scale(norm, trainer.Options.Clip);
            learningRate = rate;

            trainer.Optimizer.BeginStep();
            phase = Phase.Step;
            pool.Run(slices, this);
            phase = Phase.Repack;
            pool.Run(trainer.Network.PackedWeightGroups, this);
            return norm;
        }

        public void Run(int item, int worker)
        {
            if (phase == Phase.Repack)
            {
                trainer.Network.RefreshPackedWeights(item);
                return;
            }

            int start = item * sliceLength, length = Math.Min(sliceLength, trainer.gradients.Length - start);
            var gradient = trainer.gradients.AsSpan(start, length);
            if (phase == Phase.Sum)
            {
                trainer.chunkGradients[0].AsSpan(start, length).CopyTo(gradient);
                for (int c = 1; c < chunks; c++) TensorPrimitives.Add(gradient, trainer.chunkGradients[c].AsSpan(start, length), gradient);
                sliceSquares[item] = TensorPrimitives.SumOfSquares<float>(gradient);
                return;
            }

            if (scale != 1f) TensorPrimitives.Multiply(gradient, scale, gradient);
            trainer.Optimizer.Update(trainer.Network.Parameters.AsSpan(start, length), gradient, learningRate, start);
        }
    }

    private sealed class TrainChunks(Trainer trainer) : IWorkItems
    {
        private int start, rows, epoch, batch;
        private float lossScale;

        public void Prepare(int batchStart, int batchRows, int batchEpoch, int batchIndex, float batchLossScale)
        {
            lossScale = batchLossScale;
            start = batchStart;
            rows = batchRows;
            epoch = batchEpoch;
            batch = batchIndex;
        }

        public void Run(int chunk, int worker)
        {
            var ws = trainer.workspaces[worker];
            int first = chunk * ChunkRows, n = Math.Min(ChunkRows, rows - first);
            for (int r = 0; r < n; r++) ws.SetSequence(r, n, trainer.train, trainer.order[start + first + r]);

            var chunkGradient = trainer.chunkGradients[chunk];
            chunkGradient.AsSpan().Clear();
            var options = trainer.Options;
            var dropout = options.Dropout > 0 ? new Dropout(options.Dropout, Dropout.KeyOf(options.Seed, epoch, batch, chunk)) : default;
            trainer.Network.Forward(ws, n, dropout);
            trainer.chunkLosses[chunk] = trainer.Network.Backward(ws, n, lossScale, chunkGradient);
        }
    }
}
