using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace SimdRnn.IO;

/// <summary>
/// An open safetensors file: its validated header and, on request, one tensor's values as floats (F32 as is,
/// F64, F16 and BF16 converted). Nothing is allocated from a size that the header claims before that size has
/// been checked against the file's length.
/// </summary>
public sealed class SafetensorsFile : IDisposable
{
    private const int ChunkBytes = 1 << 16;

    private readonly FileStream stream;

    private SafetensorsFile(FileStream stream, SafetensorsHeader header)
    {
        this.stream = stream;
        Header = header;
    }

    public SafetensorsHeader Header { get; }

    public string Path => Header.Path;

    /// <summary>Opens <paramref name="path"/> and reads its header.</summary>
    /// <exception cref="ModelFormatException">The file is not a valid safetensors file.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static SafetensorsFile Open(string path)
    {
        // A named pipe or device reports length 0, and opening a pipe waits for a writer forever: judged unopened.
        if (new FileInfo(path).Length == 0)
        {
            throw new ModelFormatException(path, "expected a safetensors file (8-byte header length, JSON header, data), found 0 bytes");
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        try
        {
            return new SafetensorsFile(stream, SafetensorsHeader.Read(stream, path));
        }
        catch (EndOfStreamException e)
        {
            stream.Dispose();
            throw new ModelFormatException(path, "expected a complete file, found it shorter than its header says (it changed while being read)", e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads only the header of <paramref name="path"/>.</summary>
    public static SafetensorsHeader ReadHeader(string path)
    {
        using var file = Open(path);
        return file.Header;
    }

    /// <summary>The values of <paramref name="tensor"/> as a new array.</summary>
    public float[] ReadFloats(SafetensorsTensor tensor)
    {
        CheckReadable(tensor);
        var values = new float[tensor.ElementCount];
        ReadFloats(tensor, values);
        return values;
    }

    /// <summary>Reads the values of <paramref name="tensor"/> into <paramref name="destination"/>, which must have its element count.</summary>
    public void ReadFloats(SafetensorsTensor tensor, Span<float> destination)
    {
        CheckReadable(tensor);
        if (destination.Length != tensor.ElementCount)
        {
            throw new ArgumentException($"Expected a destination of {tensor.ElementCount} floats for {tensor.Name}, found {destination.Length}.", nameof(destination));
        }

        try
        {
            stream.Position = Header.DataStart + tensor.Begin;
            if (tensor.DType == TensorDType.F32 && BitConverter.IsLittleEndian)
            {
                stream.ReadExactly(MemoryMarshal.AsBytes(destination));
                return;
            }

            ReadConverted(tensor.DType, destination);
        }
        catch (EndOfStreamException e)
        {
            throw new ModelFormatException(Path, $"tensor {Text.Quote(tensor.Name)}: expected {tensor.End - tensor.Begin} bytes of data, found the file shorter (it changed while being read)", e);
        }
    }

    /// <summary>
    /// Reads the values of an I8 <paramref name="tensor"/> into <paramref name="destination"/>, which must have its
    /// element count. The header has already checked that the bytes lie inside the file.
    /// </summary>
    /// <exception cref="ModelFormatException">The tensor is not I8, or the file ends before its data.</exception>
    public void ReadInt8(SafetensorsTensor tensor, Span<sbyte> destination)
    {
        if (tensor.DType != TensorDType.I8)
        {
            throw new ModelFormatException(Path, $"tensor {Text.Quote(tensor.Name)}: expected dtype I8, found {tensor.DType.Name()}");
        }

        if (destination.Length != tensor.ElementCount)
        {
            throw new ArgumentException($"Expected a destination of {tensor.ElementCount} values for {tensor.Name}, found {destination.Length}.", nameof(destination));
        }

        try
        {
            stream.Position = Header.DataStart + tensor.Begin;
            stream.ReadExactly(MemoryMarshal.AsBytes(destination));
        }
        catch (EndOfStreamException e)
        {
            throw new ModelFormatException(Path, $"tensor {Text.Quote(tensor.Name)}: expected {tensor.End - tensor.Begin} bytes of data, found the file shorter (it changed while being read)", e);
        }
    }

    private void CheckReadable(SafetensorsTensor tensor)
    {
        if (!tensor.DType.IsReadableAsFloat())
        {
            throw new ModelFormatException(Path, $"tensor {Text.Quote(tensor.Name)}: expected dtype F32 (or F64, F16, BF16), found {tensor.DType.Name()}");
        }

        if (tensor.ElementCount > Array.MaxLength)
        {
            throw new ModelFormatException(Path, $"tensor {Text.Quote(tensor.Name)}: expected at most {Array.MaxLength} elements, found {tensor.ElementCount}");
        }
    }

    private void ReadConverted(TensorDType dtype, Span<float> destination)
    {
        int size = dtype.Size();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int done = 0;
            while (done < destination.Length)
            {
                int count = Math.Min(destination.Length - done, ChunkBytes / size);
                var bytes = buffer.AsSpan(0, count * size);
                stream.ReadExactly(bytes);
                var target = destination.Slice(done, count);
                for (int i = 0; i < count; i++)
                {
                    var element = bytes.Slice(i * size, size);
                    target[i] = dtype switch
                    {
                        TensorDType.F32 => BinaryPrimitives.ReadSingleLittleEndian(element),
                        TensorDType.F64 => (float)BinaryPrimitives.ReadDoubleLittleEndian(element),
                        TensorDType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(element),
                        _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(element) << 16), // BF16: the top half of an F32
                    };
                }

                done += count;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => stream.Dispose();
}
