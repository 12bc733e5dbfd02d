namespace SimdRnn.IO;

/// <summary>
/// Replaces a file all at once: writes a temporary file in the same directory, flushes it to disk, then renames it
/// over the target. A save that fails or is interrupted leaves the previous file as it was and removes the
/// temporary file (a process killed mid-write may leave a <c>.*.tmp</c> file behind, never a damaged target).
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, which receives the temporary file's stream.</summary>
    public static void Write(string path, Action<Stream> write) => Write(path, write, wrap: null);

    // wrap: tests only, wraps the file stream, e.g. in one that fails part-way.
    internal static void Write(string path, Action<Stream> write, Func<Stream, Stream>? wrap)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                var stream = wrap is null ? file : wrap(file);
                write(stream);
                stream.Flush();
                file.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == "value")
        {
            // .NET reports EFBIG (a file-size limit, or the file system's largest file) from a write as this
            // exception rather than an IOException; it is an I/O failure like ENOSPC and is reported as one.
            TryDelete(temporary);
            throw new IOException($"the file would exceed the largest size allowed here (a file-size limit or the file system's): {e.Message}", e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original error matters more than a leftover temporary file.
        }
    }
}
