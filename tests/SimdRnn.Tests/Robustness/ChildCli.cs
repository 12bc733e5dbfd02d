using System.Diagnostics;

namespace SimdRnn.Tests.Robustness;

/// <summary>
/// Runs the built <c>simdrnn</c> (copied next to the tests) in a child process, for what cannot be arranged in
/// process: a heap limit, a file-size limit. The command goes through <c>/bin/sh</c> so a test can prefix
/// <c>ulimit</c> or <c>trap</c>.
/// </summary>
internal static class ChildCli
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "simdrnn.dll");

    /// <summary>Runs <c>sh -c "PREFIX dotnet simdrnn.dll ARGS"</c> with PATH kept (for dotnet) and the given environment.</summary>
    public static (int ExitCode, string Out, string Error) Run(string shellPrefix, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        string command = $"{shellPrefix} exec dotnet {Quote(Dll)} {string.Join(' ', args.Select(Quote))}";
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Patience))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{command}' did not finish within {Patience}");
        }

        process.WaitForExit();
        return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
