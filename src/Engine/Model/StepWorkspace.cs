using System.Numerics;
using SimdRnn.Cells;

namespace SimdRnn.Model;

/// <summary>
/// What one recurrent layer needs to advance up to <see cref="Capacity"/> streams by one time step at a time
/// (<see cref="Layer{T}.ForwardStep"/>): the step's projections and gates, and the output and states carried
/// from step to step in two buffers that trade places after every step. Allocated once.
/// Shape letters: n rows (streams), H hidden, G gates, Ro / Re gates projecting the output / the
/// recurrent-input expression, S states. Row r of every buffer starts at r*width whatever n is, so a step
/// over fewer rows leaves the later rows' state alone.
/// </summary>
internal sealed class StepWorkspace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly AlignedArray<T>[] hidden, states;
    private int current;

    public StepWorkspace(CellInfo cell, int hidden, int capacity)
    {
        int n = capacity, h = hidden, g = cell.GateCount, s = cell.StateCount;
        Capacity = capacity;
        Hidden = hidden;
        XProj = new AlignedArray<T>(n * g * h);
        HProj = new AlignedArray<T>(n * cell.OutputRecurrentGates * h);
        RProj = new AlignedArray<T>(n * cell.ExpressionRecurrentGates * h);
        RInput = new AlignedArray<T>(n * h);
        Gates = new AlignedArray<T>(n * g * h);
        this.hidden = [new AlignedArray<T>(n * h), new AlignedArray<T>(n * h)];
        states = [new AlignedArray<T>(n * s * h), new AlignedArray<T>(n * s * h)];
    }

    /// <summary>Elements of all buffers, padding included, for sizing: the same sums as the constructor's allocations.</summary>
    public static long Elements(CellInfo cell, int hidden, int capacity)
    {
        long n = capacity, h = hidden, g = cell.GateCount, s = cell.StateCount;
        return n * h * (2 * g + cell.OutputRecurrentGates + cell.ExpressionRecurrentGates + 1 + 2 + 2 * s)
            + 9 * AlignedArray<T>.Padding; // nine buffers
    }

    public int Capacity { get; }

    public int Hidden { get; }

    public AlignedArray<T> XProj { get; }       // [n, G*H]

    public AlignedArray<T> HProj { get; }       // [n, Ro*H]

    public AlignedArray<T> RProj { get; }       // [n, Re*H]

    public AlignedArray<T> RInput { get; }      // [n, H]

    public AlignedArray<T> Gates { get; }       // [n, G*H]

    /// <summary>[n, H] the layer's output after the last step (zeros after <see cref="Clear"/>).</summary>
    public AlignedArray<T> Output => hidden[current];

    /// <summary>[n, S*H] the states after the last step.</summary>
    public AlignedArray<T> States => states[current];

    /// <summary>[n, H] where the step being computed writes its output.</summary>
    public AlignedArray<T> NextOutput => hidden[1 - current];

    /// <summary>[n, S*H] where the step being computed writes its states.</summary>
    public AlignedArray<T> NextStates => states[1 - current];

    /// <summary>Makes the step just computed the current one.</summary>
    public void Advance() => current = 1 - current;

    /// <summary>
    /// After a step: row <paramref name="row"/> takes back its output and states from before it, as a sequence
    /// that has ended carries them (PyTorch's packed-sequence semantics).
    /// </summary>
    public void KeepPrevious(int row)
    {
        int h = Hidden, sh = States.Length / Capacity;
        NextOutput.AsSpan(row * h, h).CopyTo(Output.AsSpan(row * h, h));
        NextStates.AsSpan(row * sh, sh).CopyTo(States.AsSpan(row * sh, sh));
    }

    /// <summary>Zeros the output and states of rows [first, first+count): those streams start again.</summary>
    public void Clear(int first, int count)
    {
        int h = Hidden, sh = States.Length / Capacity;
        Output.AsSpan(first * h, count * h).Clear();
        States.AsSpan(first * sh, count * sh).Clear();
    }
}
