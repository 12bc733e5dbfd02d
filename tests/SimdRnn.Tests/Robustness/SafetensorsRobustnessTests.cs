using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using SimdRnn.IO;
using SimdRnn.Tests.Data;
using SimdRnn.Tests.IO;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.Robustness;

/// <summary>
/// The gaps the model-file mutation properties leave (see <see cref="ModelFilePropertyTests"/>): what a read of a
/// damaged or lying file allocates, headers whose claims run to terabytes, and NaN or infinity on the way out.
/// </summary>
public sealed class SafetensorsRobustnessTests : IDisposable
{
    /// <summary>A model file's own weights and optimizer state come to a few KB; this bounds buffers, JSON and messages.</summary>
    private const long AllocationBound = 2 << 20;

    private static readonly byte[] ValidFile = MakeValidFile();

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Mutations anywhere, and in the 8-byte length prefix in particular: the load allocates a bounded amount, whatever the header says.</summary>
    [Property(MaxTest = 300)]
    public void MutatedFile_AllocationIsBounded((NonNegativeInt Position, byte Value)[] mutations, bool inTheLengthPrefix, NonNegativeInt cut, bool truncate)
    {
        byte[] bytes = truncate ? ValidFile[..(cut.Get % (ValidFile.Length + 1))] : (byte[])ValidFile.Clone();
        foreach (var (position, value) in mutations)
        {
            if (bytes.Length > 0) bytes[position.Get % (inTheLengthPrefix ? Math.Min(8, bytes.Length) : bytes.Length)] = value;
        }

        AssertBoundedLoad(bytes);
    }

    public static TheoryData<string, byte[]> LyingFiles => new()
    {
        { "header length 2^63", Prefix(1UL << 63, "{}") },
        { "header length 4 GiB", Prefix(1UL << 32, "{}") },
        { "header length just above the file", Prefix(3, "{}") },
        { "header length at the 100 MB limit", Prefix(100UL * 1024 * 1024, "{}") },
        { "tensor of 2^40 x 2^40 F32", File("""{"a":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,4]}}""", 4) },
        { "tensor of 4 GiB on 4 bytes", File("""{"a":{"dtype":"F32","shape":[1073741824],"data_offsets":[0,4294967296]}}""", 4) },
        { "offsets past the end", File("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[9223372036854775800,9223372036854775804]}}""", 4) },
        { "shape of 64 large dimensions", File("{\"a\":{\"dtype\":\"F32\",\"shape\":[" + string.Join(',', Enumerable.Repeat("4294967296", 64)) + "],\"data_offsets\":[0,4]}}", 4) },
        { "metadata claiming hidden 2^31-1", File("""{"__metadata__":{"format":"simdrnn","cell":"rnn","hidden":"2147483647","layers":"1","input":"3","steps":"4","classes":"4"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4) },
        { "metadata claiming 10^6 layers", File("""{"__metadata__":{"format":"simdrnn","cell":"rnn","hidden":"1000","layers":"1000000","input":"3","steps":"4","classes":"4"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 4) },
        { "PyTorch names with huge shapes", File("""{"rnn.weight_ih_l0":{"dtype":"F32","shape":[0,1000000000],"data_offsets":[0,0]},"rnn.weight_hh_l0":{"dtype":"F32","shape":[1000000000,0],"data_offsets":[0,0]},"fc.weight":{"dtype":"F32","shape":[1000000000,0],"data_offsets":[0,0]}}""", 0) },
        { "JSON nested 10000 deep", File(new string('[', 10_000) + new string(']', 10_000), 0) },
        { "metadata value of 1 MB", File("{\"__metadata__\":{\"k\":\"" + new string('x', 1 << 20) + "\"}}", 0) },
    };

    [Theory]
    [MemberData(nameof(LyingFiles))]
    public void LyingFile_ThrowsModelFormatExceptionWithoutAllocatingTheClaim(string what, byte[] bytes)
    {
        var error = AssertBoundedLoad(bytes, extra: bytes.Length * 4L);
        Assert.True(error is not null, $"{what}: loaded");
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Save_NonFiniteWeight_IsRefusedNamingTheTensor_AndThePreviousFileIsKept(float value)
    {
        string path = Path.Combine(_dir.Path, "model.safetensors");
        using var network = ModelFiles.Network(TestCells.Lstm, hidden: 2, layers: 2, inputs: 2, classes: 2);
        ModelFile.Save(path, network);
        byte[] before = System.IO.File.ReadAllBytes(path);

        var tensor = network.Shape.Tensors[3];
        network.Parameters[tensor.Offset + 1] = value;
        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Save(path, network));

        Assert.Contains($"tensor '{tensor.Name}': expected finite values, found {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} at element 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, System.IO.File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Save_NonFiniteOptimizerMoment_IsRefusedNamingIt()
    {
        string path = Path.Combine(_dir.Path, "model.safetensors");
        using var network = ModelFiles.Network(TestCells.Lstm, hidden: 2, layers: 1, inputs: 2, classes: 2);
        var state = OptimizerState.Capture(new Adam(network.Shape.ParameterCount));
        state.Buffers[1][0] = float.NaN;

        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Save(path, network, new ModelCheckpoint { Optimizer = state }));

        Assert.Contains("tensor 'optimizer.", error.Message, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(path));
    }

    [Fact]
    public void Writer_NonFiniteValue_WritesNothing()
    {
        string path = Path.Combine(_dir.Path, "t.safetensors");
        var error = Assert.Throws<ModelFormatException>(() => SafetensorsWriter.Write(path, [new TensorToWrite("w", [3], new[] { 1f, float.NaN, 2f })]));

        Assert.Equal($"{path}: tensor 'w': expected finite values, found NaN at element 1; nothing was written (the training diverged?)", error.Message);
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    /// <summary>A file from elsewhere (written without the writer's check) holding a NaN or an infinity is refused on load, naming the tensor.</summary>
    [Theory]
    [InlineData("fc.bias", float.NaN)]
    [InlineData("rnn.weight_hh_l1", float.PositiveInfinity)]
    [InlineData("optimizer.adam.v.rnn.bias_ih_l0", float.NegativeInfinity)]
    public void Load_NonFiniteValue_IsRefusedNamingTheTensor(string name, float value)
    {
        string path = Path.Combine(_dir.Path, "nan.safetensors");
        var header = SafetensorsHeaderOf(ValidFile);
        var tensor = header.Find(name);
        Assert.True(tensor is not null, $"no tensor {name} among {string.Join(", ", header.Tensors.Select(t => t.Name))}");
        byte[] bytes = (byte[])ValidFile.Clone();
        BitConverter.TryWriteBytes(bytes.AsSpan((int)(header.DataStart + tensor.Begin + 4)), value);
        System.IO.File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path, TestCells.All));
        var cli = Cli.CliHarness.Run(TestCells.All, "eval", "--model", path, "--data", "/nonexistent");

        Assert.Equal($"{path}: tensor '{name}': expected finite values, found {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} at element 1", error.Message);
        Assert.Equal(SimdRnn.Cli.ExitCodes.Error, cli.ExitCode);
        Assert.StartsWith($"simdrnn: {path}: tensor '{name}': expected finite values", Assert.Single(cli.ErrorLines), StringComparison.Ordinal);
    }

    private static SafetensorsHeader SafetensorsHeaderOf(byte[] bytes)
    {
        using var dir = new TempDirectory();
        return SafetensorsFile.ReadHeader(dir.Write("f.safetensors", bytes));
    }

    private static byte[] MakeValidFile()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "valid.safetensors");
        using var network = ModelFiles.Network(TestCells.Lstm, hidden: 2, layers: 2, inputs: 2, classes: 2);
        ModelFile.Save(path, network, new ModelCheckpoint { Epoch = 2, Options = new TrainOptions(), Optimizer = OptimizerState.Capture(new Adam(network.Shape.ParameterCount)) });
        return System.IO.File.ReadAllBytes(path);
    }

    private static byte[] Prefix(ulong length, string json) => [.. BitConverter.GetBytes(length), .. Encoding.UTF8.GetBytes(json)];

    private static byte[] File(string json, int dataBytes)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        return bytes;
    }

    /// <summary>Loads (and describes) on this thread, so the allocation count covers the whole read.</summary>
    private ModelFormatException? AssertBoundedLoad(byte[] bytes, long extra = 0)
    {
        string path = _dir.Write(Path.GetRandomFileName(), bytes);
        ModelFormatException? error = null;
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            using var model = ModelFile.Load(path, TestCells.All);
        }
        catch (ModelFormatException e)
        {
            error = e;
            Assert.StartsWith($"{path}: ", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        System.IO.File.Delete(path);
        Assert.True(allocated <= AllocationBound + extra, $"loading {bytes.Length} bytes allocated {allocated} bytes ({error?.Message ?? "loaded"})");
        return error;
    }
}
