using System.Numerics;
using SimdRnn.Cells;

namespace SimdRnn.Model;

/// <summary>
/// Every buffer one recurrent layer needs for a chunk of up to <see cref="Capacity"/> sequences, allocated
/// once. Buffers are time-major: step t of a chunk of n rows starts at t*n*width.
/// Shape letters: T steps, n rows in the chunk, I inputs, H hidden, G gates, Ro gates projecting the
/// output, Re gates projecting the recurrent-input expression, S states, P elementwise parameters.
/// </summary>
internal sealed class LayerWorkspace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public LayerWorkspace(CellInfo cell, int steps, int hidden, int capacity)
    {
        int n = capacity, h = hidden, g = cell.GateCount, s = cell.StateCount;
        int ro = cell.OutputRecurrentGates, re = cell.ExpressionRecurrentGates;
        Capacity = capacity;

        // Keep per step only what backward reads; write values over ones no longer needed: the gates over the input
        // projections, and the projections' gradients over those (one [T, n, G*H] buffer, read and written in place,
        // for the cells whose generated code allows it).
        KeepsHProj = cell.BackwardReadsHProj;
        KeepsRProj = cell.BackwardReadsRProj;
        XProj = new AlignedArray<T>(steps * n * g * h);
        HProj = new AlignedArray<T>((KeepsHProj ? steps : 1) * n * ro * h);
        RProj = new AlignedArray<T>((KeepsRProj ? steps : 1) * n * re * h);
        RInput = new AlignedArray<T>(steps * n * h);
        Gates = cell.GatesOverwriteXProj ? XProj : new AlignedArray<T>(steps * n * g * h);
        States = new AlignedArray<T>((steps + 1) * n * s * h);
        Hidden = new AlignedArray<T>((steps + 1) * n * h);
        dXProj = cell.BackwardReadsXProj ? new AlignedArray<T>(steps * n * g * h) : XProj;
        dHProj = cell.SharedProjectionGradient ? dXProj : new AlignedArray<T>(steps * n * ro * h);
        dRProj = new AlignedArray<T>(steps * n * re * h);
        dOutput = new AlignedArray<T>(steps * n * h);
        dHidden = new AlignedArray<T>(n * h);
        dHiddenNext = new AlignedArray<T>(n * h);
        dHNew = new AlignedArray<T>(n * h);
        dRInput = new AlignedArray<T>(n * h);
        dState = new AlignedArray<T>(n * s * h);
        dStateNext = new AlignedArray<T>(n * s * h);
    }

    /// <summary>
    /// Elements of all buffers, for sizing before allocating: the same sums as the constructor's allocations (a test
    /// holds them to <see cref="AllocatedElements"/>). Every step-indexed buffer grows with T, which is what makes a
    /// 784-step sequence cost 28 times a 28-step one.
    /// </summary>
    public static long Elements(CellInfo cell, int steps, int hidden, int capacity)
    {
        long t = steps, n = capacity, h = hidden, g = cell.GateCount, s = cell.StateCount;
        long ro = cell.OutputRecurrentGates, re = cell.ExpressionRecurrentGates;
        long perStepProjection = n * g * h;
        return t * perStepProjection                              // XProj
            + (cell.BackwardReadsHProj ? t : 1) * n * ro * h      // HProj
            + (cell.BackwardReadsRProj ? t : 1) * n * re * h      // RProj
            + t * n * h                                           // RInput
            + (cell.GatesOverwriteXProj ? 0 : t * perStepProjection) // Gates, unless they overwrite XProj
            + (t + 1) * n * s * h                                 // States
            + (t + 1) * n * h                                     // Hidden
            + (cell.BackwardReadsXProj ? t * perStepProjection : 0) // dXProj, unless it overwrites XProj
            + (cell.SharedProjectionGradient ? 0 : t * n * ro * h)  // dHProj, unless it is dXProj
            + t * n * re * h                                      // dRProj
            + t * n * h                                           // dOutput
            + 4 * n * h                                           // dHidden, dHiddenNext, dHNew, dRInput
            + 2 * n * s * h                                       // dState, dStateNext
            + Buffers(cell) * AlignedArray<T>.Padding;
    }

    /// <summary>Distinct buffers the constructor allocates: 17 less those that share another's.</summary>
    private static int Buffers(CellInfo cell) =>
        17 - (cell.GatesOverwriteXProj ? 1 : 0) - (cell.BackwardReadsXProj ? 0 : 1) - (cell.SharedProjectionGradient ? 1 : 0);

    /// <summary>Elements of the distinct buffers this workspace holds, padding included (buffers that share one count once).</summary>
    internal long AllocatedElements()
    {
        var arrays = new HashSet<AlignedArray<T>>(ReferenceEqualityComparer.Instance)
        {
            XProj, HProj, RProj, RInput, Gates, States, Hidden, dXProj, dHProj, dRProj, dOutput, dHidden, dHiddenNext, dHNew, dRInput, dState, dStateNext,
        };
        return arrays.Sum(a => (long)a.Length + AlignedArray<T>.Padding);
    }

    public int Capacity { get; }

    public AlignedArray<T> XProj { get; }       // [T, n, G*H]

    public AlignedArray<T> HProj { get; }       // [T, n, Ro*H], or [n, Ro*H] for the current step when backward does not read it

    public AlignedArray<T> RProj { get; }       // [T, n, Re*H], or [n, Re*H] likewise

    /// <summary>Whether <see cref="HProj"/> holds every step.</summary>
    public bool KeepsHProj { get; }

    /// <summary>Whether <see cref="RProj"/> holds every step.</summary>
    public bool KeepsRProj { get; }

    public AlignedArray<T> RInput { get; }      // [T, n, H]

    public AlignedArray<T> Gates { get; }       // [T, n, G*H]; XProj itself when the gates overwrite it

    public AlignedArray<T> States { get; }      // [T+1, n, S*H]; step 0 holds the initial states

    public AlignedArray<T> Hidden { get; }      // [T+1, n, H]; step 0 holds the initial output, steps 1..T the layer's output sequence

    public AlignedArray<T> dXProj { get; }      // [T, n, G*H]; XProj itself when backward does not read XProj

    public AlignedArray<T> dHProj { get; }      // [T, n, Ro*H]; dXProj itself when the cell shares the projections' gradient

    public AlignedArray<T> dRProj { get; }      // [T, n, Re*H]

    public AlignedArray<T> dOutput { get; }     // [T, n, H] adjoint of the output sequence, from the layer above or the head

    public AlignedArray<T> dHidden { get; private set; }      // [n, H] carried to step t-1; after backward, the initial output's gradient

    public AlignedArray<T> dHiddenNext { get; private set; }  // [n, H]

    public AlignedArray<T> dHNew { get; }       // [n, H]

    public AlignedArray<T> dRInput { get; }     // [n, H]

    public AlignedArray<T> dState { get; private set; }       // [n, S*H] carried to step t-1; after backward, the initial states' gradient

    public AlignedArray<T> dStateNext { get; private set; }   // [n, S*H]

    /// <summary>When set, forward keeps the caller's initial output and states at step 0 instead of zeroing them.</summary>
    public bool KeepInitialState { get; set; }

    public void SwapCarries()
    {
        (dHidden, dHiddenNext) = (dHiddenNext, dHidden);
        (dState, dStateNext) = (dStateNext, dState);
    }
}
