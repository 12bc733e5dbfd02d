using System.Buffers.Binary;
using SimdRnn.IO;
using SimdRnn.Tests.Data;
using Xunit;

namespace SimdRnn.Tests.IO;

public sealed class SafetensorsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WriteThenRead_RoundTripsTensorsAndMetadata()
    {
        string path = Path.Combine(_dir.Path, "t.safetensors");
        float[] a = [1.5f, -2f, float.Epsilon, 3e38f, 0f, -0f];
        SafetensorsWriter.Write(path, [new("a", [2, 3], a), new("empty", [0, 4], Array.Empty<float>()), new("scalar", [], new[] { 7f })],
            new Dictionary<string, string> { ["k"] = "v \"quoted\" ü", ["n"] = "" });

        using var file = SafetensorsFile.Open(path);
        Assert.Equal(["a", "empty", "scalar"], file.Header.Tensors.Select(t => t.Name));
        Assert.Equal([2L, 3L], file.Header.Find("a")!.Shape);
        Assert.Equal(a, file.ReadFloats(file.Header.Find("a")!));
        Assert.Empty(file.ReadFloats(file.Header.Find("empty")!));
        Assert.Equal([7f], file.ReadFloats(file.Header.Find("scalar")!));
        Assert.Equal("v \"quoted\" ü", file.Header.Metadata["k"]);
        Assert.Equal("", file.Header.Metadata["n"]);
        Assert.Equal(0, file.Header.DataStart % 8);
    }

    [Fact]
    public void ReadsF64F16AndBF16AsFloats()
    {
        byte[] data = new byte[8 + 2 + 2];
        BinaryPrimitives.WriteDoubleLittleEndian(data, 0.25);
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(8), (Half)(-1.5f));
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(10), (ushort)(BitConverter.SingleToInt32Bits(3f) >> 16));
        string json = """{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"h":{"dtype":"F16","shape":[1],"data_offsets":[8,10]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[10,12]}}""";
        string path = _dir.Write("mixed", ModelFiles.Join(json, data));

        using var file = SafetensorsFile.Open(path);
        Assert.Equal([0.25f], file.ReadFloats(file.Header.Find("d")!));
        Assert.Equal([-1.5f], file.ReadFloats(file.Header.Find("h")!));
        Assert.Equal([3f], file.ReadFloats(file.Header.Find("b")!));
    }

    [Fact]
    public void IntegerTensor_IsListedButNotReadAsFloats()
    {
        string path = _dir.Write("ints", ModelFiles.Join("""{"i":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}""", new byte[16]));

        using var file = SafetensorsFile.Open(path);
        var e = Assert.Throws<ModelFormatException>(() => file.ReadFloats(file.Header.Find("i")!));
        Assert.Equal($"{path}: tensor 'i': expected dtype F32 (or F64, F16, BF16), found I64", e.Message);
    }

    public static TheoryData<string, byte[], string> BadFiles => new()
    {
        { "too short", [1, 2, 3], "expected a safetensors file (8-byte header length, JSON header, data), found 3 bytes" },
        { "huge header length", [.. BitConverter.GetBytes(ulong.MaxValue), .. "{}"u8], $"expected a header of at most {SafetensorsHeader.MaxHeaderBytes} bytes, found a header length of {ulong.MaxValue}" },
        { "header past the end", ModelFiles.Join("{}", [], claimedLength: 1000), "expected a header length between 2 and 2 (the file has 10 bytes), found 1000" },
        { "not JSON", ModelFiles.Join("{nope}", []), "header: expected valid JSON, found" },
        { "array header", ModelFiles.Join("[]", []), "header: expected the header to be a JSON object, found an array" },
        { "unknown dtype", ModelFiles.Join("""{"a":{"dtype":"F31","shape":[1],"data_offsets":[0,4]}}""", new byte[4]), "tensor 'a': expected a safetensors dtype such as F32, found 'F31'" },
        { "negative dimension", ModelFiles.Join("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", new byte[4]), "tensor 'a': shape: expected non-negative integers, found -1" },
        { "fractional dimension", ModelFiles.Join("""{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}""", new byte[4]), "tensor 'a': shape: expected non-negative integers, found 1.5" },
        { "overflowing shape", ModelFiles.Join("""{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}""", new byte[4]), "tensor 'a': expected a shape whose size fits in memory, found [4294967296, 4294967296]" },
        { "offsets disagree with shape", ModelFiles.Join("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", new byte[4]), "tensor 'a': expected data_offsets spanning 8 bytes ([2] of F32), found [0, 4]" },
        { "three offsets", ModelFiles.Join("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}""", new byte[4]), "tensor 'a': expected data_offsets [begin, end], found 3 numbers" },
        { "missing shape", ModelFiles.Join("""{"a":{"dtype":"F32","data_offsets":[0,4]}}""", new byte[4]), "tensor 'a': expected dtype, shape and data_offsets, found no shape" },
        { "unknown field", ModelFiles.Join("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}""", new byte[4]), "tensor 'a': expected only dtype, shape and data_offsets, found 'x'" },
        { "duplicate name", ModelFiles.Join("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8]), "header: expected unique names, found 'a' twice" },
        { "overlap", ModelFiles.Join("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8]), "tensor 'b': expected data_offsets to begin at 8, where tensor 'a' ends, found [4, 8] (overlaps it)" },
        { "gap", ModelFiles.Join("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8]), "tensor 'a': expected data_offsets to begin at 0, where the header ends, found [4, 8] (leaves a gap after it)" },
        { "truncated data", ModelFiles.Join("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", new byte[5]), "tensor 'a': expected data_offsets within the 5-byte data buffer, found [0, 8] (the file is truncated or the header is wrong)" },
        { "trailing data", ModelFiles.Join("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", new byte[6]), "expected the tensors to cover the 6-byte data buffer, found 2 bytes after tensor 'a'" },
        { "metadata number", ModelFiles.Join("""{"__metadata__":{"k":1}}""", []), "__metadata__: expected a string value for 'k', found a number" },
        { "name with a newline", ModelFiles.Join("""{"a\nb":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", new byte[2]), "tensor 'a\\u000ab': expected data_offsets within" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void BadFile_ThrowsOneLineNamingFileAndProblem(string name, byte[] bytes, string expected)
    {
        string path = _dir.Write(name.Replace(' ', '-'), bytes);

        var e = Assert.Throws<ModelFormatException>(() => SafetensorsFile.ReadHeader(path));

        Assert.StartsWith($"{path}: {expected}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
