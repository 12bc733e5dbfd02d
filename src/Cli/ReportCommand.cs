namespace SimdRnn.Cli;

public sealed class ReportCommand : ICliCommand
{
    public string Name => "report";

    public string Summary => "Write report.md and SVG charts from sweep results";

    public string Usage => "Usage: simdrnn report DIR...\n";

    public int Run(IReadOnlyList<string> args, CliContext context) => ExitCodes.Error;
}
