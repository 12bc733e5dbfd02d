using SimdRnn.Cli;
using Xunit;

namespace SimdRnn.Tests.Cli;

public sealed class MachineDescriptionTests
{
    [Fact]
    public void X86_NamesTheModelWithItsFamilyAndModelNumbers()
    {
        string[] cpuinfo =
        [
            "processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 26", "model\t\t: 2", "model name\t: AMD EPYC", "",
            "processor\t: 1", "vendor_id\t: AuthenticAMD", "cpu family\t: 25", "model\t\t: 17", "model name\t: Other",
        ];

        Assert.Equal("AMD EPYC (family 26, model 2)", MachineDescription.CpuModel(cpuinfo));
    }

    [Fact]
    public void WithoutANameOrAFile_NamesTheArchitecture()
    {
        // arm64's /proc/cpuinfo has no "model name" (only CPU implementer/part numbers).
        string[] arm = ["processor\t: 0", "BogoMIPS\t: 48.00", "CPU implementer\t: 0x41", "CPU part\t: 0xd0c", ""];
        string architecture = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();

        Assert.Equal(architecture, MachineDescription.CpuModel(arm));
        Assert.Equal(architecture, MachineDescription.CpuModel([]));
    }

    [Fact]
    public void Describe_NamesTheCoresAndTheSimdPath()
    {
        string line = MachineDescription.Describe();

        Assert.Contains($"{Environment.ProcessorCount} core", line);
        Assert.EndsWith(SimdRnn.Kernels.Simd.Path.ToString(), line);
    }
}
