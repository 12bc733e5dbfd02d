using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;
using SimdRnn.Cells;
using SimdRnn.Kernels;

namespace SimdRnn.Model;

/// <summary>One recurrent layer over a chunk of sequences: forward for all steps, then backward through time.</summary>
internal abstract class Layer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Reads <paramref name="input"/> [T, n, I]; fills the workspace through <see cref="LayerWorkspace{T}.Hidden"/>.
    /// Row b is a sequence of <paramref name="lengths"/>[b] steps (1..T): at later steps its output and states are
    /// carried unchanged (PyTorch's packed-sequence semantics), so <c>Hidden[T]</c> holds each row's output after its
    /// own last step and nothing depends on the padding. Each step runs only over the rows up to the last one still
    /// live, and the products only up to the chunk's longest sequence L: work follows the lengths, not T.
    /// </summary>
    public abstract void Forward(LayerWorkspace<T> workspace, ReadOnlySpan<T> input, ReadOnlySpan<int> lengths, int rows, GemmWorkspace gemm);

    /// <summary>
    /// From <see cref="LayerWorkspace{T}.dOutput"/>, accumulates (+=) the layer's parameter gradients into
    /// <paramref name="gradients"/> and, when <paramref name="inputGradient"/> is not empty, writes (=) the
    /// gradient of the input sequence [T, n, I] into it. A step past a row's length (a carried step) passes the
    /// row's adjoints straight through to the step before and leaves zeros in its projection gradients, so the
    /// weight-gradient products over all T*n rows see nothing of it and the input gradient there is zero.
    /// With <paramref name="outputGradientAtLastStepsOnly"/>, dOutput is read only at each row's last step (the rest
    /// is taken as zero, whatever it holds): a last-step head's gradient, with no per-step add of zeros.
    /// </summary>
    public abstract void Backward(LayerWorkspace<T> workspace, ReadOnlySpan<T> input, ReadOnlySpan<int> lengths, int rows, Span<T> gradients, Span<T> inputGradient, GemmWorkspace gemm,
        bool outputGradientAtLastStepsOnly = false);

    /// <summary>
    /// Advances <paramref name="rows"/> streams by one time step: reads <paramref name="input"/> [n, I] and the
    /// output and states the workspace carries, writes the new ones and makes them current. Gives the same
    /// values as step t of <see cref="Forward"/>.
    /// </summary>
    public abstract void ForwardStep(StepWorkspace<T> workspace, ReadOnlySpan<T> input, int rows, GemmWorkspace gemm);
}

/// <summary>
/// A layer of <typeparamref name="TCell"/>: the engine's data flow around the cell's generated step code. Its weight
/// matrices come from its owner (<see cref="LayerWeights{T}"/> for forward, <see cref="BackwardWeights{T}"/> only for
/// training), so the layer runs on float or quantized weights alike; biases and elementwise parameters it reads from
/// the flat buffer.
/// </summary>
internal sealed class RnnLayer<TCell, T> : Layer<T>
    where TCell : ICell
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] parameters;
    private readonly LayerParameters layout;
    private readonly int steps, inputs, hidden, gates, outputGates, expressionGates, states;

    private readonly LayerWeights<T> weights;
    private readonly BackwardWeights<T>? backward;   // null in a layer built for inference

    public RnnLayer(NetworkShape shape, int layer, T[] parameters, LayerWeights<T> weights, BackwardWeights<T>? backward)
    {
        var info = TCell.Info;
        this.parameters = parameters;
        layout = shape.LayerParameters[layer];
        steps = shape.Steps;
        inputs = shape.LayerInputs(layer);
        hidden = shape.Hidden;
        gates = info.GateCount;
        outputGates = info.OutputRecurrentGates;
        expressionGates = info.ExpressionRecurrentGates;
        states = info.StateCount;
        this.weights = weights;
        this.backward = backward;
    }

    public override void Forward(LayerWorkspace<T> ws, ReadOnlySpan<T> input, ReadOnlySpan<int> lengths, int n, GemmWorkspace gemm)
    {
        int h = hidden, gh = gates * h, roh = outputGates * h, reh = expressionGates * h, sh = states * h;
        ReadOnlySpan<T> biasIh = layout.BiasIh.Of(parameters);
        ReadOnlySpan<T> elementwise = parameters.AsSpan(layout.ParametersOffset, layout.ElementwiseLength);

        if (!ws.KeepInitialState)
        {
            ws.Hidden.AsSpan(0, n * h).Clear();
            ws.States.AsSpan(0, n * sh).Clear();
        }

        // Steps past the chunk's longest sequence compute nothing: every row is carried there (filled in below).
        int longest = Longest(lengths, n);

        var step = new CellStep<T> { Hidden = h, Params = elementwise };
        int blockSteps = Math.Max(1, BlockRows / n);
        for (int t = 0; t < longest; t++)
        {
            // XP[rows, G*H] = X[rows, I] · weight_ih^T + bias_ih: the input projections of a block of steps in one
            // product, just before the steps read them, while they are still in cache.
            if (t % blockSteps == 0)
            {
                int rows = Math.Min(blockSteps, longest - t) * n;
                var xProj = ws.XProj.AsSpan(t * n * gh, rows * gh);
                weights.Input.Project(rows, input.Slice(t * n * inputs, rows * inputs), inputs, biasIh, xProj, gh, gemm);
            }

            int live = LiveRows(lengths, t, n);
            if (live > 0)
            {
                Step(ref step, new SequenceRows(this, ws, t, n),
                    ws.Hidden.AsSpan(t * n * h, live * h),
                    ws.HProj.AsSpan((ws.KeepsHProj ? t : 0) * n * roh, live * roh),
                    ws.RInput.AsSpan(t * n * h, live * h),
                    ws.RProj.AsSpan((ws.KeepsRProj ? t : 0) * n * reh, live * reh),
                    live, gemm, previousIsZero: t == 0 && !ws.KeepInitialState);
            }

            // Rows whose sequence has ended carry their output and states to the next step unchanged.
            for (int b = 0; b < n; b++)
            {
                if (lengths[b] > t) continue;
                ws.Hidden.AsSpan((t * n + b) * h, h).CopyTo(ws.Hidden.AsSpan(((t + 1) * n + b) * h, h));
                ws.States.AsSpan((t * n + b) * sh, sh).CopyTo(ws.States.AsSpan(((t + 1) * n + b) * sh, sh));
            }
        }

        for (int t = longest; t < steps; t++)
        {
            ws.Hidden.AsSpan(t * n * h, n * h).CopyTo(ws.Hidden.AsSpan((t + 1) * n * h, n * h));
            ws.States.AsSpan(t * n * sh, n * sh).CopyTo(ws.States.AsSpan((t + 1) * n * sh, n * sh));
        }
    }

    /// <summary>L: the longest of the chunk's <paramref name="n"/> sequences.</summary>
    private static int Longest(ReadOnlySpan<int> lengths, int n)
    {
        int longest = 0;
        for (int b = 0; b < n; b++) longest = Math.Max(longest, lengths[b]);
        return longest;
    }

    /// <summary>
    /// Rows [0, live) hold every row still inside its sequence at step <paramref name="t"/>: one past the last such row.
    /// Rows sorted by length, longest first (as the trainer's chunks are), make it exactly the live rows.
    /// </summary>
    private static int LiveRows(ReadOnlySpan<int> lengths, int t, int n)
    {
        int live = n;
        while (live > 0 && lengths[live - 1] <= t) live--;
        return live;
    }

    /// <summary>
    /// One time step after its input projection: HP[n, Ro*H] = h[t-1] · Whh_o^T + bias_hh_o with the packed
    /// recurrent weights; for two-stage cells the recurrent-input expression r[n, H], then
    /// RP[n, Re*H] = r · Whh_e^T + bias_hh_e; then the generated pass, each over all n rows at once.
    /// <typeparamref name="TRows"/> points the step's spans at rows of the sequence buffers or of the streaming buffers.
    /// <para>
    /// With <paramref name="previousIsZero"/> (the first step from a zero initial state) the product over h[t-1] is
    /// left out: it adds nothing to the bias. On MNIST's 28 steps that is 1/28 of the recurrent products.
    /// </para>
    /// </summary>
    private void Step<TRows>(ref CellStep<T> step, TRows rows, ReadOnlySpan<T> hPrev, Span<T> hProj, Span<T> rInput, Span<T> rProj, int n, GemmWorkspace gemm, bool previousIsZero = false)
        where TRows : struct, IRowBinder
    {
        int h = hidden, roh = outputGates * h, reh = expressionGates * h;
        ReadOnlySpan<T> biasHh = layout.BiasHh.Of(parameters);
        if (previousIsZero)
        {
            MatMul<T>.FillRows(hProj, biasHh[..roh], n, roh);
        }
        else
        {
            weights.Output.Project(n, hPrev, h, biasHh[..roh], hProj, roh, gemm);
        }

        rows.Bind(ref step, n);
        if (expressionGates > 0)
        {
            CellDispatch<TCell, T>.ForwardRecurrentInput(ref step, n, h);
            weights.Expression.Project(n, rInput, h, biasHh[roh..], rProj, reh, gemm);
        }

        CellDispatch<TCell, T>.Forward(ref step, n, h);
    }

    /// <summary>Points a <see cref="CellStep{T}"/> at the buffers of a step's first <c>count</c> batch rows.</summary>
    private interface IRowBinder
    {
        void Bind(ref CellStep<T> step, int count);
    }

    private readonly struct SequenceRows(RnnLayer<TCell, T> layer, LayerWorkspace<T> ws, int t, int n) : IRowBinder
    {
        public void Bind(ref CellStep<T> step, int count) => layer.Bind(ref step, ws, t, 0, count, n);
    }

    private readonly struct StreamRows(RnnLayer<TCell, T> layer, StepWorkspace<T> ws) : IRowBinder
    {
        public void Bind(ref CellStep<T> step, int count) => layer.BindStep(ref step, ws, count);
    }

    public override void Backward(LayerWorkspace<T> ws, ReadOnlySpan<T> input, ReadOnlySpan<int> lengths, int n, Span<T> gradients, Span<T> inputGradient, GemmWorkspace gemm,
        bool outputGradientAtLastStepsOnly = false)
    {
        int h = hidden, gh = gates * h, roh = outputGates * h, reh = expressionGates * h, sh = states * h;
        ReadOnlySpan<T> weightIh = layout.WeightIh.Of(parameters);
        ReadOnlySpan<T> elementwise = parameters.AsSpan(layout.ParametersOffset, layout.ElementwiseLength);
        var dElementwise = gradients.Slice(layout.ParametersOffset, layout.ElementwiseLength);
        var back = backward ?? throw new InvalidOperationException("This layer was built for inference: it has no backward weights.");

        // Every row is carried through the steps past the longest sequence: their adjoints all reach step L-1.
        int longest = Longest(lengths, n), blockSteps = Math.Max(1, BlockRows / n);
        ws.dHidden.AsSpan(0, n * h).Clear();
        ws.dState.AsSpan(0, n * sh).Clear();
        if (!outputGradientAtLastStepsOnly)
        {
            for (int t = longest; t < steps; t++) TensorPrimitives.Add(ws.dHidden.AsSpan(0, n * h), ws.dOutput.AsSpan(t * n * h, n * h), ws.dHidden.AsSpan(0, n * h));
        }

        var step = new CellStep<T> { Hidden = h, Params = elementwise };
        for (int t = longest - 1; t >= 0; t--)
        {
            // dh[t] = the adjoint from above plus the one carried back from step t+1. Where the adjoint from above
            // is only at each row's last step, dh[t] is the carry itself, with that adjoint added in place.
            AlignedArray<T> dHNewRows;
            if (outputGradientAtLastStepsOnly)
            {
                dHNewRows = ws.dHidden;
                for (int b = 0; b < n; b++)
                {
                    if (lengths[b] - 1 != t) continue;
                    var carry = ws.dHidden.AsSpan(b * h, h);
                    TensorPrimitives.Add(carry, ws.dOutput.AsSpan((t * n + b) * h, h), carry);
                }
            }
            else
            {
                dHNewRows = ws.dHNew;
                TensorPrimitives.Add(ws.dOutput.AsSpan(t * n * h, n * h), ws.dHidden.AsSpan(0, n * h), ws.dHNew.AsSpan(0, n * h));
            }

            var dHNew = dHNewRows.AsSpan(0, n * h);

            // A carried row's step is the identity: its adjoints pass straight through, its projections get none.
            int live = LiveRows(lengths, t, n);
            for (int b = 0; b < n; b++)
            {
                if (lengths[b] > t) continue;
                dHNew.Slice(b * h, h).CopyTo(ws.dHiddenNext.AsSpan(b * h, h));
                ws.dState.AsSpan(b * sh, sh).CopyTo(ws.dStateNext.AsSpan(b * sh, sh));
                ws.dXProj.AsSpan((t * n + b) * gh, gh).Clear();
                ws.dHProj.AsSpan((t * n + b) * roh, roh).Clear();
                ws.dRProj.AsSpan((t * n + b) * reh, reh).Clear();
            }

            // The generated passes over each run of consecutive rows still inside their sequences: one run, all of
            // [0, live), when the rows are sorted by length as the trainer's are.
            if (expressionGates > 0 && live > 0)
            {
                for (int first = NextLive(lengths, t, 0, live); first < live;)
                {
                    int end = RunEnd(lengths, t, first, live);
                    BindBackward(ref step, ws, dHNewRows, t, first, end - first, n, dElementwise);
                    CellDispatch<TCell, T>.BackwardRecurrentInput(ref step, end - first, h);
                    first = NextLive(lengths, t, end, live);
                }

                // dr[n, H] = dRP[n, Re*H] · Whh_e
                MatMul<T>.Multiply(live, ws.dRProj.AsSpan(t * n * reh, live * reh), reh, back.Expression, ws.dRInput.AsSpan(0, live * h), h, accumulate: false, gemm);
            }

            for (int first = NextLive(lengths, t, 0, live); first < live;)
            {
                int end = RunEnd(lengths, t, first, live);
                BindBackward(ref step, ws, dHNewRows, t, first, end - first, n, dElementwise);
                CellDispatch<TCell, T>.Backward(ref step, end - first, h);
                first = NextLive(lengths, t, end, live);
            }

            // dh[t-1] = elementwise part + dHP[n, Ro*H] · Whh_o (zero for the carried rows among the live ones). The
            // initial output's gradient is only wanted where the initial state is kept (given, not zero): otherwise
            // step 0 leaves the product out, as forward does.
            bool initialGradient = t > 0 || ws.KeepInitialState;
            if (live > 0 && initialGradient) MatMul<T>.Multiply(live, ws.dHProj.AsSpan(t * n * roh, live * roh), roh, back.Output, ws.dHiddenNext.AsSpan(0, live * h), h, accumulate: true, gemm);
            ws.SwapCarries();

            // The weight gradients of a block of steps as soon as its projection gradients are written, while they
            // are still in cache: blocks start at multiples of blockSteps, so the products do not depend on the threads.
            if (t % blockSteps == 0) AddWeightGradients(ws, input, t, Math.Min(blockSteps, longest - t), n, gradients, gemm);
        }

        if (!inputGradient.IsEmpty)
        {
            // dX[T*n, I] = dXP[T*n, G*H] · weight_ih
            int rowsAll = longest * n;
            MatMul<T>.Multiply(rowsAll, inputs, gh, ws.dXProj.AsSpan(0, rowsAll * gh), gh, false, weightIh, inputs, false, inputGradient[..(rowsAll * inputs)], inputs, accumulate: false, gemm);
            inputGradient[(rowsAll * inputs)..(steps * n * inputs)].Clear();
        }
    }

    /// <summary>The first row in [<paramref name="from"/>, <paramref name="live"/>) still inside its sequence at step t, or <paramref name="live"/>.</summary>
    private static int NextLive(ReadOnlySpan<int> lengths, int t, int from, int live)
    {
        while (from < live && lengths[from] <= t) from++;
        return from;
    }

    /// <summary>One past the run of rows from <paramref name="first"/> (inside its sequence at step t) that are all still inside theirs.</summary>
    private static int RunEnd(ReadOnlySpan<int> lengths, int t, int first, int live)
    {
        int end = first + 1;
        while (end < live && lengths[end] > t) end++;
        return end;
    }

    /// <summary>
    /// Rows per block of steps, for the input projections in forward and the weight-gradient products in backward: the
    /// depth of one k block of the AVX kernels, so a block's projections or packed gradients stay in L2 between the
    /// product and the steps that read them. Blocks start at multiples of the same step count, so no result depends on
    /// the threads.
    /// </summary>
    private const int BlockRows = 256;

    /// <summary>
    /// The parameter gradients of steps [first, first+count) as products over their count*n rows at once: the weights'
    /// from the projection gradients against the inputs and outputs, the biases' as column sums.
    /// </summary>
    private void AddWeightGradients(LayerWorkspace<T> ws, ReadOnlySpan<T> input, int first, int count, int n, Span<T> gradients, GemmWorkspace gemm)
    {
        int h = hidden, gh = gates * h, roh = outputGates * h, reh = expressionGates * h;
        int rowsAll = count * n, row0 = first * n;
        input = input.Slice(row0 * inputs, rowsAll * inputs);
        var dXProj = ws.dXProj.AsSpan(row0 * gh, rowsAll * gh);
        var dHProj = ws.dHProj.AsSpan(row0 * roh, rowsAll * roh);
        var dRProj = ws.dRProj.AsSpan(row0 * reh, rowsAll * reh);
        var dWeightIh = layout.WeightIh.Of(gradients);
        var dWeightHh = layout.WeightHh.Of(gradients);
        var dBiasHh = layout.BiasHh.Of(gradients);
        var outputs = ws.Hidden.AsSpan(row0 * h, rowsAll * h);

        // Where the cell shares the projections' gradient (dHProj is dXProj), both weights' gradients are products of
        // the block's one [rows, G*H] matrix, and both biases' gradients its column sums: read it once for each pair.
        if (ws.dHProj == ws.dXProj && roh == gh)
        {
            MatMul<T>.MultiplyPair(gh, rowsAll, dXProj, gh, true, input, inputs, inputs, dWeightIh, inputs,
                outputs, h, h, dWeightHh[..(roh * h)], h, accumulate: true, gemm);
            AddColumnSums(dXProj, rowsAll, layout.BiasIh.Of(gradients), dBiasHh[..roh]);
        }
        else
        {
            MatMul<T>.Multiply(gh, inputs, rowsAll, dXProj, gh, true, input, inputs, false, dWeightIh, inputs, accumulate: true, gemm);
            MatMul<T>.Multiply(roh, h, rowsAll, dHProj, roh, true, outputs, h, false, dWeightHh[..(roh * h)], h, accumulate: true, gemm);
            AddColumnSums(dXProj, rowsAll, layout.BiasIh.Of(gradients), default);
            AddColumnSums(dHProj, rowsAll, dBiasHh[..roh], default);
        }

        if (expressionGates > 0)
        {
            MatMul<T>.Multiply(reh, h, rowsAll, dRProj, reh, true, ws.RInput.AsSpan(row0 * h, rowsAll * h), h, false, dWeightHh[(roh * h)..], h, accumulate: true, gemm);
            AddColumnSums(dRProj, rowsAll, dBiasHh[roh..], default);
        }
    }

    /// <summary>Points the step at rows [<paramref name="b"/>, <paramref name="b"/> + <paramref name="count"/>) of step t of the chunk's <paramref name="n"/> rows.</summary>
    private void Bind(ref CellStep<T> step, LayerWorkspace<T> ws, int t, int b, int count, int n)
    {
        int h = hidden, gh = gates * h, roh = outputGates * h, reh = expressionGates * h, sh = states * h;
        int row = t * n + b;
        step.XProj = ws.XProj.AsSpan(row * gh, count * gh);
        step.HProj = ws.HProj.AsSpan((ws.KeepsHProj ? row : b) * roh, count * roh);
        step.RProj = ws.RProj.AsSpan((ws.KeepsRProj ? row : b) * reh, count * reh);
        step.HPrev = ws.Hidden.AsSpan(row * h, count * h);
        step.StatePrev = ws.States.AsSpan(row * sh, count * sh);
        step.Gates = ws.Gates.AsSpan(row * gh, count * gh);
        step.StateNew = ws.States.AsSpan((row + n) * sh, count * sh);
        step.HNew = ws.Hidden.AsSpan((row + n) * h, count * h);
        step.RInput = ws.RInput.AsSpan(row * h, count * h);
    }

    private void BindBackward(ref CellStep<T> step, LayerWorkspace<T> ws, AlignedArray<T> dHNew, int t, int b, int count, int n, Span<T> dElementwise)
    {
        Bind(ref step, ws, t, b, count, n);
        int h = hidden, gh = gates * h, roh = outputGates * h, reh = expressionGates * h, sh = states * h;
        int row = t * n + b;
        step.dHNew = dHNew.AsSpan(b * h, count * h);
        step.dStateNew = ws.dState.AsSpan(b * sh, count * sh);
        step.dRInput = ws.dRInput.AsSpan(b * h, count * h);
        step.dXProj = ws.dXProj.AsSpan(row * gh, count * gh);
        step.dHProj = ws.dHProj.AsSpan(row * roh, count * roh);
        step.dRProj = ws.dRProj.AsSpan(row * reh, count * reh);
        step.dHPrev = ws.dHiddenNext.AsSpan(b * h, count * h);
        step.dStatePrev = ws.dStateNext.AsSpan(b * sh, count * sh);
        step.dParams = dElementwise;
    }

    /// <summary>
    /// <c>sums[j] += Σ_r matrix[r, j]</c> over a matrix [rows, sums.Length] for the rows in order, and the same into <paramref name="alsoInto"/>
    /// when it is not empty (each from its own starting values, so each gets exactly what a call of its own would).
    /// A block of columns stays in registers across all the rows: the matrix is read once and no sum is stored
    /// back per row (adding row after row into the sums read and wrote them T*n times).
    /// </summary>
    private static void AddColumnSums(ReadOnlySpan<T> matrix, int rows, Span<T> sums, Span<T> alsoInto)
    {
        bool both = !alsoInto.IsEmpty;
        int columns = sums.Length, lanes = Vector<T>.Count, j = 0;
        if (matrix.Length < rows * columns || (both && alsoInto.Length != columns)) throw new ArgumentException("The matrix or the second sums do not fit the sums.");
        ref T m = ref MemoryMarshal.GetReference(matrix);
        if (Vector.IsHardwareAccelerated)
        {
            // Four vectors of columns at a time: a row's block is whole cache lines, and four independent sums per
            // target hide the add latency.
            for (; j + 4 * lanes <= columns; j += 4 * lanes)
            {
                var a0 = new Vector<T>(sums[j..]);
                var a1 = new Vector<T>(sums[(j + lanes)..]);
                var a2 = new Vector<T>(sums[(j + 2 * lanes)..]);
                var a3 = new Vector<T>(sums[(j + 3 * lanes)..]);
                Vector<T> b0 = default, b1 = default, b2 = default, b3 = default;
                if (both)
                {
                    b0 = new Vector<T>(alsoInto[j..]);
                    b1 = new Vector<T>(alsoInto[(j + lanes)..]);
                    b2 = new Vector<T>(alsoInto[(j + 2 * lanes)..]);
                    b3 = new Vector<T>(alsoInto[(j + 3 * lanes)..]);
                }

                for (int r = 0; r < rows; r++)
                {
                    ref T row = ref Unsafe.Add(ref m, (nint)r * columns + j);
                    var v0 = Vector.LoadUnsafe(ref row);
                    var v1 = Vector.LoadUnsafe(ref Unsafe.Add(ref row, lanes));
                    var v2 = Vector.LoadUnsafe(ref Unsafe.Add(ref row, 2 * lanes));
                    var v3 = Vector.LoadUnsafe(ref Unsafe.Add(ref row, 3 * lanes));
                    a0 += v0;
                    a1 += v1;
                    a2 += v2;
                    a3 += v3;
                    if (both)
                    {
                        b0 += v0;
                        b1 += v1;
                        b2 += v2;
                        b3 += v3;
                    }
                }

                a0.CopyTo(sums[j..]);
                a1.CopyTo(sums[(j + lanes)..]);
                a2.CopyTo(sums[(j + 2 * lanes)..]);
                a3.CopyTo(sums[(j + 3 * lanes)..]);
                if (both)
                {
                    b0.CopyTo(alsoInto[j..]);
                    b1.CopyTo(alsoInto[(j + lanes)..]);
                    b2.CopyTo(alsoInto[(j + 2 * lanes)..]);
                    b3.CopyTo(alsoInto[(j + 3 * lanes)..]);
                }
            }
        }

        for (; j < columns; j++)
        {
            T a = sums[j], b = both ? alsoInto[j] : T.Zero;
            for (int r = 0; r < rows; r++)
            {
                T v = Unsafe.Add(ref m, (nint)r * columns + j);
                a += v;
                b += v;
            }

            sums[j] = a;
            if (both) alsoInto[j] = b;
        }
    }

    public override void ForwardStep(StepWorkspace<T> ws, ReadOnlySpan<T> input, int n, GemmWorkspace gemm)
    {
        int h = hidden, gh = gates * h, roh = outputGates * h, reh = expressionGates * h;
        ReadOnlySpan<T> biasIh = layout.BiasIh.Of(parameters);

        // XP[n, G*H] = x[n, I] · weight_ih^T + bias_ih
        var xProj = ws.XProj.AsSpan(0, n * gh);
        weights.Input.Project(n, input, inputs, biasIh, xProj, gh, gemm);

        var step = new CellStep<T> { Hidden = h, Params = parameters.AsSpan(layout.ParametersOffset, layout.ElementwiseLength) };
        Step(ref step, new StreamRows(this, ws), ws.Output.AsSpan(0, n * h), ws.HProj.AsSpan(0, n * roh), ws.RInput.AsSpan(0, n * h), ws.RProj.AsSpan(0, n * reh), n, gemm);
        ws.Advance();
    }

    /// <summary>Points the step at the first <paramref name="count"/> streams of the streaming buffers.</summary>
    private void BindStep(ref CellStep<T> step, StepWorkspace<T> ws, int count)
    {
        int h = hidden, gh = gates * h, roh = outputGates * h, reh = expressionGates * h, sh = states * h;
        step.XProj = ws.XProj.AsSpan(0, count * gh);
        step.HProj = ws.HProj.AsSpan(0, count * roh);
        step.RProj = ws.RProj.AsSpan(0, count * reh);
        step.HPrev = ws.Output.AsSpan(0, count * h);
        step.StatePrev = ws.States.AsSpan(0, count * sh);
        step.Gates = ws.Gates.AsSpan(0, count * gh);
        step.StateNew = ws.NextStates.AsSpan(0, count * sh);
        step.HNew = ws.NextOutput.AsSpan(0, count * h);
        step.RInput = ws.RInput.AsSpan(0, count * h);
    }
}
