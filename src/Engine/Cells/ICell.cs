using System.Numerics;
using SimdRnn.Kernels;

namespace SimdRnn.Cells;

/// <summary>
/// A recurrent cell's generated step code. The engine calls it once per batch row and time step over the
/// hidden units [start, end), in whole vectors of the lanes type; it never contains cell math.
/// </summary>
public interface ICell
{
    static abstract CellInfo Info { get; }

    /// <summary>Stage 1 of a two-stage step: computes only <see cref="CellStep{T}.RInput"/>.</summary>
    static abstract void ForwardRecurrentInput<TLanes, T>(scoped ref readonly CellStep<T> step, int start, int end)
        where TLanes : struct, ILanes<TLanes, T>
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The step: gates, new states and the output.</summary>
    static abstract void Forward<TLanes, T>(scoped ref readonly CellStep<T> step, int start, int end)
        where TLanes : struct, ILanes<TLanes, T>
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Stage A of a two-stage backward step: computes only <see cref="CellStep{T}.dRProj"/>.</summary>
    static abstract void BackwardRecurrentInput<TLanes, T>(scoped ref readonly CellStep<T> step, int start, int end)
        where TLanes : struct, ILanes<TLanes, T>
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The backward step: every adjoint except <see cref="CellStep{T}.dRProj"/>.</summary>
    static abstract void Backward<TLanes, T>(scoped ref readonly CellStep<T> step, int start, int end)
        where TLanes : struct, ILanes<TLanes, T>
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// The spans of one batch row at one time step. Shape letters: G gates, H hidden units, S states,
/// P elementwise parameters, Ro gates projecting the output, Re gates projecting the recurrent-input expression.
/// Backward writes its outputs with <c>=</c>, except <see cref="dParams"/>, which it accumulates with <c>+=</c>.
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
}
