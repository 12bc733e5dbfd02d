using System.Globalization;
using System.Runtime.InteropServices;
using SimdRnn.Kernels;

namespace SimdRnn.Cli;

/// <summary>
/// The machine a figure was measured on, as <c>bench</c> prints it with every figure: the CPU's model name
/// (and on x86 its family and model numbers, which tell e.g. Zen 4 from Zen 5 where the name does not), the
/// cores this process may use, and the SIMD path in use.
/// </summary>
internal static class MachineDescription
{
    /// <summary>e.g. <c>AMD EPYC (family 26, model 2), 2 cores, Vector512</c>.</summary>
    public static string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"{CpuModel()}, {Environment.ProcessorCount} core{(Environment.ProcessorCount == 1 ? "" : "s")}, {Simd.Path}");

    /// <summary>The CPU's name from /proc/cpuinfo, or the architecture where there is none (not Linux, no name).</summary>
    public static string CpuModel()
    {
        try
        {
            return CpuModel(File.ReadLines("/proc/cpuinfo"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return CpuModel([]);
        }
    }

    /// <summary>The name in /proc/cpuinfo's first processor block: x86's "model name" with its family and model, else the architecture.</summary>
    internal static string CpuModel(IEnumerable<string> cpuinfo)
    {
        string? name = null, family = null, model = null;
        foreach (string line in cpuinfo)
        {
            int colon = line.IndexOf(':');
            if (colon < 0)
            {
                if (line.Trim().Length == 0 && name is not null) break;   // the first processor's block has ended
                continue;
            }

            string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
            if (key == "model name") name ??= value;
            else if (key == "cpu family") family ??= value;
            else if (key == "model") model ??= value;
        }

        name ??= RuntimeInformation.ProcessArchitecture.ToString();
        return family is not null && model is not null ? $"{name} (family {family}, model {model})" : name;
    }
}
