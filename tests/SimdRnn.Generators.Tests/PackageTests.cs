using System.Diagnostics;
using System.Reflection;
using System.Text;
using Xunit;

namespace SimdRnn.Generators.Tests;

/// <summary>
/// The SimdRnn package as a user meets it: packed into a local folder feed, referenced by a fresh console
/// project that declares its own cell, built with <c>dotnet build</c> and run. Slow (three SDK processes),
/// so filterable: <c>dotnet test --filter Category!=Package</c>.
/// </summary>
[Trait("Category", "Package")]
public sealed class PackageTests(PackageTests.PackedFeed feed) : IClassFixture<PackageTests.PackedFeed>
{
    private const string TinyCell = """
        using SimdRnn.Cells;

        namespace Consumer;

        /// <summary>A minimal gated unit declared by the package's user.</summary>
        [RecurrentCell("tiny", Description = "Consumer's minimal gated unit")]
        [Gate("f", Activation.Sigmoid)]
        [Gate("n", Activation.Tanh)]
        [Output("h", "(1 - f) * h + f * n")]
        public sealed partial class TinyCell;
        """;

    // Lists the registry, then trains the user's cell for one epoch on random data so its generated code runs.
    private const string Program = """
        using SimdRnn.Cells;
        using SimdRnn.Data;
        using SimdRnn.Training;

        foreach (var cell in SimdRnn.Generated.GeneratedCells.All)
        {
            Console.WriteLine($"registry: {cell.Info.Name} gates={string.Join(",", cell.Info.Gates.Select(g => g.Name))} hash={cell.Info.SpecHash}");
        }

        Console.WriteLine($"built-in: {string.Join(",", CellCatalog.BuiltIn.Select(c => c.Info.Name))}");

        const int count = 64, steps = 5, inputs = 3, classes = 2;
        var random = new Random(1);
        var values = new float[count * steps * inputs];
        for (int i = 0; i < values.Length; i++) values[i] = random.NextSingle();
        var labels = new int[count];
        for (int n = 0; n < count; n++) labels[n] = n % classes;
        var data = new SequenceDataset(values, labels, steps, inputs, classes);

        var tiny = CellCatalog.Find(SimdRnn.Generated.GeneratedCells.All, "tiny")!;
        using var trainer = new Trainer(tiny, new TrainOptions { Hidden = 8, Batch = 16, Epochs = 1, Threads = 1 }, data);
        var epoch = trainer.TrainEpoch(1);
        Console.WriteLine($"trained: finite={double.IsFinite(epoch.Cost)} completed={epoch.Completed}");
        """;

    [Fact]
    public void Package_ConsumerCellIsInGeneratedRegistry()
    {
        var project = feed.CreateConsumer("good", TinyCell, Program);

        var build = Dotnet.Run(project, TimeSpan.FromMinutes(4), "build", "-c", "Release");
        Assert.True(build.ExitCode == 0, $"The consumer did not build (exit {build.ExitCode}):\n{build.Output}");

        var run = Dotnet.Run(project, TimeSpan.FromMinutes(2), Path.Combine(project, "bin", "Release", "net10.0", "Consumer.dll"));
        Assert.True(run.ExitCode == 0, $"The consumer failed (exit {run.ExitCode}):\n{run.Output}");
        var lines = run.Output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.True(lines.Any(l => l.StartsWith("registry: tiny gates=f,n hash=", StringComparison.Ordinal)),
            $"The consumer's registry does not list its cell 'tiny':\n{run.Output}");
        Assert.True(lines.Count(l => l.StartsWith("registry: ", StringComparison.Ordinal)) == 1,
            $"The consumer's registry should hold its own cell only (the engine's cells are in CellCatalog.BuiltIn):\n{run.Output}");
        var builtIn = lines.FirstOrDefault(l => l.StartsWith("built-in: ", StringComparison.Ordinal))?.Substring("built-in: ".Length).Split(',') ?? [];
        Assert.True(builtIn.Contains("lstm") && builtIn.Contains("gru") && !builtIn.Contains("tiny"),
            $"CellCatalog.BuiltIn of the packaged engine should list the engine's cells (lstm, gru, ...) and not the consumer's:\n{run.Output}");
        Assert.True(lines.Contains("trained: finite=True completed=True"), $"Training the consumer's cell failed:\n{run.Output}");
    }

    [Fact]
    public void Package_WrongSpecInConsumer_FailsBuildWithSrnnDiagnostic()
    {
        var project = feed.CreateConsumer("wrong", TinyCell.Replace("(1 - f) * h + f * n", "(1 - f) * h + f * q", StringComparison.Ordinal), Program);

        var build = Dotnet.Run(project, TimeSpan.FromMinutes(4), "build", "-c", "Release");
        Assert.True(build.ExitCode != 0, $"The consumer built although its cell reads an unknown name 'q':\n{build.Output}");
        Assert.True(build.Output.Contains("error SRNN0003", StringComparison.Ordinal) && build.Output.Contains("Cells.cs", StringComparison.Ordinal),
            $"The build did not fail with SRNN0003 (unknown name) in Cells.cs:\n{build.Output}");
    }

    /// <summary>Packs src/Engine once into a temporary folder feed, with a version no other feed has.</summary>
    public sealed class PackedFeed : IDisposable
    {
        private readonly string root = Path.Combine(Path.GetTempPath(), "simdrnn-package-" + Guid.NewGuid().ToString("N"));

        public PackedFeed()
        {
            Directory.CreateDirectory(Feed);
            var configuration = typeof(PackedFeed).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

            // Building this test project built the engine and the generator in its configuration: pack those
            // outputs, without a restore or build that would rewrite the repository's obj folders mid-run.
            var pack = Dotnet.Run(GeneratorHarness.RepositoryRoot, TimeSpan.FromMinutes(5),
                "pack", Path.Combine("src", "Engine"), "-c", configuration, "--no-build", "--no-restore", "-o", Feed, $"-p:PackageVersion={Version}");
            PackOutput = pack.Output;
            PackExitCode = pack.ExitCode;
        }

        /// <summary>Prerelease and unique, so restore can only find it in <see cref="Feed"/>.</summary>
        public string Version { get; } = "0.0.0-test.t" + Guid.NewGuid().ToString("N");

        public string Feed => Path.Combine(root, "feed");

        public string PackOutput { get; }

        public int PackExitCode { get; }

        /// <summary>A console project in its own folder that references the packed SimdRnn; returns its folder.</summary>
        public string CreateConsumer(string name, string cells, string program)
        {
            Assert.True(PackExitCode == 0, $"dotnet pack src/Engine failed (exit {PackExitCode}):\n{PackOutput}");
            Assert.True(File.Exists(Path.Combine(Feed, $"SimdRnn.{Version}.nupkg")), $"No SimdRnn.{Version}.nupkg in {Feed}:\n{PackOutput}");

            var project = Path.Combine(root, name);
            Directory.CreateDirectory(project);

            // Packages restore into this run's own folder, so the user's package cache never sees the test version.
            File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                    <RestorePackagesPath>{Path.Combine(root, "packages")}</RestorePackagesPath>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="SimdRnn" Version="[{Version}]" />
                  </ItemGroup>
                </Project>
                """);

            // The folder feed first; the sources of the user's NuGet config stay (no <clear/>).
            File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="simdrnn-test-feed" value="{Feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(project, "Cells.cs"), cells);
            File.WriteAllText(Path.Combine(project, "Program.cs"), program);
            return project;
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary folder is harmless.
            }
        }
    }

    /// <summary>Runs the dotnet host with no build servers or lingering nodes, so nothing outlives the test.</summary>
    private static class Dotnet
    {
        public static (int ExitCode, string Output) Run(string workingDirectory, TimeSpan timeout, params string[] args)
        {
            var start = new ProcessStartInfo(HostPath)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in args) start.ArgumentList.Add(arg);
            if (args[0] is "build" or "pack")
            {
                start.ArgumentList.Add("--disable-build-servers");
                start.ArgumentList.Add("-nologo");
            }

            // The test host's MSBuild variables point at the SDK that built the tests; let the child find its own.
            foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                start.Environment.Remove(key);
            }

            start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

            var output = new StringBuilder();
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                lock (output) return (-1, $"dotnet {string.Join(' ', args)} timed out after {timeout}:\n{output}");
            }

            process.WaitForExit();
            lock (output) return (process.ExitCode, $"dotnet {string.Join(' ', args)} in {workingDirectory}:\n{output}");
        }

        private static string HostPath =>
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath!
            : "dotnet";
    }
}
