namespace SimdRnn.Data;

/// <summary>How an MNIST image becomes a sequence.</summary>
public enum MnistLayout
{
    /// <summary>28 steps of 28 pixels: image row t at step t (the tutorial's task).</summary>
    Rows,

    /// <summary>784 steps of 1 pixel in row-major order: sequential MNIST, the long-sequence benchmark.</summary>
    Pixels,

    /// <summary>784 steps of 1 pixel in the fixed order <see cref="MnistLayouts.Permutation"/>: permuted sequential MNIST.</summary>
    Permuted,
}

/// <summary>
/// The one owner of the MNIST layouts: their names, their shapes and the permutation of <see cref="MnistLayout.Permuted"/>.
/// Step t of a permuted sequence is pixel <c>Permutation[t]</c> of the row-major image; the permutation is drawn by a
/// Fisher-Yates shuffle driven by SplitMix64 from <see cref="PermutationSeed"/>, both written out here so any
/// language can rebuild it (docs/training.md has the Python).
/// </summary>
public static class MnistLayouts
{
    /// <summary>The seed of the permuted layout's pixel order. Fixed: a model trained on it reads only this order.</summary>
    public const ulong PermutationSeed = 15;

    /// <summary>Pixels of an image, 28 x 28.</summary>
    public const int Pixels = Side * Side;

    private const int Side = 28;

    private static readonly Lazy<int[]> Order = new(() => Permutation(PermutationSeed, Pixels));

    /// <summary>The layouts by the names the CLI and the model files use: rows, pixels, permuted.</summary>
    public static IReadOnlyList<(string Name, MnistLayout Layout)> Names { get; } =
        [("rows", MnistLayout.Rows), ("pixels", MnistLayout.Pixels), ("permuted", MnistLayout.Permuted)];

    /// <summary>rows, pixels or permuted.</summary>
    public static string NameOf(MnistLayout layout) => Names.First(n => n.Layout == layout).Name;

    /// <summary>The layout called <paramref name="name"/>, or null.</summary>
    public static MnistLayout? Named(string name) => Names.Where(n => n.Name == name).Select(n => (MnistLayout?)n.Layout).FirstOrDefault();

    /// <summary>T: 28 for rows, 784 for pixels and permuted.</summary>
    public static int Steps(MnistLayout layout) => layout == MnistLayout.Rows ? Side : Pixels;

    /// <summary>I: 28 for rows, 1 for pixels and permuted.</summary>
    public static int Inputs(MnistLayout layout) => layout == MnistLayout.Rows ? Side : 1;

    /// <summary>"28 steps of 28 pixels", "784 steps of 1 pixel, permuted".</summary>
    public static string Describe(MnistLayout layout) => layout switch
    {
        MnistLayout.Rows => $"{Side} steps of {Side} pixels",
        MnistLayout.Pixels => $"{Pixels} steps of 1 pixel",
        _ => $"{Pixels} steps of 1 pixel in the fixed order of seed {PermutationSeed}",
    };

    /// <summary>The permuted layout's pixel order: step t reads pixel <c>[t]</c> of the row-major image. [784]</summary>
    public static ReadOnlySpan<int> PixelOrder => Order.Value;

    /// <summary>
    /// A permutation of 0..<paramref name="length"/>-1 from <paramref name="seed"/>: start from the identity and, for
    /// i = length-1 down to 1, swap entry i with entry <c>SplitMix64() % (i + 1)</c>. The modulo's bias (below 2^-50
    /// for 784 entries) is kept because it makes the rule one line in every language.
    /// </summary>
    public static int[] Permutation(ulong seed, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var permutation = new int[length];
        for (int i = 0; i < length; i++) permutation[i] = i;
        ulong state = seed;
        for (int i = length - 1; i > 0; i--)
        {
            int j = (int)(SplitMix64(ref state) % (ulong)(i + 1));
            (permutation[i], permutation[j]) = (permutation[j], permutation[i]);
        }

        return permutation;
    }

    /// <summary>Sebastiano Vigna's SplitMix64: advance the state by the golden gamma, then mix it.</summary>
    internal static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// Writes <paramref name="images"/> (row-major images of 784 pixels, one after another) as sequences of
    /// <paramref name="layout"/> into <paramref name="sequences"/>. Rows and pixels are the same bytes in the same
    /// order (only T and I differ); permuted reorders each image by <see cref="PixelOrder"/>.
    /// </summary>
    public static void Arrange<T>(MnistLayout layout, ReadOnlySpan<T> images, Span<T> sequences)
    {
        if (images.Length % Pixels != 0) throw new ArgumentException($"Expected whole images of {Pixels} pixels, found {images.Length} values.", nameof(images));
        ArgumentOutOfRangeException.ThrowIfLessThan(sequences.Length, images.Length, nameof(sequences));
        if (layout != MnistLayout.Permuted)
        {
            images.CopyTo(sequences);
            return;
        }

        var order = PixelOrder;
        for (int start = 0; start < images.Length; start += Pixels)
        {
            var image = images.Slice(start, Pixels);
            var sequence = sequences.Slice(start, Pixels);
            for (int t = 0; t < Pixels; t++) sequence[t] = image[order[t]];
        }
    }
}
