using SimdRnn.Cli;
using SimdRnn.Tests.Cli;
using SimdRnn.Tests.Data;
using SimdRnn.Tests.IO;
using Xunit;

namespace SimdRnn.Tests.Robustness;

/// <summary>
/// <c>train --save</c> where the model cannot go: a missing directory, a directory, a place no file can be
/// created, a disk that fills during the save. One line, exit 1, and the previous model byte for byte.
/// </summary>
public sealed class CliSaveTests : IDisposable
{
    private static readonly Lazy<string> Mnist = new(() => CliFiles.EasyMnist(trainCount: 120, testCount: 40));

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string[] Train(params string[] more) =>
        ["train", "--cell", "rnn", "--hidden", "12", "--batch", "30", "--lr", "0.05", "--threads", "1", "--epochs", "1", "--data", Mnist.Value, .. more];

    public static TheoryData<string> BadPlaces => new() { "missing directory", "a directory", "through a file", "under /proc" };

    /// <summary>Reported before training starts, so no time is lost: nothing on stdout, no epoch line.</summary>
    [Theory]
    [MemberData(nameof(BadPlaces))]
    public void SaveWhereNoFileCanBe_ExitsOneBeforeTraining(string place)
    {
        string file = Path.Combine(_dir.Path, "file");
        File.WriteAllText(file, "x");
        string path = place switch
        {
            "missing directory" => Path.Combine(_dir.Path, "missing", "m.safetensors"),
            "a directory" => _dir.Path,
            "through a file" => Path.Combine(file, "m.safetensors"),
            _ => "/proc/simdrnn-robustness-test.safetensors",
        };

        var run = CliFiles.Run(TestCells.All, Train("--save", path));

        Assert.True(run.ExitCode == ExitCodes.Error, $"exit {run.ExitCode}: {run.Error}");
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith($"simdrnn: cannot save {path}: ", line, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
        Assert.Equal("x", File.ReadAllText(file));
    }

    /// <summary>
    /// A disk that fills during the save, as a 16 KB file-size limit on a child process (SIGXFSZ ignored, so the write
    /// fails with EFBIG as on a full disk). The previous model, saved without optimizer state (a few KB), must come
    /// through byte for byte; the new save with Adam's moments is larger than the limit.
    /// </summary>
    [Fact]
    public void DiskFullDuringSave_ExitsOneAndKeepsThePreviousModel()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // ulimit and signals as on Linux
        }

        string model = Path.Combine(_dir.Path, "m.safetensors");
        string[] bigger = ["train", "--cell", "lstm", "--hidden", "16", "--batch", "30", "--lr", "0.01", "--threads", "1", "--epochs", "1", "--json", "--data", Mnist.Value, "--save", model];
        var first = ChildCli.Run("", null, [.. bigger, "--no-optimizer-state"]);
        Assert.True(first.ExitCode is ExitCodes.Success or ExitCodes.Diverged, first.Error);
        if (first.ExitCode == ExitCodes.Diverged)
        {
            return; // no model to keep; the tiny data set did not learn
        }

        byte[] previous = File.ReadAllBytes(model);
        Assert.InRange(previous.Length, 8 << 10, 16 << 10);

        // W^X makes the runtime double-map its code through a file, which the limit would stop at startup.
        var full = ChildCli.Run("trap '' XFSZ; ulimit -f 16;", new Dictionary<string, string> { ["DOTNET_EnableWriteXorExecute"] = "0" }, bigger);

        Assert.True(full.ExitCode == ExitCodes.Error, $"exit {full.ExitCode}: {full.Error}");
        string last = full.Error.Trim().Split('\n')[^1];
        Assert.StartsWith($"simdrnn: cannot save {model}: ", last, StringComparison.Ordinal);
        Assert.Contains("the file would exceed the largest size allowed here", last, StringComparison.Ordinal);
        Assert.Single(full.Error.Trim().Split('\n'), l => l.StartsWith("simdrnn: ", StringComparison.Ordinal));
        Assert.Equal(previous, File.ReadAllBytes(model));
        Assert.Equal(["m.safetensors"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
        Assert.Contains("\"epoch\":1", full.Out.Replace(" ", ""), StringComparison.Ordinal); // the result was printed before the save
    }

    /// <summary>
    /// A really full disk: a 64 KB tmpfs holding the previous model and a file taking the rest of the space. Needs
    /// permission to mount (root on Linux); elsewhere the test returns at once, the file-size-limit test above
    /// covering the same path through the code.
    /// </summary>
    [Fact]
    public void FullTmpfsDuringSave_ExitsOneAndKeepsThePreviousModel()
    {
        string mount = Path.Combine(_dir.Path, "tmpfs");
        Directory.CreateDirectory(mount);
        if (!OperatingSystem.IsLinux() || Shell($"mount -t tmpfs -o size=64k tmpfs '{mount}'") != 0)
        {
            return;
        }

        try
        {
            string model = Path.Combine(mount, "m.safetensors");
            string[] args = Train("--save", model);
            Assert.Equal(ExitCodes.Success, CliFiles.Run(TestCells.All, [.. args, "--no-optimizer-state"]).ExitCode);
            byte[] previous = File.ReadAllBytes(model);
            Shell($"dd if=/dev/zero of='{Path.Combine(mount, "filler")}' bs=1k count=1024 2>/dev/null");

            var run = CliFiles.Run(TestCells.All, args);

            Assert.True(run.ExitCode == ExitCodes.Error, $"exit {run.ExitCode}: {run.Error}");
            string last = run.ErrorLines[^1];
            Assert.StartsWith($"simdrnn: cannot save {model}: ", last, StringComparison.Ordinal);
            Assert.Contains("No space left on device", last, StringComparison.Ordinal);
            Assert.Equal(previous, File.ReadAllBytes(model));
            Assert.Equal(["filler", "m.safetensors"], Directory.GetFiles(mount).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        finally
        {
            Shell($"umount '{mount}'");
        }
    }

    private static int Shell(string command)
    {
        using var process = System.Diagnostics.Process.Start("/bin/sh", ["-c", command]);
        process.WaitForExit();
        return process.ExitCode;
    }
}
