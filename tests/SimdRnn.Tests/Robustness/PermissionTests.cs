using SimdRnn.Cli;
using SimdRnn.Tests.Cli;
using SimdRnn.Tests.Data;
using SimdRnn.Tests.IO;
using Xunit;

namespace SimdRnn.Tests.Robustness;

/// <summary>A test that needs file permissions to bite: skipped on Windows, and as root, whom chmod does not stop.</summary>
public sealed class PermissionsFactAttribute : FactAttribute
{
    public PermissionsFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "Unix file modes only";
        else if (Environment.UserName == "root") Skip = "running as root, where chmod 000 does not stop reading or writing (the /proc and path-through-a-file tests cover the same code)";
    }
}

/// <summary>An unreadable data file and a read-only save directory: one line, exit 1, nothing lost.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PermissionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        foreach (string path in Directory.GetFileSystemEntries(_dir.Path, "*", SearchOption.AllDirectories).Append(_dir.Path))
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        _dir.Dispose();
    }

    [PermissionsFact]
    public void UnreadableIdxFile_ExitsOneNamingIt()
    {
        string data = Idx.WriteMnist(3, 2);
        string labels = Path.Combine(data, "train-labels-idx1-ubyte");
        File.SetUnixFileMode(labels, UnixFileMode.None);
        try
        {
            var run = CliHarness.Run(SimdRnn.Cells.CellCatalog.BuiltIn, "train", "--data", data);

            Assert.Equal(ExitCodes.Error, run.ExitCode);
            Assert.Contains(labels, Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        }
        finally
        {
            File.SetUnixFileMode(labels, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [PermissionsFact]
    public void SaveIntoAReadOnlyDirectory_ExitsOneBeforeTraining_AndKeepsThePreviousModel()
    {
        string directory = Path.Combine(_dir.Path, "models");
        Directory.CreateDirectory(directory);
        string model = Path.Combine(directory, "m.safetensors");
        File.WriteAllText(model, "previous");
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var run = CliFiles.Run(TestCells.All, "train", "--cell", "rnn", "--hidden", "4", "--epochs", "1", "--data", CliFiles.EasyMnist(60, 20), "--save", model);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.StartsWith($"simdrnn: cannot save {model}: ", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.Equal("previous", File.ReadAllText(model));
    }
}
