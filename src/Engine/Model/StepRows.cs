namespace SimdRnn.Model;

/// <summary>
/// Moves blocks of a time-major sequence buffer, element (t, b) of n rows at (t*n + b)*stride: per-row time
/// reversal for the reverse direction of a bidirectional layer, and column copies between a direction's
/// output and the layer's joined [forward, reverse] output. A span passed here may start inside a row
/// (at the reverse half, say) and be read with its whole-row stride.
/// </summary>
internal static class StepRows
{
    /// <summary>
    /// destination(s, b) = source(length_b - 1 - s, b) for s &lt; length_b: each row's valid steps in reverse order,
    /// its own inverse. Past a row's length the destination is zeroed, or left alone when accumulating (+=).
    /// </summary>
    public static void Reverse<T>(ReadOnlySpan<T> source, int sourceStride, Span<T> destination, int destinationStride, int width,
        ReadOnlySpan<int> lengths, int steps, int n, bool accumulate) where T : System.Numerics.INumberBase<T>
    {
        for (int b = 0; b < n; b++)
        {
            int length = lengths[b];
            for (int s = 0; s < steps; s++)
            {
                var to = destination.Slice((s * n + b) * destinationStride, width);
                if (s >= length)
                {
                    if (!accumulate) to.Clear();
                    continue;
                }

                var from = source.Slice(((length - 1 - s) * n + b) * sourceStride, width);
                if (accumulate)
                {
                    for (int j = 0; j < width; j++) to[j] += from[j];
                }
                else
                {
                    from.CopyTo(to);
                }
            }
        }
    }

    /// <summary>Copies <paramref name="width"/> values of each of <paramref name="rows"/> rows between buffers of different strides.</summary>
    public static void Copy<T>(ReadOnlySpan<T> source, int sourceStride, Span<T> destination, int destinationStride, int width, int rows)
    {
        for (int r = 0; r < rows; r++) source.Slice(r * sourceStride, width).CopyTo(destination.Slice(r * destinationStride, width));
    }
}
