namespace SimdRnn.IO;

/// <summary>
/// A model file is malformed or does not fit the cells at hand. The message is one line: the file's path,
/// then (where one is concerned) the tensor, then what was expected and what was found.
/// </summary>
public sealed class ModelFormatException : IOException
{
    public ModelFormatException(string path, string detail, Exception? inner = null)
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
