namespace SimdRnn.Data;

/// <summary>
/// A data file is malformed. The message is one line: the file's path, then what was expected and what was found.
/// An <see cref="IOException"/> because <see cref="InvalidDataException"/> is sealed.
/// </summary>
public sealed class DataFormatException : IOException
{
    public DataFormatException(string path, string detail, Exception? inner = null)
        : base($"{path}: {detail}", inner)
    {
        Path = path;
        Detail = detail;
    }

    /// <summary>The file the error is about.</summary>
    public string Path { get; }

    /// <summary>The message without the path.</summary>
    public string Detail { get; }
}
