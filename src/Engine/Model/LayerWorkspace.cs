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
        var lengths = BufferLengths.Of(cell, steps, hidden, capacity);
        Capacity = capacity;
        KeepsHProj = cell.BackwardReadsHProj;
        KeepsRProj = cell.BackwardReadsRProj;
        XProj = Allocate(lengths.XProj);
        HProj = Allocate(lengths.HProj);
        RProj = Allocate(lengths.RProj);
        RInput = Allocate(lengths.RInput);
        Gates = lengths.Gates is { } gates ? Allocate(gates) : XProj;
        States = Allocate(lengths.States);
        Hidden = Allocate(lengths.Hidden);
        dXProj = lengths.dXProj is { } dxproj ? Allocate(dxproj) : XProj;
        dHProj = lengths.dHProj is { } dhproj ? Allocate(dhproj) : dXProj;
        dRProj = Allocate(lengths.dRProj);
        dOutput = Allocate(lengths.dOutput);
        dHidden = Allocate(lengths.Carry);
        dHiddenNext = Allocate(lengths.Carry);
        dHNew = Allocate(lengths.Carry);
        dRInput = Allocate(lengths.Carry);
        dState = Allocate(lengths.StateCarry);
        dStateNext = Allocate(lengths.StateCarry);
    }

    // The lengths are counted in long so that Elements can size (and refuse) any shape; one that fits memory fits an int.
    private static AlignedArray<T> Allocate(long length) => new(checked((int)length));

    /// <summary>
    /// Elements of all buffers, padding included, for sizing before allocating: the constructor's own lengths (a test
    /// holds them to <see cref="AllocatedElements"/>). Every step-indexed buffer grows with T, which is what makes a
    /// 784-step sequence cost 28 times a 28-step one.
    /// </summary>
    public static long Elements(CellInfo cell, int steps, int hidden, int capacity) =>
        BufferLengths.Of(cell, steps, hidden, capacity).Allocations().Sum(length => length + AlignedArray<T>.Padding);

    /// <summary>
    /// The length of every buffer, and which share another's storage (null): the one place that decides both, for the
    /// constructor and for <see cref="Elements"/>.
    /// </summary>
    private readonly record struct BufferLengths(
        long XProj, long HProj, long RProj, long RInput, long? Gates, long States, long Hidden,
        long? dXProj, long? dHProj, long dRProj, long dOutput, long Carry, long StateCarry)
    {
        public static BufferLengths Of(CellInfo cell, int steps, int hidden, int capacity)
        {
            long t = steps, n = capacity, h = hidden, g = cell.GateCount, s = cell.StateCount;
            long ro = cell.OutputRecurrentGates, re = cell.ExpressionRecurrentGates;

            // Keep per step only what backward reads; write values over ones no longer needed: the gates over the input
            // projections, and the projections' gradients over those (one [T, n, G*H] buffer, read and written in
            // place, for the cells whose generated code allows it).
            long projection = t * n * g * h;
            return new BufferLengths(
                XProj: projection,
                HProj: (cell.BackwardReadsHProj ? t : 1) * n * ro * h,
                RProj: (cell.BackwardReadsRProj ? t : 1) * n * re * h,
                RInput: t * n * h,
                Gates: cell.GatesOverwriteXProj ? null : projection,
                States: (t + 1) * n * s * h,
                Hidden: (t + 1) * n * h,
                dXProj: cell.BackwardReadsXProj ? projection : null,
                dHProj: cell.SharedProjectionGradient ? null : t * n * ro * h,
                dRProj: t * n * re * h,
                dOutput: t * n * h,
                Carry: n * h,
                StateCarry: n * s * h);
        }

        /// <summary>The lengths of the buffers the constructor allocates, one per allocation.</summary>
        public IEnumerable<long> Allocations()
        {
            long?[] all = [XProj, HProj, RProj, RInput, Gates, States, Hidden, dXProj, dHProj, dRProj, dOutput,
                Carry, Carry, Carry, Carry, StateCarry, StateCarry]; // dHidden, dHiddenNext, dHNew, dRInput; dState, dStateNext
            return all.OfType<long>();
        }
    }

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
