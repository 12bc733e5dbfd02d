using Microsoft.CodeAnalysis;
using Xunit;

namespace SimdRnn.Generators.Tests;

/// <summary>The generated code as text (snapshots) and as a compilation (no diagnostics).</summary>
public class SnapshotTests
{
    [Theory]
    [InlineData("LstmCell")]
    [InlineData("GruCell")]
    public void GeneratedCode_MatchesSnapshot(string cell)
    {
        var source = File.ReadAllText(Path.Combine(GeneratorHarness.RepositoryRoot, "src", "Engine", "Cells", "BuiltIn", cell + ".cs"));
        var (result, _) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        var generated = result.GeneratedSources.Single(s => s.HintName == $"SimdRnn.Cells.{cell}.g.cs").SourceText.ToString();

        var snapshot = Path.Combine(GeneratorHarness.RepositoryRoot, "tests", "SimdRnn.Generators.Tests", "Snapshots", cell + ".g.cs.txt");
        if (Environment.GetEnvironmentVariable("SIMDRNN_UPDATE_SNAPSHOTS") == "1")
        {
            File.WriteAllText(snapshot, generated);
        }

        Assert.True(File.Exists(snapshot), $"{cell}: no snapshot at {snapshot}; run with SIMDRNN_UPDATE_SNAPSHOTS=1 to write it");
        var expected = File.ReadAllText(snapshot);
        Assert.True(expected == generated, $"{cell}: generated code differs from {snapshot}; if the change is intended, rerun with SIMDRNN_UPDATE_SNAPSHOTS=1\n--- generated ---\n{generated}");
    }

    [Fact]
    public void AllBuiltInCells_CompileWithoutDiagnostics()
    {
        var sources = GeneratorHarness.BuiltInSpecFiles().Select(GeneratorHarness.Relocated).ToArray();
        Assert.Equal(9, sources.Length);
        var (result, output) = GeneratorHarness.Run(sources);

        Assert.Empty(result.Diagnostics);
        Assert.Equal(10, result.GeneratedSources.Length);
        var diagnostics = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Info).ToList();
        Assert.True(diagnostics.Count == 0, "generated code has diagnostics:\n" + string.Join("\n", diagnostics));
    }

    [Fact]
    public void Registry_ListsCellsByName_AndIsEmittedWithoutCells()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.BuiltInSpecFiles().Select(GeneratorHarness.Relocated).ToArray());
        var registry = result.GeneratedSources.Single(s => s.HintName == "SimdRnn.Generated.GeneratedCells.g.cs").SourceText.ToString();
        var order = new[] { "CifgLstmCell", "GruCell", "GruTfCell", "IndRnnCell", "LstmCell", "LstmPeepholeCell", "MguCell", "RnnCell", "RnnReluCell" }
            .Select(name => registry.IndexOf($"global::TestCells.{name}>", StringComparison.Ordinal))
            .ToList();
        Assert.True(order.All(i => i >= 0), "registry misses a cell:\n" + registry);
        Assert.True(order.SequenceEqual(order.Order()), "registry is not ordered by cell name:\n" + registry);

        var (empty, output) = GeneratorHarness.Run("class NotACell { }");
        Assert.Contains(empty.GeneratedSources, s => s.HintName == "SimdRnn.Generated.GeneratedCells.g.cs");
        Assert.Empty(output.GetDiagnostics());
    }
}
