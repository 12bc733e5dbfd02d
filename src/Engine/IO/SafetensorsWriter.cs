using System.Runtime.InteropServices;
using System.Text.Json;

namespace SimdRnn.IO;

/// <summary>A tensor to write: its name, its shape and its values (the product of the shape), F32 unless made by <see cref="Int8"/>.</summary>
public readonly record struct TensorToWrite(string Name, int[] Shape, ReadOnlyMemory<float> Values)
{
    /// <summary><see cref="TensorDType.F32"/> (from <see cref="Values"/>) or <see cref="TensorDType.I8"/> (from <see cref="Int8Values"/>).</summary>
    public TensorDType DType { get; private init; } = TensorDType.F32;

    /// <summary>The values of an I8 tensor.</summary>
    public ReadOnlyMemory<sbyte> Int8Values { get; private init; }

    /// <summary>An I8 tensor.</summary>
    public static TensorToWrite Int8(string name, int[] shape, ReadOnlyMemory<sbyte> values) =>
        new(name, shape, ReadOnlyMemory<float>.Empty) { DType = TensorDType.I8, Int8Values = values };

    internal int Length => DType == TensorDType.I8 ? Int8Values.Length : Values.Length;
}

/// <summary>Writes F32 (and I8) safetensors files: tensors in the order given, the header padded with spaces to 8 bytes.</summary>
public static class SafetensorsWriter
{
    /// <summary>Writes the file atomically (see <see cref="AtomicFile"/>).</summary>
    /// <exception cref="ModelFormatException">A tensor holds a NaN or an infinity; nothing is written.</exception>
    public static void Write(string path, IReadOnlyList<TensorToWrite> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        CheckFinite(path, tensors);
        AtomicFile.Write(path, stream => Write(stream, tensors, metadata));
    }

    /// <summary>
    /// Refuses tensors holding a NaN or an infinity, naming the first such tensor and element: a diverged network
    /// saved over a good file would lose the good one, and every later load would propagate the NaN.
    /// </summary>
    /// <exception cref="ModelFormatException">A tensor holds a non-finite value.</exception>
    public static void CheckFinite(string path, IReadOnlyList<TensorToWrite> tensors)
    {
        foreach (var tensor in tensors)
        {
            if (tensor.DType != TensorDType.F32) continue;
            var values = tensor.Values.Span;
            // The largest magnitude is the first NaN if there is one, else an infinity if there is one (vectorised).
            int at = System.Numerics.Tensors.TensorPrimitives.IndexOfMaxMagnitude(values);
            if (at >= 0 && !float.IsFinite(values[at]))
            {
                throw new ModelFormatException(path,
                    $"tensor {Text.Quote(tensor.Name)}: expected finite values, found {values[at].ToString(System.Globalization.CultureInfo.InvariantCulture)} at element {at}; nothing was written (the training diverged?)");
            }
        }
    }

    public static void Write(Stream stream, IReadOnlyList<TensorToWrite> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        byte[] header = Header(tensors, metadata);
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        Span<byte> element = stackalloc byte[4];
        foreach (var tensor in tensors)
        {
            if (tensor.DType == TensorDType.I8)
            {
                stream.Write(MemoryMarshal.AsBytes(tensor.Int8Values.Span));
            }
            else if (BitConverter.IsLittleEndian)
            {
                stream.Write(MemoryMarshal.AsBytes(tensor.Values.Span));
            }
            else
            {
                foreach (float value in tensor.Values.Span)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(element, value);
                    stream.Write(element);
                }
            }
        }
    }

    /// <summary>The JSON header, padded with spaces so the data buffer starts 8-byte aligned.</summary>
    internal static byte[] Header(IReadOnlyList<TensorToWrite> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafetensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal)) json.WriteString(key, value);
                json.WriteEndObject();
            }

            long offset = 0;
            foreach (var tensor in tensors)
            {
                if (tensor.Name == SafetensorsHeader.MetadataKey || !names.Add(tensor.Name))
                {
                    throw new ArgumentException($"Tensor name '{tensor.Name}' is reserved or used twice.", nameof(tensors));
                }

                long count = tensor.Shape.Aggregate(1L, (product, dimension) => product * dimension);
                if (tensor.Shape.Any(d => d < 0) || count != tensor.Length)
                {
                    throw new ArgumentException($"Tensor '{tensor.Name}' has shape [{string.Join(", ", tensor.Shape)}] but {tensor.Length} values.", nameof(tensors));
                }

                int size = tensor.DType.Size();
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", tensor.DType.Name());
                json.WriteStartArray("shape");
                foreach (int dimension in tensor.Shape) json.WriteNumberValue(dimension);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + count * size);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += count * size;
            }

            json.WriteEndObject();
        }

        while (buffer.Length % 8 != 0) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}
