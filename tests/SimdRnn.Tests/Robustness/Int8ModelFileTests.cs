using FsCheck;
using FsCheck.Xunit;
using SimdRnn.Cells;
using SimdRnn.Inference;
using SimdRnn.IO;
using SimdRnn.Model;
using SimdRnn.Tests.Data;
using SimdRnn.Tests.Inference;
using Xunit;

namespace SimdRnn.Tests.Robustness;

/// <summary>
/// int8 model files from <see cref="QuantizedModelFile"/> read with the hardening of F32 ones: damaged or lying
/// files are one <see cref="ModelFormatException"/> line naming the tensor, never another exception, and values
/// the kernels cannot take (-128, scales that are not finite and positive) are refused at the door.
/// </summary>
public sealed class Int8ModelFileTests : IDisposable
{
    private static readonly byte[] ValidFile = MakeValidFile();

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A tensor as read from the valid file, to be changed and written again.</summary>
    public sealed class Entry(string name, TensorDType dtype, int[] shape, float[] floats, sbyte[] bytes)
    {
        public string Name { get; set; } = name;
        public TensorDType DType { get; set; } = dtype;
        public int[] Shape { get; set; } = shape;
        public float[] Floats { get; set; } = floats;
        public sbyte[] Bytes { get; set; } = bytes;
    }

    public static TheoryData<string, string> Damages => new()
    {
        { "minus 128", "tensor 'rnn.weight_hh_l0': expected int8 values in [-127, 127], found -128 at element 5" },
        { "zero scale", "tensor 'fc.weight_scale': expected finite positive scales, found 0 at element 1" },
        { "negative scale", "tensor 'rnn.weight_ih_l0_scale': expected finite positive scales, found -0.5 at element 0" },
        { "NaN scale", "tensor 'rnn.weight_hh_l0_scale': expected finite positive scales, found NaN at element 2" },
        { "infinite scale", "tensor 'rnn.weight_hh_l0_scale': expected finite positive scales, found Infinity at element 2" },
        { "F32 weight", "tensor 'rnn.weight_ih_l0': expected dtype I8, found F32" },
        { "I8 scale", "tensor 'fc.weight_scale': expected dtype F32, found I8" },
        { "missing scale", "tensor 'rnn.weight_hh_l0_scale': expected F32 [12], found no such tensor" },
        { "short scale", "tensor 'fc.weight_scale': expected shape [2], found [1]" },
        { "stray tensor", "tensor 'extra': expected no such tensor in an int8 lstm model of 1 layer, found [1]" },
        { "I8 bias", "tensor 'rnn.bias_ih_l0': expected dtype F32 (or F64, F16, BF16), found I8" },
        { "optimizer metadata", "metadata 'optimizer': expected no optimizer state in an int8 model, found 'adam'" },
        { "int4", "metadata 'quantization': expected int8, found 'int4'" },
        { "not marked int8", "tensor 'rnn.weight_ih_l0': expected dtype F32 (or F64, F16, BF16), found I8" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void DamagedFile_IsOneLineNamingWhatIsWrong(string damage, string expected)
    {
        string path = _dir.Write("model.safetensors", Rewrite(damage));
        var error = Assert.Throws<ModelFormatException>(() => InferenceModel.Load(path));
        Assert.Equal($"{path}: {expected}", error.Message);
    }

    [Fact]
    public void ValidFile_LoadsAsInt8_AndInspectDescribesIt()
    {
        string path = _dir.Write("model.safetensors", ValidFile);
        using var model = InferenceModel.Load(path);
        Assert.Equal(WeightFormat.Int8, model.Format);
        var description = ModelFile.Describe(path, CellCatalog.BuiltIn);
        Assert.Equal("int8", description.Metadata[QuantizedModelFile.QuantizationKey]);
    }

    /// <summary>train --resume and everything else that wants float weights to change.</summary>
    [Fact]
    public void ModelFileLoad_RefusesAnInt8File_InOneLine()
    {
        string path = _dir.Write("model.safetensors", ValidFile);
        var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path, CellCatalog.BuiltIn));
        Assert.Equal($"{path}: expected a float32 model, found an int8 one (made by 'simdrnn quantize'), which is for inference only: train, resume, quantize or export the float model it came from", error.Message);
    }

    [Fact]
    public void TruncatedFile_IsOneLine()
    {
        for (int length = 0; length < ValidFile.Length; length += 7)
        {
            string path = _dir.Write($"cut{length}.safetensors", ValidFile[..length]);
            var error = Assert.Throws<ModelFormatException>(() => InferenceModel.Load(path));
            Assert.StartsWith($"{path}: ", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', error.Message);
        }
    }

    /// <summary>Any bytes changed anywhere: the file loads (as int8 or float) or is refused in one line; nothing else escapes.</summary>
    [Property(MaxTest = 300)]
    public void MutatedFile_LoadsOrIsOneModelFormatLine((NonNegativeInt Position, byte Value)[] mutations)
    {
        byte[] bytes = (byte[])ValidFile.Clone();
        foreach (var (position, value) in mutations) bytes[position.Get % bytes.Length] = value;
        string path = _dir.Write(Path.GetRandomFileName(), bytes);
        try
        {
            using var model = InferenceModel.Load(path);
            using var session = model.CreateSession();
            session.Predict(new float[model.Steps * model.Inputs], 1, new float[model.Outputs]);
        }
        catch (ModelFormatException e)
        {
            Assert.StartsWith($"{path}: ", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] MakeValidFile()
    {
        var shape = Models.Shape("lstm", steps: 3, inputs: 2, hidden: 3, layers: 1, classes: 2);
        using var network = Models.Network(shape, seed: 2);
        using var model = InferenceModel.FromNetwork(network);
        using var int8 = model.Quantize();
        string path = Path.Combine(Path.GetTempPath(), $"simdrnn-int8-valid-{Guid.NewGuid():N}.safetensors");
        try
        {
            QuantizedModelFile.Save(path, int8);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // The valid file with one damage, written without the writer's own checks.
    private byte[] Rewrite(string damage)
    {
        string source = _dir.Write("valid.safetensors", ValidFile);
        var entries = new List<Entry>();
        Dictionary<string, string> metadata;
        using (var file = SafetensorsFile.Open(source))
        {
            metadata = file.Header.Metadata.ToDictionary();
            foreach (var tensor in file.Header.Tensors.OrderBy(t => t.Begin))
            {
                var shape = tensor.Shape.Select(d => (int)d).ToArray();
                var bytes = new sbyte[tensor.DType == TensorDType.I8 ? tensor.ElementCount : 0];
                var floats = tensor.DType == TensorDType.I8 ? [] : file.ReadFloats(tensor);
                if (tensor.DType == TensorDType.I8) file.ReadInt8(tensor, bytes);
                entries.Add(new Entry(tensor.Name, tensor.DType, shape, floats, bytes));
            }
        }

        Entry Find(string name) => entries.Single(e => e.Name == name);
        void ToF32(Entry e) { e.Floats = e.Bytes.Select(b => (float)b).ToArray(); e.DType = TensorDType.F32; }
        void ToI8(Entry e) { e.Bytes = e.Floats.Select(f => (sbyte)1).ToArray(); e.DType = TensorDType.I8; }
        switch (damage)
        {
            case "minus 128": Find("rnn.weight_hh_l0").Bytes[5] = sbyte.MinValue; break;
            case "zero scale": Find("fc.weight_scale").Floats[1] = 0; break;
            case "negative scale": Find("rnn.weight_ih_l0_scale").Floats[0] = -0.5f; break;
            case "NaN scale": Find("rnn.weight_hh_l0_scale").Floats[2] = float.NaN; break;
            case "infinite scale": Find("rnn.weight_hh_l0_scale").Floats[2] = float.PositiveInfinity; break;
            case "F32 weight": ToF32(Find("rnn.weight_ih_l0")); break;
            case "I8 scale": ToI8(Find("fc.weight_scale")); break;
            case "missing scale": entries.Remove(Find("rnn.weight_hh_l0_scale")); break;
            case "short scale": Find("fc.weight_scale").Floats = [1f]; Find("fc.weight_scale").Shape = [1]; break;
            case "stray tensor": entries.Add(new Entry("extra", TensorDType.F32, [1], [1f], [])); break;
            case "I8 bias": ToI8(Find("rnn.bias_ih_l0")); break;
            case "optimizer metadata": metadata[ModelFile.Keys.Optimizer] = "adam"; break;
            case "int4": metadata[QuantizedModelFile.QuantizationKey] = "int4"; break;
            case "not marked int8": metadata.Remove(QuantizedModelFile.QuantizationKey); break;
            default: throw new ArgumentException(damage);
        }

        var tensors = entries.Select(e => e.DType == TensorDType.I8 ? TensorToWrite.Int8(e.Name, e.Shape, e.Bytes) : new TensorToWrite(e.Name, e.Shape, e.Floats)).ToList();
        using var stream = new MemoryStream();
        SafetensorsWriter.Write(stream, tensors, metadata);
        return stream.ToArray();
    }
}
