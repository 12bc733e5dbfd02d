using SimdRnn.Cells;
using SimdRnn.Cli;
using SimdRnn.Tests.Cli;
using SimdRnn.Tests.Data;
using Xunit;

namespace SimdRnn.Tests.Robustness;

/// <summary>
/// Every command given a path that is not what it should be: a file where a directory belongs, a directory where
/// a file belongs, a missing directory with no npm to fetch into it, a path through a file, a malformed file.
/// Each ends with exit code 1 and one line on stderr naming the path, never a stack trace. PATH is emptied for
/// these runs, so that no test ever starts npm; hence the process-state collection.
/// </summary>
[Collection(ProcessStateCollection.Name)]
public sealed class CliPathTests
{
    private static readonly IReadOnlyList<CellEntry> Cells = CellCatalog.BuiltIn;

    public static TheoryData<string> Commands => new() { "train", "data fetch", "bench" };

    [Theory]
    [MemberData(nameof(Commands))]
    public void DataIsAFile_ExitsOneNamingIt(string command)
    {
        string file = Path.Combine(Idx.TempDirectory(), "not-a-directory");
        File.WriteAllText(file, "hello");

        var run = RunWithoutNpm(command, "--data", file);

        AssertFailsNaming(run, file);
        Assert.Contains("is a file, not a directory", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void DataIsMissing_AndNoNpm_ExitsOneSayingHowToFetch(string command)
    {
        string missing = Path.Combine(Idx.TempDirectory(), "missing");

        var run = RunWithoutNpm(command, "--data", missing);

        AssertFailsNaming(run, missing);
        Assert.Contains("npm was not found", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing), "a failed fetch must not leave an empty directory behind");
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void DataPathRunsThroughAFile_ExitsOne(string command)
    {
        string file = Path.Combine(Idx.TempDirectory(), "file");
        File.WriteAllText(file, "hello");
        string through = Path.Combine(file, "mnist");

        AssertFailsNaming(RunWithoutNpm(command, "--data", through), through);
    }

    [Theory]
    [InlineData("train-images-idx3-ubyte")]
    [InlineData("train-labels-idx1-ubyte")]
    [InlineData("t10k-images-idx3-ubyte")]
    [InlineData("t10k-labels-idx1-ubyte")]
    public void ADirectoryWhereAnIdxFileBelongs_ExitsOne(string name)
    {
        string data = Idx.WriteMnist(3, 2);
        File.Delete(Path.Combine(data, name));
        Directory.CreateDirectory(Path.Combine(data, name));

        var run = RunWithoutNpm("train", "--data", data);

        AssertFailsNaming(run, data);
        Assert.Contains(name, run.Error, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "train-images-idx3-ubyte", "empty" },
        { "train-images-idx3-ubyte", "truncated" },
        { "train-images-idx3-ubyte", "lying header" },
        { "train-images-idx3-ubyte", "text" },
        { "train-labels-idx1-ubyte", "truncated" },
        { "train-labels-idx1-ubyte", "lying header" },
        { "train-labels-idx1-ubyte", "label 10" },
        { "t10k-images-idx3-ubyte", "gzip of garbage" },
        { "t10k-images-idx3-ubyte", "corrupt gzip" },
        { "t10k-labels-idx1-ubyte", "count differs" },
    };

    /// <summary>A malformed file reaches the user as one line naming it, for train and data fetch alike.</summary>
    [Theory]
    [MemberData(nameof(BadFiles))]
    public void MalformedIdxFile_ExitsOneNamingTheFile(string name, string damage)
    {
        string data = Idx.WriteMnist(3, 2);
        string path = Path.Combine(data, name);
        byte[] valid = File.ReadAllBytes(path);
        byte[] bad = damage switch
        {
            "empty" => [],
            "truncated" => valid[..^1],
            "lying header" => [.. valid[..4], 0x7F, 0xFF, 0xFF, 0xFF, .. valid[8..]],
            "text" => "images go here\n"u8.ToArray(),
            "label 10" => [.. valid[..^1], 10],
            "gzip of garbage" => IdxFiles.Gzip("not an idx file"u8.ToArray()),
            "corrupt gzip" => [.. IdxFiles.Gzip(valid)[..12], .. new byte[40]],
            "count differs" => IdxFiles.Labels(1, 2, 3),
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };
        if (damage.Contains("gzip", StringComparison.Ordinal))
        {
            File.Delete(path);
            path += ".gz";
        }

        File.WriteAllBytes(path, bad);

        AssertFailsNaming(RunWithoutNpm("train", "--data", data), path);
        AssertFailsNaming(RunWithoutNpm("data", "fetch", "--data", data), path);
    }

    /// <summary>A named pipe where an IDX file belongs: opening it would wait for a writer forever.</summary>
    [Fact]
    public async Task ANamedPipeWhereAnIdxFileBelongs_ExitsOneAtOnce()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no mkfifo
        }

        string data = Idx.WriteMnist(3, 2);
        string path = Path.Combine(data, "train-labels-idx1-ubyte");
        File.Delete(path);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var run = Task.Run(() => RunWithoutNpm("data", "fetch", "--data", data));
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))) == run, "reading a named pipe hung");
        AssertFailsNaming(await run, path);
    }

    [Fact]
    public void Cells_AndData_RejectBadArgumentsWithOneLine()
    {
        foreach (string[] args in new[]
        {
            new[] { "cells", "--bogus" },
            ["cells", "extra"],
            ["data", "fetch", "extra"],
            ["data", "nonsense"],
            ["data", "path", "--data"],
            ["bench", "--seconds", "0"],
            ["bench", "--seconds", "NaN"],
            ["bench", "--hidden", "-1"],
            ["bench", "--batch", "1e9"],
            ["bench", "--cell", "nope"],
        })
        {
            var run = CliHarness.Run(Cells, args);
            Assert.True(run.ExitCode == ExitCodes.Usage, $"{string.Join(' ', args)}: exit {run.ExitCode}, {run.Error}");
            Assert.Single(run.ErrorLines);
            Assert.StartsWith("simdrnn: ", run.Error, StringComparison.Ordinal);
        }
    }

    internal static CliRun RunWithoutNpm(string command, params string[] args)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        try
        {
            Environment.SetEnvironmentVariable("PATH", "");
            return CliHarness.Run(Cells, [.. command.Split(' '), .. args]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", path);
        }
    }

    private static void AssertFailsNaming(CliRun run, string path)
    {
        Assert.True(run.ExitCode == ExitCodes.Error, $"exit {run.ExitCode}: {run.Error}");
        Assert.True(run.ErrorLines.Length == 1, "expected one line, found:\n" + run.Error);
        Assert.StartsWith("simdrnn: ", run.Error, StringComparison.Ordinal);
        Assert.Contains(path, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
    }
}
