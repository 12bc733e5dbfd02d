using System.Numerics;

namespace SimdRnn.Model;

/// <summary>
/// Dropout between stacked layers, as PyTorch's <c>dropout</c> argument of nn.LSTM/GRU/RNN: in training, each
/// element of every layer's output except the top one's is zeroed with probability <see cref="Probability"/>
/// and the others scaled by 1 / (1 - p). The mask is a pure function of <see cref="Key"/>, the layer and the
/// element's position, never of a thread or of earlier draws, so a run is bit-identical for any thread count.
/// <c>default</c> drops nothing (evaluation and inference).
/// </summary>
public readonly record struct Dropout(float Probability, ulong Key)
{
    public bool IsActive => Probability > 0;

    /// <summary>The key of one chunk of one batch of one epoch of a run seeded <paramref name="seed"/>.</summary>
    public static ulong KeyOf(int seed, int epoch, int batch, int chunk)
    {
        ulong key = Mix((ulong)(uint)seed);
        key = Mix(key ^ (uint)epoch);
        key = Mix(key ^ (uint)batch);
        return Mix(key ^ (uint)chunk);
    }

    /// <summary>Fills <paramref name="mask"/> for stacked layer <paramref name="layer"/>: 0 with probability p, else 1 / (1 - p).</summary>
    internal void FillMask<T>(Span<T> mask, int layer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Probability);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(Probability, 1f);
        T keep = T.One / (T.One - T.CreateTruncating(Probability));
        ulong stream = Mix(Key ^ ((ulong)(uint)layer << 32));
        for (int i = 0; i < mask.Length; i++)
        {
            // The top 24 bits of a hash of (stream, i): a uniform float in [0, 1) with every value exact.
            float uniform = (Mix(stream + (ulong)i) >> 40) * (1f / (1 << 24));
            mask[i] = uniform < Probability ? T.Zero : keep;
        }
    }

    // SplitMix64's finalizer: a bijection on 64 bits whose outputs pass as independent uniform draws.
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
