using System.Numerics;
using SimdRnn.Kernels;

namespace SimdRnn.Cells;

/// <summary>
/// A recurrent cell's generated step code. The engine calls each pass once per time step over
/// <c>rows</c> batch rows (see <see cref="CellStep{T}"/> for their layout) and, in each row, the hidden units
/// [start, end) in whole vectors of the lanes type; it never contains cell math. One call for all the rows of a step,
/// not one per row: for a small H the binding and dispatch of a call per row cost more than the row's arithmetic
/// (rnn-128 trained 6% faster on Zen 3, side by side).
/// </summary>
public interface ICell
{
    static abstract CellInfo Info { get; }

    /// <summary>Stage 1 of a two-stage step: computes only <see cref="CellStep{T}.RInput"/>.</summary>
    static abstract void ForwardRecurrentInput<TLanes, T>(scoped ref readonly CellStep<T> step, int rows, int start, int end)
        where TLanes : struct, ILanes<TLanes, T>
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The step: gates, new states and the output.</summary>
    static abstract void Forward<TLanes, T>(scoped ref readonly CellStep<T> step, int rows, int start, int end)
        where TLanes : struct, ILanes<TLanes, T>
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Stage A of a two-stage backward step: computes only <see cref="CellStep{T}.dRProj"/>.</summary>
    static abstract void BackwardRecurrentInput<TLanes, T>(scoped ref readonly CellStep<T> step, int rows, int start, int end)
        where TLanes : struct, ILanes<TLanes, T>
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The backward step: every adjoint except <see cref="CellStep{T}.dRProj"/>.</summary>
    static abstract void Backward<TLanes, T>(scoped ref readonly CellStep<T> step, int rows, int start, int end)
        where TLanes : struct, ILanes<TLanes, T>
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// The spans of a step's batch rows. Shape letters: G gates, H hidden units, S states, P elementwise parameters,
/// Ro gates projecting the output, Re gates projecting the recurrent-input expression. Each span but
/// <see cref="Params"/> and <see cref="dParams"/> holds the rows back to back, each of the width shown (row r of
/// <see cref="XProj"/> starts at r·G·H); those two are the layer's, one for all rows. Backward writes its outputs with
/// <c>=</c>, except <see cref="dParams"/>, which it accumulates with <c>+=</c>, row after row.
/// </summary>
public ref struct CellStep<T>
{
    public int Hidden;

    public ReadOnlySpan<T> XProj;      // [G*H]  x·weight_ih^T + bias_ih
    public ReadOnlySpan<T> HProj;      // [Ro*H] h·weight_hh^T + bias_hh, gates projecting the output
    public ReadOnlySpan<T> RProj;      // [Re*H] r·weight_hh^T + bias_hh, gates projecting the recurrent input
    public ReadOnlySpan<T> HPrev;      // [H]
    public ReadOnlySpan<T> StatePrev;  // [S*H]
    public ReadOnlySpan<T> Params;     // [P*H]

    public Span<T> Gates;              // [G*H] gate activations, written forward, read backward
    public Span<T> StateNew;           // [S*H] written forward, read backward
    public Span<T> HNew;               // [H]
    public Span<T> RInput;             // [H]   the recurrent-input expression (stage 1)

    public ReadOnlySpan<T> dHNew;      // [H]
    public ReadOnlySpan<T> dStateNew;  // [S*H]
    public ReadOnlySpan<T> dRInput;    // [H]   dRProj·weight_hh (stage B)

    public Span<T> dXProj;             // [G*H]
    public Span<T> dHProj;             // [Ro*H]
    public Span<T> dRProj;             // [Re*H]
    public Span<T> dHPrev;             // [H]   the elementwise part; the engine adds dHProj·weight_hh
    public Span<T> dStatePrev;         // [S*H]
    public Span<T> dParams;            // [P*H] accumulated

    /// <summary>
    /// Row <paramref name="row"/> alone, as a step of one row: for a hand-written cell to run its rows one at a time.
    /// The widths come from <paramref name="cell"/>; a span too short for the row stays empty.
    /// </summary>
    public readonly CellStep<T> Row(CellInfo cell, int row)
    {
        int h = Hidden, gh = cell.GateCount * h, roh = cell.OutputRecurrentGates * h, reh = cell.ExpressionRecurrentGates * h, sh = cell.StateCount * h;
        return new CellStep<T>
        {
            Hidden = h,
            XProj = Of(XProj, row, gh),
            HProj = Of(HProj, row, roh),
            RProj = Of(RProj, row, reh),
            HPrev = Of(HPrev, row, h),
            StatePrev = Of(StatePrev, row, sh),
            Params = Params,
            Gates = Of(Gates, row, gh),
            StateNew = Of(StateNew, row, sh),
            HNew = Of(HNew, row, h),
            RInput = Of(RInput, row, h),
            dHNew = Of(dHNew, row, h),
            dStateNew = Of(dStateNew, row, sh),
            dRInput = Of(dRInput, row, h),
            dXProj = Of(dXProj, row, gh),
            dHProj = Of(dHProj, row, roh),
            dRProj = Of(dRProj, row, reh),
            dHPrev = Of(dHPrev, row, h),
            dStatePrev = Of(dStatePrev, row, sh),
            dParams = dParams,
        };
    }

    private static ReadOnlySpan<T> Of(ReadOnlySpan<T> rows, int row, int width) =>
        (long)(row + 1) * width <= rows.Length ? rows.Slice(row * width, width) : default;

    private static Span<T> Of(Span<T> rows, int row, int width) =>
        (long)(row + 1) * width <= rows.Length ? rows.Slice(row * width, width) : default;
}
