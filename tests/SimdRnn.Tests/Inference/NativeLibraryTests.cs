using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.Inference;
using SimdRnn.IO;
using SimdRnn.Training;
using Xunit;
using Xunit.Abstractions;

namespace SimdRnn.Tests.Inference;

/// <summary>
/// The C ABI end to end: publishes src/Native as a NativeAOT shared library, compiles tests/native/classify.c
/// with gcc against include/simdrnn.h, and runs it on MNIST test digits with a small model trained and saved
/// here, then on its int8 copy; its classes and probabilities must be the .NET API's. About a minute and a half,
/// most of it the publish.
/// </summary>
public sealed class NativeLibraryTests(ITestOutputHelper output)
{
    private const int Digits = 12;

    [NativeToolchainFact]
    public void NativeLibrary_CProgramClassifiesMnist_LikeTheDotNetApi()
    {
        string root = NativeToolchain.RepositoryRoot();
        using var work = new TempFolder();

        // A small model: hidden 32, one epoch on 3,000 training images.
        string data = MnistStore.ResolveDirectory(null);
        MnistStore.EnsureAvailable(data, null);
        var train = Mnist.Load(data, train: true).Take(3000);
        var test = Mnist.Load(data, train: false);
        string modelPath = Path.Combine(work.Path, "model.safetensors");
        using (var trainer = new Trainer(CellCatalog.Find(CellCatalog.BuiltIn, "lstm")!, new TrainOptions { Hidden = 32, Epochs = 1, Batch = 32, LearningRate = 0.01f, Threads = 2 }, train))
        {
            trainer.TrainEpoch(1);
            ModelFile.Save(modelPath, trainer.Network);
        }

        string digitsPath = Path.Combine(work.Path, "digits.f32");
        int length = test.SequenceLength;
        var sequences = new float[Digits * length];
        for (int k = 0; k < Digits; k++) test.CopySequence(k, sequences.AsSpan(k * length, length));
        File.WriteAllBytes(digitsPath, MemoryMarshal.AsBytes(sequences.AsSpan()).ToArray());

        using var model = InferenceModel.Load(modelPath);
        using var session = model.CreateSession(maxBatch: 4);
        var expected = new float[Digits * model.Outputs];
        session.Predict(sequences, Digits, expected);

        string publish = Path.Combine(work.Path, "publish");
        Run("dotnet", ["publish", Path.Combine(root, "src", "Native"), "-c", "Release", "-r", "linux-x64", "-p:NativeLib=Shared", "-o", publish, "-nologo"], root, TimeSpan.FromMinutes(4));
        string library = Path.Combine(publish, "libsimdrnn.so");
        Assert.True(File.Exists(library), $"expected {library} after the publish");

        string program = Path.Combine(work.Path, "classify");
        Run("gcc", ["-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-I", Path.Combine(root, "include"), Path.Combine(root, "tests", "native", "classify.c"),
            "-L", publish, "-lsimdrnn", "-lm", $"-Wl,-rpath,{publish}", "-o", program], root, TimeSpan.FromMinutes(1));

        string printed = Run(program, [modelPath, digitsPath], work.Path, TimeSpan.FromMinutes(1));
        var rows = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => char.IsAsciiDigit(line[0])).ToArray();
        Assert.Equal(Digits, rows.Length);
        int correct = 0;
        for (int k = 0; k < Digits; k++)
        {
            var fields = rows[k].Split(' ');
            var row = expected.AsSpan(k * model.Outputs, model.Outputs);
            int expectedClass = System.Numerics.Tensors.TensorPrimitives.IndexOfMax<float>(row);
            Assert.Equal(k, int.Parse(fields[0], CultureInfo.InvariantCulture));
            Assert.Equal(expectedClass, int.Parse(fields[1], CultureInfo.InvariantCulture));
            Assert.Equal(expectedClass, int.Parse(fields[2], CultureInfo.InvariantCulture));
            var probabilities = fields.Skip(3).Select(field => float.Parse(field, CultureInfo.InvariantCulture)).ToArray();
            // The library runs the AVX2 kernels (x86-64-v3); the tests may run AVX-512 ones: summation orders differ.
            Models.AssertClose(row, probabilities, 1e-5f);
            if (expectedClass == test.Label(k)) correct++;
        }

        Assert.Contains("missing file: 3 ", printed);
        Assert.Contains("too many streams: 1 ", printed);
        Assert.Contains("null session: 2 ", printed);
        Assert.Contains("from memory: same probabilities", printed);
        Assert.Contains("lengths all T: same probabilities", printed);
        Assert.Contains("half length: same as streaming", printed);
        Assert.Contains("bad length: 1 ", printed);
        Assert.Contains("not a model: 5 (model bytes): ", printed);
        Assert.Contains("freed model: 6 the session's model was freed (simdrnn_model_free): free a model's sessions before the model\n", printed);
        Assert.Contains("simdrnn 0.", printed);
        Assert.True(correct >= Digits / 2, $"{correct} of {Digits} digits right");

        // The same library loads an int8 file and runs it on its int8 kernel (AVX2 in an x86-64-v3 build: the same
        // int32 sums as AVX-VNNI, so only the float cell passes differ from the .NET run's).
        string int8Path = Path.Combine(work.Path, "model-int8.safetensors");
        using (var int8 = model.Quantize()) QuantizedModelFile.Save(int8Path, int8);
        using var loadedInt8 = InferenceModel.Load(int8Path);
        using var int8Session = loadedInt8.CreateSession(maxBatch: 4);
        var expectedInt8 = new float[Digits * model.Outputs];
        int8Session.Predict(sequences, Digits, expectedInt8);
        var int8Rows = Run(program, [int8Path, digitsPath], work.Path, TimeSpan.FromMinutes(1))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => char.IsAsciiDigit(line[0])).ToArray();
        Assert.Equal(Digits, int8Rows.Length);
        for (int k = 0; k < Digits; k++)
        {
            var probabilities = int8Rows[k].Split(' ').Skip(3).Select(field => float.Parse(field, CultureInfo.InvariantCulture)).ToArray();
            Models.AssertClose(expectedInt8.AsSpan(k * model.Outputs, model.Outputs), probabilities, 1e-5f);
        }
    }

    private string Run(string fileName, string[] arguments, string directory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{fileName} did not finish within {timeout}");
        }

        process.WaitForExit();
        string text = stdout.Result, errors = stderr.Result;
        output.WriteLine($"$ {fileName} {string.Join(' ', arguments)}\n{text}{errors}");
        Assert.True(process.ExitCode == 0, $"{fileName} exited with {process.ExitCode}:\n{text}\n{errors}");
        return text;
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("simdrnn-native-tests-").FullName;

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }
}

/// <summary>A fact that runs only where the NativeAOT toolchain (clang or clang-N) and gcc are on PATH, on Linux x64.</summary>
public sealed class NativeToolchainFactAttribute : FactAttribute
{
    public NativeToolchainFactAttribute()
    {
        if (NativeToolchain.Missing() is { } reason) Skip = reason;
    }
}

internal static class NativeToolchain
{
    /// <summary>Why the native test cannot run here, or null.</summary>
    public static string? Missing()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64) return "the native library test runs on Linux x64 only";
        if (!OnPath("clang") && !Enumerable.Range(12, 11).Any(version => OnPath($"clang-{version}")))
        {
            return "NativeAOT needs clang (or a versioned clang-N) on PATH to link the shared library; none was found, so the C ABI test is skipped";
        }

        return OnPath("gcc") ? null : "gcc is not on PATH: the C test program cannot be compiled";
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SimdRnn.sln"))) return directory.FullName;
        }

        throw new InvalidOperationException($"No SimdRnn.sln above {AppContext.BaseDirectory}.");
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, program)));
}
