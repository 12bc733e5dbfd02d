using SimdRnn.Cli;
using SimdRnn.Tests.Cli;
using SimdRnn.Tests.Data;
using SimdRnn.Tests.Sweep;
using Xunit;

namespace SimdRnn.Tests.Robustness;

/// <summary>
/// sweep and report where their output cannot go, and on a disk that fills (a 64 KB tmpfs, when this process may
/// mount one): one line, exit 1, and the results and report already there kept.
/// </summary>
public sealed class SweepStorageTests : IDisposable
{
    private static readonly string[] Grid = ["--cell", "fake-lstm,fake-gru", "--lr", "0.01,0.02", "--epochs", "1,2"];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SweepAndReport_OutWhereNothingCanBeWritten_ExitOneWithOneLine()
    {
        string results = Path.Combine(_dir.Path, "sweep");
        Assert.Equal(ExitCodes.Success, new FakeTrainer().Sweep(results, Grid).ExitCode);

        var sweep = new FakeTrainer().Sweep("/proc/simdrnn-robustness-sweep", Grid);
        var report = CliHarness.Run(FakeTrainer.Cells, "report", results, "--out", "/proc/simdrnn-robustness-report");

        // sweep checks --out before training, as an option (exit 2); report finds out when it writes (exit 1).
        foreach (var (run, code) in new[] { (sweep, ExitCodes.Usage), (report, ExitCodes.Error) })
        {
            Assert.True(run.ExitCode == code, $"exit {run.ExitCode}: {run.Error}");
            var line = Assert.Single(run.ErrorLines);
            Assert.StartsWith("simdrnn: ", line, StringComparison.Ordinal);
            Assert.Contains("/proc/simdrnn-robustness-", line, StringComparison.Ordinal);
        }
    }

    /// <summary>results.jsonl as a named pipe: report and sweep would wait for a writer forever when opening it.</summary>
    [Fact]
    public async Task ResultsAsANamedPipe_ReportAndSweepFinish()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string output = Path.Combine(_dir.Path, "sweep");
        Directory.CreateDirectory(output);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [Results.PathIn(output)]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var report = Task.Run(() => CliHarness.Run(FakeTrainer.Cells, "report", output));
        Assert.True(await Task.WhenAny(report, Task.Delay(TimeSpan.FromSeconds(30))) == report, "report hung on a named pipe");
        Assert.Equal(ExitCodes.Success, (await report).ExitCode);

        var sweep = Task.Run(() => new FakeTrainer().Sweep(output, Grid));
        Assert.True(await Task.WhenAny(sweep, Task.Delay(TimeSpan.FromSeconds(30))) == sweep, "sweep hung on a named pipe");
        Assert.Equal(ExitCodes.Success, (await sweep).ExitCode);
        Assert.Equal(8, Results.In(output).Count);
    }

    [Fact]
    public void FullDisk_ReportKeepsThePreviousReport_SweepKeepsItsRecordsAndResumes()
    {
        string mount = Path.Combine(_dir.Path, "tmpfs");
        Directory.CreateDirectory(mount);
        if (!OperatingSystem.IsLinux() || CliSaveTestsShell($"mount -t tmpfs -o size=64k tmpfs '{mount}'") != 0)
        {
            return; // needs permission to mount
        }

        try
        {
            string output = Path.Combine(mount, "sweep");
            Assert.Equal(ExitCodes.Success, new FakeTrainer().Sweep(output, [.. Grid, "--seed", "1"]).ExitCode);
            Assert.Equal(ExitCodes.Success, CliHarness.Run(FakeTrainer.Cells, "report", output).ExitCode);
            byte[] report = File.ReadAllBytes(Path.Combine(output, "report.md"));
            var records = Results.In(output).Select(r => r.Key).ToHashSet();
            CliSaveTestsShell($"dd if=/dev/zero of='{Path.Combine(mount, "filler")}' bs=1k count=1024 2>/dev/null");

            var sweep = new FakeTrainer().Sweep(output, [.. Grid, "--seed", "1,2,3,4,5,6,7,8"]);
            var again = CliHarness.Run(FakeTrainer.Cells, "report", output);

            foreach (var run in new[] { sweep, again })
            {
                Assert.True(run.ExitCode == ExitCodes.Error, $"exit {run.ExitCode}: {run.Error}");
                Assert.Contains("No space left on device", run.ErrorLines[^1], StringComparison.Ordinal);
            }

            Assert.Equal(report, File.ReadAllBytes(Path.Combine(output, "report.md")));
            Assert.Superset(records, Results.In(output).Select(r => r.Key).ToHashSet());
            Assert.DoesNotContain(Directory.GetFiles(output), f => f.EndsWith(".tmp", StringComparison.Ordinal));

            File.Delete(Path.Combine(mount, "filler"));
            var resumed = new FakeTrainer().Sweep(output, [.. Grid, "--seed", "1,2,3,4,5,6,7,8"]);
            Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.Error);
            Assert.Equal(2 * 2 * 8 * 2, Results.In(output).Select(r => r.Key).Distinct().Count());
        }
        finally
        {
            CliSaveTestsShell($"umount '{mount}'");
        }
    }

    private static int CliSaveTestsShell(string command)
    {
        using var process = System.Diagnostics.Process.Start("/bin/sh", ["-c", command]);
        process.WaitForExit();
        return process.ExitCode;
    }
}
