using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SimdRnn.Cells;
using SimdRnn.Generators;

namespace SimdRnn.Generators.Tests;

/// <summary>Compiles sources against .NET 10 and SimdRnn.Engine and runs the cell generator on them.</summary>
internal static class GeneratorHarness
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Preview);

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(ICell).Assembly.Location),
    ];

    public static SyntaxTree Tree(string source, string path = "Cell.cs") => CSharpSyntaxTree.ParseText(source, ParseOptions, path);

    public static CSharpCompilation Compilation(params SyntaxTree[] trees) =>
        CSharpCompilation.Create(
            "GeneratorTest",
            trees,
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create(
            [new CellGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns its result and the compilation with the generated files.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(params string[] sources)
    {
        var compilation = Compilation([.. sources.Select((s, i) => Tree(s, $"Cell{i}.cs"))]);
        var driver = Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver.GetRunResult().Results.Single(), output);
    }

    public static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "SimdRnn.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException("SimdRnn.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static IEnumerable<string> BuiltInSpecFiles() =>
        Directory.GetFiles(Path.Combine(RepositoryRoot, "src", "Engine", "Cells", "BuiltIn"), "*.cs").Order(StringComparer.Ordinal);

    /// <summary>A built-in spec moved to another namespace, so it does not clash with the engine's own cell.</summary>
    public static string Relocated(string specFile) =>
        "using SimdRnn.Cells;\n" + File.ReadAllText(specFile).Replace("namespace SimdRnn.Cells;", "namespace TestCells;");
}
