using System.Reflection;
using SimdRnn.Cells;
using SimdRnn.Kernels;

namespace SimdRnn.Cli;

/// <summary>Where a command writes, which cells it may use, and how it learns of Ctrl-C.</summary>
/// <param name="Out">Results: the epoch lines, JSON lines, listings.</param>
/// <param name="Error">Diagnostics for a person: header, progress bar, warnings, errors.</param>
/// <param name="ErrorIsTerminal">Whether <paramref name="Error"/> is a terminal, so a progress bar may be drawn on it.</param>
public sealed record CliContext(
    TextWriter Out,
    TextWriter Error,
    IReadOnlyList<CellEntry> Cells,
    bool ErrorIsTerminal = false,
    CancellationToken Cancellation = default);

/// <summary>A subcommand of <c>simdrnn</c>.</summary>
public interface ICliCommand
{
    string Name { get; }

    /// <summary>One line for <c>simdrnn --help</c>.</summary>
    string Summary { get; }

    string Usage { get; }

    /// <summary>Runs with the arguments after the command name; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    int Run(IReadOnlyList<string> args, CliContext context);
}

/// <summary>
/// The <c>simdrnn</c> program. A program with cells of its own reuses it whole:
/// <c>return CliApp.Run(args, [.. CellCatalog.BuiltIn, .. MyCells.All]);</c>
/// </summary>
public static class CliApp
{
    public static string Version { get; } = ReadVersion();

    /// <summary>Runs on the console: progress bar when stderr is a terminal, Ctrl-C cancels training.</summary>
    public static int Run(string[] args, IReadOnlyList<CellEntry> cells)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl-C stops after the current batch; a second one ends the process at once.
            e.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var context = new CliContext(Console.Out, Console.Error, cells, !Console.IsErrorRedirected, cancellation.Token);
            return Run(args, context);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Runs with the given writers and, when given, other implementations of the commands (tests, embedding).</summary>
    public static int Run(IReadOnlyList<string> args, CliContext context, IReadOnlyList<ICliCommand>? commands = null)
    {
        try
        {
            return Dispatch(args, context, commands ?? Commands);
        }
        catch (UsageException e)
        {
            context.Error.WriteLine($"simdrnn: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (CliDataException e)
        {
            context.Error.WriteLine($"simdrnn: {e.Message}");
            if (Debugging) context.Error.WriteLine(e);
            return ExitCodes.Error;
        }
        catch (Exception e)
        {
            context.Error.WriteLine($"simdrnn: error: {OneLine(e.Message)}");
            if (Debugging) context.Error.WriteLine(e);
            return ExitCodes.Error;
        }
    }

    /// <summary>The commands, in the order <c>--help</c> lists them.</summary>
    public static IReadOnlyList<ICliCommand> Commands { get; } =
    [
        new TrainCommand(), new EvalCommand(), new PredictCommand(), new InspectCommand(),
        new SampleCommand(), new SweepCommand(), new ReportCommand(), new BenchCommand(), new CellsCommand(), new DataCommand(),
        new ExportCommand(),
        new QuantizeCommand(),
    ];

    /// <summary>The first line of <c>--version</c>, e.g. <c>simdrnn 0.1.0 (Vector256)</c>.</summary>
    public static string VersionLine => $"simdrnn {Version} ({Simd.Path})";

    public static string Usage
    {
        get
        {
            int width = Commands.Max(c => c.Name.Length);
            var lines = Commands.Select(c => $"  {c.Name.PadRight(width)}  {c.Summary}");
            return $"""
                simdrnn {Version}: recurrent neural networks on MNIST, read as 28 rows of 28 pixels.

                Usage: simdrnn <command> [options]

                Commands:
                {string.Join(Environment.NewLine, lines)}

                Options:
                  --version   Show the version and the SIMD path
                  -h, --help  Show this help

                Run 'simdrnn <command> --help' for the options of a command.

                """;
        }
    }

    private static bool Debugging => Environment.GetEnvironmentVariable("SIMDRNN_DEBUG") == "1";

    private static int Dispatch(IReadOnlyList<string> args, CliContext context, IReadOnlyList<ICliCommand> commands)
    {
        if (args.Count == 0) throw new UsageException("missing command; run 'simdrnn --help' for usage");

        string first = args[0];
        if (first is "--help" or "-h" or "help")
        {
            if (first == "help" && args.Count > 1) return Find(commands, args[1]).Run(["--help"], context);
            context.Out.Write(Usage);
            return ExitCodes.Success;
        }

        if (first == "--version")
        {
            context.Out.WriteLine(VersionLine);
            return ExitCodes.Success;
        }

        if (first.StartsWith('-')) throw new UsageException($"unknown option '{first}'; run 'simdrnn --help' for usage");
        return Find(commands, first).Run(args.Skip(1).ToArray(), context);
    }

    private static ICliCommand Find(IReadOnlyList<ICliCommand> commands, string name) =>
        commands.FirstOrDefault(c => c.Name == name)
        ?? throw new UsageException($"unknown command '{name}'; commands: {string.Join(", ", commands.Select(c => c.Name))}");

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    private static string ReadVersion()
    {
        string? version = typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(version)) return typeof(CliApp).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        int plus = version.IndexOf('+');
        return plus < 0 ? version : version[..plus];
    }
}
