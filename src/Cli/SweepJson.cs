using System.Text.Json;
using System.Text.Json.Serialization;

namespace SimdRnn.Cli;

/// <summary>
/// One line of <c>results.jsonl</c>: a sweep point trained to <see cref="Epochs"/> epochs (or until it diverged).
/// <see cref="Cost"/> and <see cref="TestAccuracy"/> hold one entry per evaluated epoch; <see cref="Seconds"/>
/// is training time without evaluation, as <c>train</c> reports it.
/// </summary>
public sealed record SweepRecord(
    string Key,
    string Cell,
    float LearningRate,
    int Batch,
    int Hidden,
    int Layers,
    int Seed,
    int? Limit,
    int Epochs,
    string Status,
    string? Reason,
    double[] Cost,
    double[] TestAccuracy,
    double? FinalAccuracy,
    double Seconds,
    double SamplesPerSecond,
    string Optimizer,
    float Clip,
    string Schedule,
    int Threads,
    string Simd,
    string Version)
{
    public const string Done = "done";

    public const string Diverged = "diverged";

    [JsonIgnore]
    public bool IsDiverged => Status == Diverged;

    /// <summary>The point this record belongs to (its key without the epoch count).</summary>
    [JsonIgnore]
    public SweepPoint Point => new(Cell, LearningRate, Batch, Hidden, Layers, Seed, Limit);
}

/// <summary>Source-generated (NativeAOT-safe) JSON for the sweep's records, snake_case, one object per line.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(SweepRecord))]
public sealed partial class SweepJsonContext : JsonSerializerContext;

/// <summary>
/// <c>DIR/results.jsonl</c>: each record is one line written by a single write call to a file opened
/// for appending and flushed to disk, so a killed sweep leaves at most one torn last line, which readers
/// ignore (and the next sweep cuts off before appending).
/// </summary>
public sealed class SweepResults : IDisposable
{
    public const string FileName = "results.jsonl";

    private readonly FileStream stream;

    private SweepResults(FileStream stream) => this.stream = stream;

    /// <summary>What a results file holds: the records of complete, valid lines, and a note per line ignored.</summary>
    public sealed record Contents(IReadOnlyList<SweepRecord> Records, IReadOnlyList<string> Ignored, long ValidLength);

    /// <summary>
    /// Reads <paramref name="path"/> (if it exists), cuts off a torn last line, and opens it for appending;
    /// <paramref name="log"/> hears about every line ignored.
    /// </summary>
    public static SweepResults Open(string path, out IReadOnlyList<SweepRecord> existing, Action<string> log)
    {
        existing = [];

        // Nothing to keep in a zero-length file; and a named pipe (also length 0) would block the open forever,
        // so it is replaced like an empty file.
        if (File.Exists(path) && new FileInfo(path).Length == 0)
        {
            File.Delete(path);
        }

        if (File.Exists(path))
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            var contents = Parse(ReadAll(file), path);
            foreach (var note in contents.Ignored) log(note);
            if (contents.ValidLength < file.Length)
            {
                file.SetLength(contents.ValidLength);
                file.Flush(flushToDisk: true);
            }

            existing = contents.Records;
        }

        return new SweepResults(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read));
    }

    /// <summary>Reads <paramref name="path"/> without changing it.</summary>
    public static Contents Read(string path)
    {
        // A named pipe reports length 0 and would block the open forever; an empty file holds nothing anyway.
        if (new FileInfo(path).Length == 0)
        {
            return new Contents([], [], 0);
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return Parse(ReadAll(stream), path);
    }

    /// <summary>Appends one record as one line: one write call, then a flush to disk.</summary>
    public void Append(SweepRecord record)
    {
        byte[] line = [.. JsonSerializer.SerializeToUtf8Bytes(record, SweepJsonContext.Default.SweepRecord), (byte)'\n'];
        stream.Write(line);
        stream.Flush(flushToDisk: true);
    }

    public void Dispose() => stream.Dispose();

    public static string Serialize(SweepRecord record) => JsonSerializer.Serialize(record, SweepJsonContext.Default.SweepRecord);

    /// <summary>The record on one line, or null when it is not a complete record.</summary>
    public static SweepRecord? TryDeserialize(ReadOnlySpan<byte> line)
    {
        try
        {
            var record = JsonSerializer.Deserialize(line, SweepJsonContext.Default.SweepRecord);
            bool complete = record is { Key: not null, Cell: not null, Status: SweepRecord.Done or SweepRecord.Diverged, Cost: not null, TestAccuracy: not null };
            return complete ? record : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Splits <paramref name="bytes"/> into lines. A last line without its newline is torn (the writer was
    /// killed mid-write) and ignored; so is any complete line that is not a record, e.g. where a torn file
    /// was concatenated with another.
    /// </summary>
    public static Contents Parse(ReadOnlySpan<byte> bytes, string path)
    {
        var records = new List<SweepRecord>();
        var ignored = new List<string>();
        long validLength = 0;
        int lineNumber = 0, start = 0;
        while (start < bytes.Length)
        {
            lineNumber++;
            int end = bytes[start..].IndexOf((byte)'\n');
            if (end < 0)
            {
                ignored.Add($"{path}: ignoring line {lineNumber}, a torn last line ({bytes.Length - start} bytes without a newline) left by an interrupted sweep");
                break;
            }

            var line = bytes.Slice(start, end);
            start += end + 1;
            validLength = start;
            if (line.Trim((byte)'\r').IsEmpty) continue;
            if (TryDeserialize(line) is { } record) records.Add(record);
            else ignored.Add($"{path}: ignoring line {lineNumber}, not a sweep record");
        }

        return new Contents(records, ignored, validLength);
    }

    private static byte[] ReadAll(FileStream stream)
    {
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
