using SimdRnn.IO;

namespace SimdRnn.Cli;

/// <summary>
/// <c>simdrnn report DIR...</c>: reads the <c>results.jsonl</c> of one or more sweeps (shards merge by
/// key) and writes <c>report.md</c> (a table of every record, best first), a chart of cost and test
/// accuracy per epoch for each cell, and a heatmap of accuracy over learning rate x hidden units.
/// </summary>
public sealed class ReportCommand : ICliCommand
{
    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("out", "DIR", "Where report.md and the SVG charts go", "the first DIR"),
    ];

    public string Name => "report";

    public string Summary => "Write report.md and SVG charts from the results of one or more sweeps";

    public string Usage => CommandLineParser.Usage(
        "simdrnn report DIR... [--out DIR]",
        "Reads DIR/results.jsonl of each DIR (or a results file given directly), merges them (a record\n" +
        "replaces an earlier one with the same key) and writes report.md, curves-CELL.svg per cell and\n" +
        "summary.svg. Lines that are not complete records, such as a torn last line, are skipped with a note.",
        Options);

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        var parsed = CommandLineParser.Parse(Name, args, Options, maxPositionals: int.MaxValue);
        if (parsed.Help)
        {
            context.Out.Write(Usage);
            return ExitCodes.Success;
        }

        if (parsed.Positionals.Count == 0) throw new UsageException("report needs at least one sweep directory: simdrnn report DIR...");
        var files = parsed.Positionals.Select(ResultsFile).ToList();
        string output = parsed.Raw("out") ?? (Directory.Exists(parsed.Positionals[0]) ? parsed.Positionals[0] : Path.GetDirectoryName(Path.GetFullPath(files[0]))!);
        if (File.Exists(output)) throw new UsageException($"--out must be a directory, got '{output}', which is a file");

        var records = new List<SweepRecord>();
        foreach (var file in files)
        {
            var contents = Read(file);
            foreach (var note in contents.Ignored) context.Error.WriteLine(note);
            records.AddRange(contents.Records);
        }

        var model = new ReportModel(records);
        if (model.Duplicates > 0) context.Error.WriteLine($"{model.Duplicates} record(s) appear more than once; the last one read is kept");
        if (model.Records.Count == 0) context.Error.WriteLine("No sweep records found: the report is empty");

        try
        {
            Directory.CreateDirectory(output);
            var written = new List<string>();
            var curves = new List<(string Cell, string File)>();
            foreach (var cell in model.Cells)
            {
                string file = ReportCharts.CurvesFile(cell);
                written.Add(Write(output, file, ReportCharts.Curves(model, cell)));
                curves.Add((cell, file));
            }

            string? summary = null;
            if (model.Records.Count > 0)
            {
                summary = ReportCharts.SummaryFile;
                written.Add(Write(output, summary, ReportCharts.Summary(model)));
            }

            written.Insert(0, Write(output, ReportMarkdown.FileName, ReportMarkdown.Write(model, parsed.Positionals, curves, summary)));
            foreach (var path in written) context.Out.WriteLine(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliDataException($"cannot write the report to '{output}': {e.Message}", e);
        }

        return ExitCodes.Success;
    }

    private static string ResultsFile(string argument)
    {
        if (File.Exists(argument)) return argument;
        string path = Path.Combine(argument, SweepResults.FileName);
        if (File.Exists(path)) return path;
        throw new UsageException(Directory.Exists(argument)
            ? $"'{argument}' has no {SweepResults.FileName}: run 'simdrnn sweep --out {argument}' first"
            : $"'{argument}' is neither a sweep directory nor a results file");
    }

    private static SweepResults.Contents Read(string file)
    {
        try
        {
            return SweepResults.Read(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliDataException($"cannot read '{file}': {e.Message}", e);
        }
    }

    // Atomically, so a full disk or a killed process leaves the previous report, never a truncated one.
    private static string Write(string directory, string file, string text)
    {
        string path = Path.Combine(directory, file);
        AtomicFile.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(text)));
        return path;
    }
}
