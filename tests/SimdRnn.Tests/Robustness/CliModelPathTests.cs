using SimdRnn.Cli;
using SimdRnn.IO;
using SimdRnn.Tests.Cli;
using SimdRnn.Tests.Data;
using SimdRnn.Tests.IO;
using Xunit;

namespace SimdRnn.Tests.Robustness;

/// <summary>
/// eval, predict, inspect and train --resume given a model path, and predict given an image path, that is not a
/// readable file: missing, a directory, a path through a file, empty, a named pipe (opening one waits for a
/// writer), /dev/zero (never ends). Each is one line and exit 1, at once.
/// </summary>
public sealed class CliModelPathTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly Lazy<string> Mnist = new(() => CliFiles.EasyMnist(trainCount: 60, testCount: 20));

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string command in new[] { "eval", "predict", "inspect", "train --resume" })
        {
            foreach (string kind in new[] { "missing", "directory", "through a file", "empty", "named pipe", "/dev/zero" })
            {
                data.Add(command, kind);
            }
        }

        foreach (string kind in new[] { "missing", "directory", "empty", "named pipe", "/dev/zero" })
        {
            data.Add("predict image", kind);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task UnreadablePath_ExitsOneWithOneLineAtOnce(string command, string kind)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // named pipes and /dev/zero
        }

        string bad = Make(kind);
        string model = Path.Combine(_dir.Path, "good.safetensors");
        using (var network = ModelFiles.Network(TestCells.Rnn, hidden: 4, layers: 1, steps: 28, inputs: 28, classes: 10))
        {
            ModelFile.Save(model, network);
        }

        string image = Path.Combine(_dir.Path, "digit.pgm");
        File.WriteAllBytes(image, CliFiles.Pgm(new byte[28 * 28], 28, 28));
        string[] args = command switch
        {
            "eval" => ["eval", "--model", bad, "--data", Mnist.Value],
            "predict" => ["predict", "--model", bad, image],
            "inspect" => ["inspect", bad],
            "train --resume" => ["train", "--resume", bad, "--epochs", "2", "--data", Mnist.Value],
            _ => ["predict", "--model", model, bad],
        };

        var run = Task.Run(() => CliFiles.Run(TestCells.All, args));
        Assert.True(await Task.WhenAny(run, Task.Delay(Patience)) == run, $"{string.Join(' ', args)} did not finish within {Patience}");
        var result = await run;

        Assert.True(result.ExitCode == ExitCodes.Error, $"exit {result.ExitCode}: {result.Error}");
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("simdrnn: ", line, StringComparison.Ordinal);
        Assert.Contains(bad, line, StringComparison.Ordinal);
        if (kind == "directory") Assert.Contains("directory", line.Replace(bad, "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    private string Make(string kind)
    {
        string path = Path.Combine(_dir.Path, "bad");
        switch (kind)
        {
            case "missing":
                return path;
            case "directory":
                Directory.CreateDirectory(path);
                return path;
            case "through a file":
                File.WriteAllText(path, "x");
                return Path.Combine(path, "m.safetensors");
            case "empty":
                File.WriteAllBytes(path, []);
                return path;
            case "named pipe":
                using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]))
                {
                    mkfifo.WaitForExit();
                    Assert.Equal(0, mkfifo.ExitCode);
                }

                return path;
            default:
                return "/dev/zero";
        }
    }
}
