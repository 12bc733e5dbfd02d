using System.Buffers.Binary;
using System.Numerics;
using SimdRnn.Cells;
using SimdRnn.Cli;
using SimdRnn.Model;
using Xunit;

namespace SimdRnn.Tests.Cli;

/// <summary>Tests that change process-wide state (Console, environment variables) run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessStateCollection
{
    public const string Name = "Process state";
}

/// <summary>What one in-process run of the CLI printed.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

public static class CliHarness
{
    public static CliRun Run(IReadOnlyList<CellEntry> cells, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        int code = CliApp.Run(args, new CliContext(output, error, cells));
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public static CliRun Run(params string[] args) => Run([], args);
}

/// <summary>
/// A cell description without generated code: enough for the registry, the option checks and
/// <c>simdrnn cells</c>. Building a layer of it throws, which the tests use as an unexpected error.
/// </summary>
public sealed class FakeCell(CellInfo info) : CellEntry
{
    public static FakeCell Lstm { get; } = new(new CellInfo(
        "fake-lstm",
        "An LSTM description for tests",
        [
            new GateInfo("i", Activation.Sigmoid, "x_i + h_i", 0f, Recurrence.Output),
            new GateInfo("f", Activation.Sigmoid, "x_f + h_f", 1f, Recurrence.Output),
            new GateInfo("g", Activation.Tanh, "x_g + h_g", 0f, Recurrence.Output),
            new GateInfo("o", Activation.Sigmoid, "x_o + h_o", 0f, Recurrence.Output),
        ],
        [new StateInfo("c", "f * c + i * g")],
        [],
        "h",
        "o * tanh(c)",
        null,
        "hash"));

    public static FakeCell Gru { get; } = new(new CellInfo(
        "fake-gru",
        "",
        [
            new GateInfo("r", Activation.Sigmoid, "x_r + h_r", 0f, Recurrence.Output),
            new GateInfo("z", Activation.Sigmoid, "x_z + h_z", 0f, Recurrence.Output),
            new GateInfo("n", Activation.Tanh, "x_n + h_n", 0f, Recurrence.Expression),
        ],
        [],
        [new ParameterInfo("p", -0.1f, 0.1f)],
        "h",
        "z * h + (1 - z) * n",
        "r * h",
        "hash"));

    public override CellInfo Info { get; } = info;

    internal override Layer<T> CreateLayer<T>(NetworkShape shape, int layer, T[] parameters, LayerWeights<T> weights, BackwardWeights<T>? backward) =>
        throw new InvalidOperationException("fake cells have no layers");
}

/// <summary>Small MNIST-shaped IDX files.</summary>
public static class Idx
{
    // Every folder a test makes lives under one root per test process, removed when the process ends.
    private static readonly Lazy<string> Root = new(() =>
    {
        string root = Path.Combine(Path.GetTempPath(), "simdrnn-tests-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // Left in the temp directory: harmless.
            }
        };
        return root;
    });

    public static string TempDirectory()
    {
        string directory = Path.Combine(Root.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>Writes <paramref name="trainCount"/> training and <paramref name="testCount"/> test images; pixel i of image n is (n + i) % 256, label n % 10.</summary>
    public static string WriteMnist(int trainCount, int testCount)
    {
        string directory = TempDirectory();
        WriteSet(directory, "train", trainCount);
        WriteSet(directory, "t10k", testCount);
        return directory;
    }

    public static void WriteSet(string directory, string prefix, int count)
    {
        var images = new byte[16 + count * 784];
        BinaryPrimitives.WriteInt32BigEndian(images, 0x0803);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), 28);
        for (int n = 0; n < count; n++)
        {
            for (int i = 0; i < 784; i++) images[16 + n * 784 + i] = (byte)((n + i) % 256);
        }

        var labels = new byte[8 + count];
        BinaryPrimitives.WriteInt32BigEndian(labels, 0x0801);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
        for (int n = 0; n < count; n++) labels[8 + n] = (byte)(n % 10);

        File.WriteAllBytes(Path.Combine(directory, $"{prefix}-images-idx3-ubyte"), images);
        File.WriteAllBytes(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte"), labels);
    }
}
