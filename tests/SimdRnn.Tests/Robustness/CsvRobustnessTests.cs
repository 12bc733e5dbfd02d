using System.Text;
using FsCheck;
using FsCheck.Xunit;
using SimdRnn.Cli;
using SimdRnn.Data;
using SimdRnn.Tests.Cli;
using SimdRnn.Tests.Data;
using Xunit;

namespace SimdRnn.Tests.Robustness;

/// <summary>
/// CSV training files from elsewhere: whatever a valid file becomes, <see cref="CsvDataset.Load"/> returns a data
/// set of finite values or throws <see cref="DataFormatException"/> with one line naming the file, allocates in
/// proportion to the file, and never hangs; pipes, devices and lines without end are refused.
/// </summary>
public sealed class CsvRobustnessTests : IDisposable
{
    private const int Steps = 3, Inputs = 2;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static readonly string ValidText = string.Join('\n', Enumerable.Range(0, 12).Select(n =>
        $"{n % 3}," + string.Join(',', Enumerable.Range(0, Steps * Inputs).Select(i => (0.1 * (n + i)).ToString("R", System.Globalization.CultureInfo.InvariantCulture))))) + "\n";

    private static readonly string[] HostileFields =
    [
        "NaN", "-NaN", "Infinity", "-Infinity", "∞", "1e39", "-1e39", "1e-50", "0x10", "1_000", "١٢", "1,5", "\"1\"", "", " ", "-", ".", "e5",
        "2147483648", "-1", "99999999999999999999", "1e308", "\t1\t", "\u00a01", "1\r2", "\uFEFF1", "\u0000", "𝟙",
    ];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Property(MaxTest = 400)]
    public void MutatedBytes_LoadOrThrowDataFormatException((NonNegativeInt Position, byte Value)[] mutations, NonNegativeInt cut, bool truncate)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(ValidText);
        if (truncate) bytes = bytes[..(cut.Get % (bytes.Length + 1))];
        foreach (var (position, value) in mutations)
        {
            if (bytes.Length > 0) bytes[position.Get % bytes.Length] = value;
        }

        Check(bytes);
    }

    [Property(MaxTest = 400)]
    public void HostileFields_LoadOrThrowDataFormatException(NonNegativeInt[] edits)
    {
        var rows = ValidText.Split('\n').Select(row => row.Split(',')).ToArray();
        foreach (var edit in edits.Take(6))
        {
            var row = rows[edit.Get % rows.Length];
            row[edit.Get / rows.Length % row.Length] = HostileFields[edit.Get % HostileFields.Length];
        }

        Check(Encoding.UTF8.GetBytes(string.Join('\n', rows.Select(row => string.Join(',', row)))));
    }

    [Property(MaxTest = 100)]
    public void RandomText_LoadsOrThrowsDataFormatException(string? text) => Check(Encoding.UTF8.GetBytes(text ?? ""));

    /// <summary>16 MB without a newline: refused after the first row's worth of characters, not gathered into one string.</summary>
    [Fact]
    public void LineWithoutEnd_IsRefusedWithoutReadingItWhole()
    {
        string path = Path.Combine(_dir.Path, "one-line.csv");
        using (var file = File.Create(path))
        {
            var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("1,", 1 << 15)));
            for (int i = 0; i < 256; i++) file.Write(chunk);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<DataFormatException>(() => CsvDataset.Load(path, Steps, Inputs));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("line 1: expected at most", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData("named pipe")]
    [InlineData("/dev/zero")]
    [InlineData("empty")]
    public async Task PipeDeviceOrEmpty_IsRefusedAtOnce(string kind)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string path = Path.Combine(_dir.Path, "data.csv");
        if (kind == "named pipe")
        {
            using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
            mkfifo.WaitForExit();
        }
        else if (kind == "empty")
        {
            File.WriteAllBytes(path, []);
        }
        else
        {
            path = "/dev/zero";
        }

        var load = Task.Run(() => Assert.Throws<DataFormatException>(() => CsvDataset.Load(path, Steps, Inputs)));
        Assert.True(await Task.WhenAny(load, Task.Delay(Patience)) == load, $"reading a {kind} did not finish within {Patience}");
        Assert.StartsWith($"{path}: expected rows", (await load).Message, StringComparison.Ordinal);
    }

    /// <summary>Through the command line: a bad CSV training or test file is one line naming it, exit 1.</summary>
    [Theory]
    [InlineData("train", "1,2\n")]
    [InlineData("train", "0,1,2,3,4,5,NaN\n1,1,2,3,4,5,6\n")]
    [InlineData("test", "x,1,2,3,4,5,6\n")]
    [InlineData("test", "")]
    public void Train_BadCsvFile_ExitsOneNamingIt(string which, string text)
    {
        string good = Path.Combine(_dir.Path, "good.csv"), bad = Path.Combine(_dir.Path, "bad.csv");
        File.WriteAllText(good, ValidText);
        File.WriteAllText(bad, text);

        var run = CliHarness.Run(SimdRnn.Cells.CellCatalog.BuiltIn,
            "train", "--data-format", "csv", "--train", which == "train" ? bad : good, "--test", which == "test" ? bad : good,
            "--steps", "3", "--inputs", "2", "--hidden", "4", "--epochs", "1");

        Assert.True(run.ExitCode == ExitCodes.Error, $"exit {run.ExitCode}: {run.Error}");
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith($"simdrnn: {bad}: ", line, StringComparison.Ordinal);
    }

    private void Check(byte[] bytes)
    {
        string path = _dir.Write(Path.GetRandomFileName(), bytes);
        var load = Task.Run(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var data = CsvDataset.Load(path, Steps, Inputs);
                Assert.True(data.Count > 0);
            }
            catch (DataFormatException e)
            {
                Assert.StartsWith($"{path}: ", e.Message, StringComparison.Ordinal);
                Assert.DoesNotContain('\n', e.Message);
                Assert.DoesNotContain('\r', e.Message);
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < (1 << 20) + 64L * bytes.Length, $"reading {bytes.Length} bytes allocated {allocated}");
        });

        Assert.True(load.Wait(Patience), $"reading {bytes.Length} mutated bytes did not finish within {Patience}");
        load.GetAwaiter().GetResult();
        File.Delete(path);
    }
}
