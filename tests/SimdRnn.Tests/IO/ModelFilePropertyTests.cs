using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SimdRnn.IO;
using SimdRnn.Tests.Data;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.IO;

/// <summary>Whatever happens to a valid model file, loading it either works or throws a <see cref="ModelFormatException"/>.</summary>
public sealed class ModelFilePropertyTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly byte[] ValidFile = MakeValidFile();

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Property(MaxTest = 400)]
    public void MutatedFile_LoadsOrThrowsModelFormatException((NonNegativeInt Position, byte Value)[] mutations, NonNegativeInt cut, bool truncate) =>
        Check(Mutate(ValidFile, mutations, truncate ? cut.Get : null));

    [Property(MaxTest = 400)]
    public void MutatedHeader_LoadsOrThrowsModelFormatException((NonNegativeInt Position, byte Value)[] mutations)
    {
        int headerEnd = 8 + (int)BitConverter.ToUInt64(ValidFile, 0);
        byte[] bytes = (byte[])ValidFile.Clone();
        foreach (var (position, value) in mutations) bytes[position.Get % headerEnd] = value;
        Check(bytes);
    }

    [Property(MaxTest = 200)]
    public void HeaderTextEdits_LoadOrThrowModelFormatException(NonNegativeInt at, NonNegativeInt length, string replacement)
    {
        var (json, data) = ModelFiles.Split(ValidFile);
        int start = at.Get % (json.Length + 1), count = Math.Min(length.Get % 12, json.Length - start);
        Check(ModelFiles.Join(json.Remove(start, count).Insert(start, replacement ?? ""), data));
    }

    [Property(MaxTest = 100)]
    public void RandomBytes_LoadOrThrowModelFormatException(byte[] bytes) => Check(bytes);

    private static byte[] MakeValidFile()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "valid.safetensors");
        using var network = ModelFiles.Network(TestCells.Lstm, hidden: 2, layers: 2, inputs: 2, classes: 2);
        var optimizer = new Adam(network.Shape.ParameterCount);
        ModelFile.Save(path, network, new ModelCheckpoint { Epoch = 2, Options = new TrainOptions(), Optimizer = OptimizerState.Capture(optimizer) });
        return File.ReadAllBytes(path);
    }

    private static byte[] Mutate(byte[] valid, (NonNegativeInt Position, byte Value)[] mutations, int? cut)
    {
        byte[] bytes = cut is int length ? valid[..(length % (valid.Length + 1))] : (byte[])valid.Clone();
        foreach (var (position, value) in mutations)
        {
            if (bytes.Length > 0) bytes[position.Get % bytes.Length] = value;
        }

        return bytes;
    }

    private void Check(byte[] bytes)
    {
        string path = _dir.Write(Path.GetRandomFileName(), bytes);
        var load = Task.Run(() =>
        {
            try
            {
                using var model = ModelFile.Load(path, TestCells.All);
            }
            catch (ModelFormatException e)
            {
                Assert.StartsWith($"{path}: ", e.Message);
                Assert.DoesNotContain('\n', e.Message);
                Assert.DoesNotContain('\r', e.Message);
            }
        });

        Assert.True(load.Wait(Patience), $"loading {bytes.Length} mutated bytes did not finish within {Patience}");
        load.GetAwaiter().GetResult(); // rethrows any other exception type, failing the property
        File.Delete(path);
    }
}
