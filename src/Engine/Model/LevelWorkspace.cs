using System.Numerics;

namespace SimdRnn.Model;

/// <summary>
/// The buffers of one stacked layer beyond its recurrent layers' own, allocated once: for a bidirectional
/// layer, the reverse direction's input (each row's valid steps in reverse order) and the joined output
/// [forward, reverse]; under dropout, the dropped output the next layer reads and its mask.
/// Shape letters: T steps, n rows, I the layer's input width, H hidden, F = Directions * H.
/// </summary>
internal sealed class LevelWorkspace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public LevelWorkspace(NetworkShape shape, int layer, int capacity, bool dropout)
    {
        int steps = shape.Steps, n = capacity, inputs = shape.LayerInputs(shape.RecurrentLayer(layer, 0)), f = shape.Features;
        if (shape.Bidirectional)
        {
            ReversedInput = new T[steps * n * inputs];
            dReversedInput = new T[steps * n * inputs];
            Output = new T[steps * n * f];
            dOutput = new T[steps * n * f];
        }

        if (dropout)
        {
            Dropped = new T[steps * n * f];
            Mask = new T[steps * n * f];
        }
    }

    /// <summary>Elements of all buffers: the same sums as the constructor's allocations.</summary>
    public static long Elements(NetworkShape shape, int layer, int capacity, bool dropout)
    {
        long steps = shape.Steps, n = capacity, inputs = shape.LayerInputs(shape.RecurrentLayer(layer, 0)), f = shape.Features;
        return (shape.Bidirectional ? 2 * steps * n * (inputs + f) : 0) + (dropout ? 2 * steps * n * f : 0);
    }

    /// <summary>Elements of the arrays this workspace holds.</summary>
    internal long AllocatedElements() => (long)ReversedInput.Length + dReversedInput.Length + Output.Length + dOutput.Length + Dropped.Length + Mask.Length;

    public T[] ReversedInput { get; } = [];    // [T, n, I] the reverse direction's input; bidirectional only

    public T[] dReversedInput { get; } = [];   // [T, n, I] the reverse direction's input gradient, before it is turned back

    public T[] Output { get; } = [];           // [T, n, F] [forward, reverse] per step; bidirectional only

    public T[] dOutput { get; } = [];          // [T, n, F] its gradient

    public T[] Dropped { get; } = [];          // [T, n, F] output * mask: the next layer's input under dropout

    public T[] Mask { get; } = [];             // [T, n, F] 0 or 1 / (1 - p)

    /// <summary>Whether the last forward dropped this layer's output (so the next layer read <see cref="Dropped"/>).</summary>
    public bool DroppedInForward { get; set; }
}
