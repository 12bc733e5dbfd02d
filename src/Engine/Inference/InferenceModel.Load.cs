using SimdRnn.Cells;
using SimdRnn.IO;

namespace SimdRnn.Inference;

public sealed partial class InferenceModel
{
    /// <summary>
    /// Loads a model file (docs/interop.md: safetensors with SimdRnn metadata, or a PyTorch state_dict; or an int8 file
    /// from <c>simdrnn quantize</c>, docs/embedding.md) whose cell is one of <paramref name="cells"/> (default: the built-in cells).
    /// </summary>
    /// <exception cref="ModelFormatException">The file is malformed or does not fit the cells; the message is one line naming the file.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static InferenceModel Load(string path, IReadOnlyList<CellEntry>? cells = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (QuantizedModelFile.IsQuantized(SafetensorsFile.ReadHeader(path))) return QuantizedModelFile.Load(path, cells ?? CellCatalog.BuiltIn);
        using var loaded = ModelFile.Load(path, cells ?? CellCatalog.BuiltIn);
        return FromNetwork(loaded.Network);
    }

    /// <summary>Loads a model file from <paramref name="stream"/> (read to its end), e.g. an embedded resource.</summary>
    /// <inheritdoc cref="Load(string, IReadOnlyList{CellEntry})"/>
    public static InferenceModel Load(Stream stream, IReadOnlyList<CellEntry>? cells = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ThroughTemporaryFile(file => stream.CopyTo(file), cells);
    }

    /// <summary>Loads a model file held in memory, e.g. the bytes of an embedded resource.</summary>
    /// <inheritdoc cref="Load(string, IReadOnlyList{CellEntry})"/>
    public static InferenceModel Load(ReadOnlySpan<byte> bytes, IReadOnlyList<CellEntry>? cells = null)
    {
        // The span cannot enter a lambda: copy once into the temporary file here.
        string path = TemporaryPath();
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None)) file.Write(bytes);
            return LoadTemporary(path, cells);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // ModelFile reads files: a stream goes through a private temporary file, deleted at once.
    private static InferenceModel ThroughTemporaryFile(Action<Stream> write, IReadOnlyList<CellEntry>? cells)
    {
        string path = TemporaryPath();
        try
        {
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None)) write(file);
            return LoadTemporary(path, cells);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static InferenceModel LoadTemporary(string path, IReadOnlyList<CellEntry>? cells)
    {
        try
        {
            return Load(path, cells);
        }
        catch (ModelFormatException e)
        {
            // The temporary name means nothing to the caller.
            throw new ModelFormatException("(model bytes)", e.Detail, e);
        }
    }

    private static string TemporaryPath() => Path.Combine(Path.GetTempPath(), $"simdrnn-model-{Guid.NewGuid():N}.safetensors");
}
