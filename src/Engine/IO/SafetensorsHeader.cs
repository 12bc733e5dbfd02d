using System.Text;
using System.Text.Json;

namespace SimdRnn.IO;

/// <summary>
/// One tensor of a safetensors file: its dtype, its shape, and where its bytes lie in the data buffer
/// (offsets relative to the buffer's start, which follows the header).
/// </summary>
public sealed record SafetensorsTensor(string Name, TensorDType DType, long[] Shape, long Begin, long End)
{
    /// <summary>The number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (product, dimension) => product * dimension);

    public string ShapeText => Format(Shape);

    internal static string Format(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";
}

/// <summary>
/// The parsed and validated header of a safetensors file: 8 bytes little-endian header length N, N bytes of
/// UTF-8 JSON <c>{"name":{"dtype":"F32","shape":[..],"data_offsets":[begin,end]}, ..., "__metadata__":{"k":"v"}}</c>,
/// then the data buffer, which the tensors cover exactly with no gaps and no overlaps.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>Headers larger than this are rejected before anything is allocated for them.</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    internal const string MetadataKey = "__metadata__";

    private readonly Dictionary<string, SafetensorsTensor> byName;

    private SafetensorsHeader(string path, long dataStart, long dataLength, List<SafetensorsTensor> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        DataStart = dataStart;
        DataLength = dataLength;
        Tensors = tensors;
        Metadata = metadata;
        byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public string Path { get; }

    /// <summary>The file offset of the data buffer: 8 + the header length.</summary>
    public long DataStart { get; }

    public long DataLength { get; }

    /// <summary>The tensors in buffer order.</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors { get; }

    /// <summary>The <c>__metadata__</c> map; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public SafetensorsTensor? Find(string name) => byName.GetValueOrDefault(name);

    /// <summary>Reads and validates the header of the open file <paramref name="stream"/> (positioned anywhere).</summary>
    internal static SafetensorsHeader Read(Stream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
        {
            throw new ModelFormatException(path, $"expected a safetensors file (8-byte header length, JSON header, data), found {fileLength} bytes");
        }

        Span<byte> prefix = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(prefix);
        ulong headerLength = BitConverter.ToUInt64(prefix);
        if (!BitConverter.IsLittleEndian) headerLength = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(headerLength);
        if (headerLength > (ulong)MaxHeaderBytes)
        {
            throw new ModelFormatException(path, $"expected a header of at most {MaxHeaderBytes} bytes, found a header length of {headerLength}");
        }

        if (headerLength < 2 || (long)headerLength > fileLength - 8)
        {
            throw new ModelFormatException(path, $"expected a header length between 2 and {fileLength - 8} (the file has {fileLength} bytes), found {headerLength}");
        }

        var json = new byte[headerLength];
        stream.ReadExactly(json);
        long dataStart = 8 + (long)headerLength;
        return Parse(json, path, dataStart, fileLength - dataStart);
    }

    internal static SafetensorsHeader Parse(ReadOnlySpan<byte> json, string path, long dataStart, long dataLength)
    {
        var tensors = new List<SafetensorsTensor>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        Dictionary<string, string>? metadata = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 });
            Expect(ref reader, JsonTokenType.StartObject, path, "the header to be a JSON object");
            while (true)
            {
                Read(ref reader, path);
                if (reader.TokenType == JsonTokenType.EndObject) break;
                string name = reader.GetString()!;
                if (!names.Add(name)) throw new ModelFormatException(path, $"header: expected unique names, found {Text.Quote(name)} twice");
                if (name == MetadataKey)
                {
                    metadata = ParseMetadata(ref reader, path);
                }
                else
                {
                    tensors.Add(ParseTensor(ref reader, path, name));
                }
            }

            if (reader.Read()) throw new ModelFormatException(path, "header: expected nothing after the JSON object, found more JSON");
        }
        catch (JsonException e)
        {
            throw new ModelFormatException(path, $"header: expected valid JSON, found {Text.OneLine(e.Message)}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new ModelFormatException(path, $"header: expected valid JSON text, found {Text.OneLine(e.Message)}", e);
        }

        CheckCoverage(tensors, path, dataLength);
        return new SafetensorsHeader(path, dataStart, dataLength, tensors, metadata ?? []);
    }

    private static Dictionary<string, string> ParseMetadata(ref Utf8JsonReader reader, string path)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        Expect(ref reader, JsonTokenType.StartObject, path, $"{MetadataKey} to be an object of strings");
        while (true)
        {
            Read(ref reader, path);
            if (reader.TokenType == JsonTokenType.EndObject) return metadata;
            string key = reader.GetString()!;
            Read(ref reader, path);
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new ModelFormatException(path, $"{MetadataKey}: expected a string value for {Text.Quote(key)}, found {Describe(reader.TokenType)}");
            }

            if (!metadata.TryAdd(key, reader.GetString()!))
            {
                throw new ModelFormatException(path, $"{MetadataKey}: expected unique keys, found {Text.Quote(key)} twice");
            }
        }
    }

    private static SafetensorsTensor ParseTensor(ref Utf8JsonReader reader, string path, string name)
    {
        string where = $"tensor {Text.Quote(name)}";
        Expect(ref reader, JsonTokenType.StartObject, path, $"{where} to be an object with dtype, shape and data_offsets");
        TensorDType? dtype = null;
        long[]? shape = null, offsets = null;
        while (true)
        {
            Read(ref reader, path);
            if (reader.TokenType == JsonTokenType.EndObject) break;
            string field = reader.GetString()!;
            switch (field)
            {
                case "dtype" when dtype is null:
                    Expect(ref reader, JsonTokenType.String, path, $"{where}: dtype to be a string");
                    string text = reader.GetString()!;
                    if (!TensorDTypes.TryParse(text, out var parsed))
                    {
                        throw new ModelFormatException(path, $"{where}: expected a safetensors dtype such as F32, found {Text.Quote(text)}");
                    }

                    dtype = parsed;
                    break;
                case "shape" when shape is null:
                    shape = ParseIntegers(ref reader, path, $"{where}: shape");
                    break;
                case "data_offsets" when offsets is null:
                    offsets = ParseIntegers(ref reader, path, $"{where}: data_offsets");
                    break;
                case "dtype" or "shape" or "data_offsets":
                    throw new ModelFormatException(path, $"{where}: expected one '{field}', found two");
                default:
                    throw new ModelFormatException(path, $"{where}: expected only dtype, shape and data_offsets, found {Text.Quote(field)}");
            }
        }

        if (dtype is null || shape is null || offsets is null)
        {
            string missing = dtype is null ? "dtype" : shape is null ? "shape" : "data_offsets";
            throw new ModelFormatException(path, $"{where}: expected dtype, shape and data_offsets, found no {missing}");
        }

        if (offsets.Length != 2)
        {
            throw new ModelFormatException(path, $"{where}: expected data_offsets [begin, end], found {offsets.Length} numbers");
        }

        long elements = 1;
        foreach (long dimension in shape)
        {
            if (elements != 0 && dimension > long.MaxValue / dtype.Value.Size() / elements)
            {
                throw new ModelFormatException(path, $"{where}: expected a shape whose size fits in memory, found {SafetensorsTensor.Format(shape)}");
            }

            elements *= dimension;
        }

        long begin = offsets[0], end = offsets[1];
        if (end < begin || end - begin != elements * dtype.Value.Size())
        {
            throw new ModelFormatException(path,
                $"{where}: expected data_offsets spanning {elements * dtype.Value.Size()} bytes ({SafetensorsTensor.Format(shape)} of {dtype.Value.Name()}), found [{begin}, {end}]");
        }

        return new SafetensorsTensor(name, dtype.Value, shape, begin, end);
    }

    private static long[] ParseIntegers(ref Utf8JsonReader reader, string path, string what)
    {
        Expect(ref reader, JsonTokenType.StartArray, path, $"{what} to be an array of non-negative integers");
        var values = new List<long>();
        while (true)
        {
            Read(ref reader, path);
            if (reader.TokenType == JsonTokenType.EndArray) return [.. values];
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long value) || value < 0)
            {
                string found = reader.TokenType == JsonTokenType.Number ? Encoding.UTF8.GetString(reader.ValueSpan) : Describe(reader.TokenType);
                throw new ModelFormatException(path, $"{what}: expected non-negative integers, found {found}");
            }

            if (values.Count == 64) throw new ModelFormatException(path, $"{what}: expected at most 64 numbers, found more");
            values.Add(value);
        }
    }

    // Sorted by begin, each tensor must start where the previous one ended and the last must end at the buffer's end.
    private static void CheckCoverage(List<SafetensorsTensor> tensors, string path, long dataLength)
    {
        tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long position = 0;
        string previous = "the header";
        foreach (var tensor in tensors)
        {
            if (tensor.Begin != position)
            {
                string problem = tensor.Begin < position ? "overlaps" : "leaves a gap after";
                throw new ModelFormatException(path,
                    $"tensor {Text.Quote(tensor.Name)}: expected data_offsets to begin at {position}, where {previous} ends, found [{tensor.Begin}, {tensor.End}] ({problem} it)");
            }

            if (tensor.End > dataLength)
            {
                throw new ModelFormatException(path,
                    $"tensor {Text.Quote(tensor.Name)}: expected data_offsets within the {dataLength}-byte data buffer, found [{tensor.Begin}, {tensor.End}] (the file is truncated or the header is wrong)");
            }

            position = tensor.End;
            previous = $"tensor {Text.Quote(tensor.Name)}";
        }

        if (position != dataLength)
        {
            throw new ModelFormatException(path, $"expected the tensors to cover the {dataLength}-byte data buffer, found {dataLength - position} bytes after {previous}");
        }
    }

    private static void Read(ref Utf8JsonReader reader, string path)
    {
        if (!reader.Read()) throw new ModelFormatException(path, "header: expected more JSON, found the end of the header");
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string path, string what)
    {
        Read(ref reader, path);
        if (reader.TokenType != type) throw new ModelFormatException(path, $"header: expected {what}, found {Describe(reader.TokenType)}");
    }

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };
}
