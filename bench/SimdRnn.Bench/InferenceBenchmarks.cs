using BenchmarkDotNet.Attributes;
using SimdRnn.Cells;
using SimdRnn.Inference;
using SimdRnn.Model;

namespace SimdRnn.Bench;

/// <summary>
/// The embedding figures of docs/embedding.md for the default model (lstm, hidden 128, one layer, 28 steps of 28
/// inputs, 10 classes): the latency of classifying one sequence, of one streaming step, and of a sequence in a
/// batch of 64, on one thread. The weights are initial ones: the time does not depend on their values.
/// <c>dotnet run -c Release --project bench/SimdRnn.Bench -- --filter *Inference*</c>
/// </summary>
[MemoryDiagnoser]
public class InferenceBenchmarks
{
    private const int Batch = 64;

    private InferenceModel model = null!;
    private InferenceSession session = null!;
    private InferenceSession batchSession = null!;
    private float[] sequences = [];
    private float[] probabilities = [];

    [GlobalSetup]
    public void Setup()
    {
        var shape = new NetworkShape(CellCatalog.Find(CellCatalog.BuiltIn, "lstm")!, steps: 28, inputs: 28, hidden: 128, layers: 1, classes: 10);
        using var network = new Network<float>(shape);
        Initializer.Initialize<float>(shape, network.Parameters, seed: 1);
        model = InferenceModel.FromNetwork(network);
        session = model.CreateSession(maxBatch: 1);
        batchSession = model.CreateSession(maxBatch: Batch);
        var random = new Random(2);
        sequences = new float[Batch * shape.Steps * shape.Inputs];
        for (int i = 0; i < sequences.Length; i++) sequences[i] = random.NextSingle();
        probabilities = new float[Batch * shape.Outputs];
        Console.WriteLine($"// lstm-128: weights {model.WeightBytes:N0} bytes; session workspace {InferenceSession.RequiredBytes(model, 1):N0} bytes (max batch 1), " +
            $"{InferenceSession.RequiredBytes(model, Batch):N0} bytes (max batch {Batch}); SIMD {Kernels.Simd.Path}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        session.Dispose();
        batchSession.Dispose();
        model.Dispose();
    }

    /// <summary>One whole sequence: 28 steps and the head.</summary>
    [Benchmark]
    public void ClassifyOneSequence() => session.Predict(sequences, 1, probabilities);

    /// <summary>One time step of one stream, with its probabilities.</summary>
    [Benchmark]
    public void StreamingStep() => session.Step(sequences.AsSpan(0, 28), probabilities);

    /// <summary>64 sequences at once (divide by 64 for the time per sequence).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void ClassifyBatchOf64() => batchSession.Predict(sequences, Batch, probabilities);
}
