using System.Globalization;
using SimdRnn.Cells;
using SimdRnn.Inference;
using SimdRnn.Kernels.Quantized;
using SimdRnn.Model;

namespace SimdRnn.IO;

/// <summary>
/// int8 model files (docs/embedding.md): a SimdRnn safetensors file whose metadata says <c>quantization = int8</c>,
/// with each weight matrix (<c>rnn.weight_ih_l{k}</c>, <c>rnn.weight_hh_l{k}</c>, <c>fc.weight</c>) stored as I8 in its
/// usual name and shape, its per-row scales beside it as F32 <c>{name}_scale</c> [rows], and every other tensor
/// (biases, elementwise parameters) F32 as in a float file. Row j of a matrix stands for q[j, :] * scale[j]. No
/// optimizer state: such a file is for inference only.
/// </summary>
public static class QuantizedModelFile
{
    /// <summary>The metadata key naming the weights' format.</summary>
    public const string QuantizationKey = "quantization";

    /// <summary>The only <see cref="QuantizationKey"/> value so far.</summary>
    public const string Int8 = "int8";

    /// <summary>Appended to a matrix's name to name its scales.</summary>
    public const string ScaleSuffix = "_scale";

    /// <summary>Whether <paramref name="header"/> is a SimdRnn int8 file.</summary>
    /// <exception cref="ModelFormatException">The file names another quantization.</exception>
    public static bool IsQuantized(SafetensorsHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (!header.Metadata.TryGetValue(ModelFile.Keys.Format, out string? format) || format != ModelFile.Format) return false;
        if (!header.Metadata.TryGetValue(QuantizationKey, out string? quantization)) return false;
        if (quantization != Int8)
        {
            throw new ModelFormatException(header.Path, $"metadata '{QuantizationKey}': expected {Int8}, found {Text.Quote(quantization)}");
        }

        return true;
    }

    /// <summary>Writes the int8 <paramref name="model"/> to <paramref name="path"/> atomically, with the checkpoint's epoch, options and metadata.</summary>
    /// <exception cref="ArgumentException">The model is not int8, or the checkpoint carries optimizer state or a reserved key.</exception>
    public static void Save(string path, InferenceModel model, ModelCheckpoint? checkpoint = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var int8 = model.Int8 ?? throw new ArgumentException("Expected an int8 model (InferenceModel.Quantize), found a float32 one.", nameof(model));
        checkpoint ??= new ModelCheckpoint();
        if (checkpoint.Optimizer is not null) throw new ArgumentException("An int8 model file holds no optimizer state.", nameof(checkpoint));
        if (checkpoint.Metadata?.ContainsKey(QuantizationKey) == true) throw new ArgumentException($"Metadata key '{QuantizationKey}' is written by QuantizedModelFile itself.", nameof(checkpoint));

        var shape = model.Shape;
        var matrices = Matrices(shape, int8);
        var parameters = model.Parameters.ToArray();
        var tensors = new List<TensorToWrite>();
        foreach (var tensor in shape.Tensors)
        {
            if (matrices.TryGetValue(tensor.Name, out var parts))
            {
                tensors.Add(TensorToWrite.Int8(tensor.Name, tensor.Shape, Concat(parts.Select(p => p.Values.ToArray()))));
                tensors.Add(new(tensor.Name + ScaleSuffix, [tensor.Shape[0]], Concat(parts.Select(p => p.Scales.ToArray()))));
            }
            else
            {
                tensors.Add(new(tensor.Name, tensor.Shape, parameters.AsMemory(tensor.Offset, tensor.Length)));
            }
        }

        var metadata = ModelFile.Metadata(shape, checkpoint);
        metadata[QuantizationKey] = Int8;
        SafetensorsWriter.CheckFinite(path, tensors);
        AtomicFile.Write(path, stream => SafetensorsWriter.Write(stream, tensors, metadata));
    }

    /// <summary>Loads an int8 model file whose cell is one of <paramref name="cells"/>.</summary>
    /// <exception cref="ModelFormatException">The file is malformed, not int8, or does not fit the cells; the message names the tensor.</exception>
    public static InferenceModel Load(string path, IReadOnlyList<CellEntry> cells)
    {
        using var file = SafetensorsFile.Open(path);
        var header = file.Header;
        if (!IsQuantized(header))
        {
            throw new ModelFormatException(path, $"expected an int8 model (metadata '{QuantizationKey}' = {Int8}, from 'simdrnn quantize'), found a float one");
        }

        var shape = ModelFile.Describe(header, cells, cellOverride: null).Shape;
        var info = shape.Cell.Info;
        var parameters = new float[shape.ParameterCount];
        var read = new Dictionary<string, (sbyte[] Values, float[] Scales)>(StringComparer.Ordinal);
        var quantized = QuantizedNames(shape);
        foreach (var tensor in shape.Tensors)
        {
            if (quantized.Contains(tensor.Name))
            {
                read[tensor.Name] = ReadMatrix(file, tensor.Name, tensor.Length, tensor.Shape[0]);
            }
            else
            {
                file.ReadFloats(header.Find(tensor.Name)!, tensor.Of(parameters));
                ModelFile.CheckFinite(path, tensor.Name, tensor.Of(parameters));
            }
        }

        int h = shape.Hidden, roh = info.OutputRecurrentGates * h;
        var input = new Int8Matrix[shape.RecurrentLayers];
        var output = new Int8Matrix[shape.RecurrentLayers];
        var expression = new Int8Matrix[shape.RecurrentLayers];
        for (int l = 0; l < shape.RecurrentLayers; l++)
        {
            var layout = shape.LayerParameters[l];
            var (ih, ihScales) = read[layout.WeightIh.Name];
            var (hh, hhScales) = read[layout.WeightHh.Name];
            input[l] = new Int8Matrix(layout.WeightIh.Shape[0], shape.LayerInputs(l), ih, ihScales);
            output[l] = new Int8Matrix(roh, h, hh.AsSpan(0, roh * h), hhScales.AsSpan(0, roh));
            expression[l] = new Int8Matrix(layout.WeightHh.Shape[0] - roh, h, hh.AsSpan(roh * h), hhScales.AsSpan(roh));
        }

        var (head, headScales) = read[shape.HeadWeight.Name];
        var weights = new Int8Weights(shape, input, output, expression, new Int8Matrix(shape.Outputs, shape.Features, head, headScales));
        return InferenceModel.FromInt8(shape, parameters, weights);
    }

    /// <summary>
    /// The tensors of an int8 file of <paramref name="shape"/>: each weight matrix I8 with its shape and its F32 scales,
    /// every other tensor F32 (or another float dtype) with its shape, nothing else, no optimizer state.
    /// </summary>
    internal static void CheckTensors(SafetensorsHeader header, NetworkShape shape)
    {
        if (header.Metadata.ContainsKey(ModelFile.Keys.Optimizer))
        {
            throw new ModelFormatException(header.Path, $"metadata '{ModelFile.Keys.Optimizer}': expected no optimizer state in an int8 model, found {Text.Quote(header.Metadata[ModelFile.Keys.Optimizer])}");
        }

        if (shape.Hidden > Int8Matrix.MaxK || shape.Inputs > Int8Matrix.MaxK)
        {
            throw new ModelFormatException(header.Path, $"expected hidden and input of at most {Int8Matrix.MaxK} in an int8 model (the int32 sums would overflow), found hidden {shape.Hidden}, input {shape.Inputs}");
        }

        var quantized = QuantizedNames(shape);
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in shape.Tensors)
        {
            expected.Add(tensor.Name);
            if (!quantized.Contains(tensor.Name))
            {
                ModelFile.CheckTensor(header, tensor.Name, tensor.Shape);
                continue;
            }

            CheckShape(header, tensor.Name, tensor.Shape, TensorDType.I8);
            string scales = tensor.Name + ScaleSuffix;
            expected.Add(scales);
            CheckShape(header, scales, [tensor.Shape[0]], TensorDType.F32);
        }

        foreach (var tensor in header.Tensors)
        {
            if (!expected.Contains(tensor.Name))
            {
                throw new ModelFormatException(header.Path, $"tensor {Text.Quote(tensor.Name)}: expected no such tensor in an int8 {shape.Cell.Info.Name} model of {shape.Layers} layer{(shape.Layers == 1 ? "" : "s")}, found {tensor.ShapeText}");
            }
        }
    }

    private static void CheckShape(SafetensorsHeader header, string name, int[] shape, TensorDType dtype)
    {
        string expected = SafetensorsTensor.Format(shape.Select(d => (long)d));
        var found = header.Find(name) ?? throw new ModelFormatException(header.Path, $"tensor '{name}': expected {dtype.Name()} {expected}, found no such tensor");
        if (found.DType != dtype) throw new ModelFormatException(header.Path, $"tensor '{name}': expected dtype {dtype.Name()}, found {found.DType.Name()}");
        if (!found.Shape.SequenceEqual(shape.Select(d => (long)d))) throw new ModelFormatException(header.Path, $"tensor '{name}': expected shape {expected}, found {found.ShapeText}");
    }

    // q in [-127, 127] (the kernels rely on it) and scales finite and positive, or the file is refused naming the element.
    private static (sbyte[] Values, float[] Scales) ReadMatrix(SafetensorsFile file, string name, int length, int rows)
    {
        var values = new sbyte[length];
        file.ReadInt8(file.Header.Find(name)!, values);
        int low = values.AsSpan().IndexOf(sbyte.MinValue);
        if (low >= 0) throw new ModelFormatException(file.Path, $"tensor {Text.Quote(name)}: expected int8 values in [-127, 127], found -128 at element {low}");

        string scaleName = name + ScaleSuffix;
        var scales = new float[rows];
        file.ReadFloats(file.Header.Find(scaleName)!, scales);
        for (int j = 0; j < rows; j++)
        {
            if (!(scales[j] > 0) || !float.IsFinite(scales[j]))
            {
                throw new ModelFormatException(file.Path, $"tensor {Text.Quote(scaleName)}: expected finite positive scales, found {scales[j].ToString(CultureInfo.InvariantCulture)} at element {j}");
            }
        }

        return (values, scales);
    }

    private static HashSet<string> QuantizedNames(NetworkShape shape)
    {
        var names = new HashSet<string>(StringComparer.Ordinal) { shape.HeadWeight.Name };
        foreach (var layer in shape.LayerParameters)
        {
            names.Add(layer.WeightIh.Name);
            names.Add(layer.WeightHh.Name);
        }

        return names;
    }

    // Each file tensor and the int8 matrices it is made of (weight_hh: Whh_o then Whh_e).
    private static Dictionary<string, Int8Matrix[]> Matrices(NetworkShape shape, Int8Weights int8)
    {
        var matrices = new Dictionary<string, Int8Matrix[]>(StringComparer.Ordinal) { [shape.HeadWeight.Name] = [int8.Head] };
        for (int l = 0; l < shape.RecurrentLayers; l++)
        {
            matrices[shape.LayerParameters[l].WeightIh.Name] = [int8.Input[l]];
            matrices[shape.LayerParameters[l].WeightHh.Name] = [int8.Output[l], int8.Expression[l]];
        }

        return matrices;
    }

    private static T[] Concat<T>(IEnumerable<T[]> parts) => parts.SelectMany(p => p).ToArray();
}
