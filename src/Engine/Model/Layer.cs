using System.Numerics;
using System.Runtime.CompilerServices;
using System.Numerics.Tensors;
using SimdRnn.Cells;
using SimdRnn.Kernels;

namespace SimdRnn.Model;

/// <summary>One recurrent layer over a chunk of sequences: forward for all steps, then backward through time.</summary>
internal abstract class Layer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Reads <paramref name="input"/> [T, n, I]; fills the workspace through <see cref="LayerWorkspace{T}.Hidden"/>.</summary>
    public abstract void Forward(LayerWorkspace<T> workspace, ReadOnlySpan<T> input, int rows, GemmWorkspace gemm);

    /// <summary>
    /// From <see cref="LayerWorkspace{T}.dOutput"/>, accumulates (+=) the layer's parameter gradients into
    /// <paramref name="gradients"/> and, when <paramref name="inputGradient"/> is not empty, writes (=) the
    /// gradient of the input sequence [T, n, I] into it.
    /// </summary>
    public abstract void Backward(LayerWorkspace<T> workspace, ReadOnlySpan<T> input, int rows, Span<T> gradients, Span<T> inputGradient, GemmWorkspace gemm);

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

    public override void Forward(LayerWorkspace<T> ws, ReadOnlySpan<T> input, int n, GemmWorkspace gemm)
    {
        int h = hidden, gh = gates * h, roh = outputGates * h, reh = expressionGates * h, sh = states * h;
        ReadOnlySpan<T> biasIh = layout.BiasIh.Of(parameters);
        ReadOnlySpan<T> elementwise = parameters.AsSpan(layout.ParametersOffset, layout.ElementwiseLength);

        if (!ws.KeepInitialState)
        {
            ws.Hidden.AsSpan(0, n * h).Clear();
            ws.States.AsSpan(0, n * sh).Clear();
        }

        // XP[T*n, G*H] = X[T*n, I] · weight_ih^T + bias_ih: the input projection of every step in one product.
        var xProj = ws.XProj.AsSpan(0, steps * n * gh);
        FillRows(xProj, biasIh, steps * n);
        weights.Input.Project(steps * n, input, inputs, xProj, gh, gemm);

        var step = new CellStep<T> { Hidden = h, Params = elementwise };
        for (int t = 0; t < steps; t++)
        {
            Step(ref step, new SequenceRows(this, ws, t, n),
                ws.Hidden.AsSpan(t * n * h, n * h),
                ws.HProj.AsSpan((ws.KeepsHProj ? t : 0) * n * roh, n * roh),
                ws.RInput.AsSpan(t * n * h, n * h),
                ws.RProj.AsSpan((ws.KeepsRProj ? t : 0) * n * reh, n * reh),
                n, gemm);
        }
    }

    /// <summary>
    /// One time step after its input projection: HP[n, Ro*H] = h[t-1] · Whh_o^T + bias_hh_o with the packed
    /// recurrent weights; for two-stage cells the recurrent-input expression r[n, H] per row, then
    /// RP[n, Re*H] = r · Whh_e^T + bias_hh_e; then the generated pass per row. <typeparamref name="TRows"/>
    /// points the step's spans at a row of the sequence buffers or of the streaming buffers.
    /// </summary>
    private void Step<TRows>(ref CellStep<T> step, TRows rows, ReadOnlySpan<T> hPrev, Span<T> hProj, Span<T> rInput, Span<T> rProj, int n, GemmWorkspace gemm)
        where TRows : struct, IRowBinder
    {
        int h = hidden, roh = outputGates * h, reh = expressionGates * h;
        ReadOnlySpan<T> biasHh = layout.BiasHh.Of(parameters);
        FillRows(hProj, biasHh[..roh], n);
        weights.Output.Project(n, hPrev, h, hProj, roh, gemm);

        if (expressionGates > 0)
        {
            for (int b = 0; b < n; b++)
            {
                rows.Bind(ref step, b);
                CellDispatch<TCell, T>.ForwardRecurrentInput(ref step, h);
            }

            FillRows(rProj, biasHh[roh..], n);
            weights.Expression.Project(n, rInput, h, rProj, reh, gemm);
        }

        for (int b = 0; b < n; b++)
        {
            rows.Bind(ref step, b);
            CellDispatch<TCell, T>.Forward(ref step, h);
        }
    }

    /// <summary>Points a <see cref="CellStep{T}"/> at one batch row's buffers.</summary>
    private interface IRowBinder
    {
        void Bind(ref CellStep<T> step, int row);
    }

    private readonly struct SequenceRows(RnnLayer<TCell, T> layer, LayerWorkspace<T> ws, int t, int n) : IRowBinder
    {
        public void Bind(ref CellStep<T> step, int row) => layer.Bind(ref step, ws, t, row, n);
    }

    private readonly struct StreamRows(RnnLayer<TCell, T> layer, StepWorkspace<T> ws) : IRowBinder
    {
        public void Bind(ref CellStep<T> step, int row) => layer.BindStep(ref step, ws, row);
    }

    public override void Backward(LayerWorkspace<T> ws, ReadOnlySpan<T> input, int n, Span<T> gradients, Span<T> inputGradient, GemmWorkspace gemm)
    {
        int h = hidden, gh = gates * h, roh = outputGates * h, reh = expressionGates * h, sh = states * h;
        ReadOnlySpan<T> weightIh = layout.WeightIh.Of(parameters);
        ReadOnlySpan<T> elementwise = parameters.AsSpan(layout.ParametersOffset, layout.ElementwiseLength);
        var dElementwise = gradients.Slice(layout.ParametersOffset, layout.ElementwiseLength);
        var back = backward ?? throw new InvalidOperationException("This layer was built for inference: it has no backward weights.");

        ws.dHidden.AsSpan(0, n * h).Clear();
        ws.dState.AsSpan(0, n * sh).Clear();
        var step = new CellStep<T> { Hidden = h, Params = elementwise };
        for (int t = steps - 1; t >= 0; t--)
        {
            // dh[t] = the adjoint from above plus the one carried back from step t+1.
            var dHNew = ws.dHNew.AsSpan(0, n * h);
            TensorPrimitives.Add(ws.dOutput.AsSpan(t * n * h, n * h), ws.dHidden.AsSpan(0, n * h), dHNew);

            if (expressionGates > 0)
            {
                for (int b = 0; b < n; b++)
                {
                    BindBackward(ref step, ws, t, b, n, dElementwise);
                    CellDispatch<TCell, T>.BackwardRecurrentInput(ref step, h);
                }

                // dr[n, H] = dRP[n, Re*H] · Whh_e
                MatMul<T>.Multiply(n, ws.dRProj.AsSpan(t * n * reh, n * reh), reh, back.Expression, ws.dRInput.AsSpan(0, n * h), h, accumulate: false, gemm);
            }

            for (int b = 0; b < n; b++)
            {
                BindBackward(ref step, ws, t, b, n, dElementwise);
                CellDispatch<TCell, T>.Backward(ref step, h);
            }

            // dh[t-1] = elementwise part + dHP[n, Ro*H] · Whh_o
            MatMul<T>.Multiply(n, ws.dHProj.AsSpan(t * n * roh, n * roh), roh, back.Output, ws.dHiddenNext.AsSpan(0, n * h), h, accumulate: true, gemm);
            ws.SwapCarries();
        }

        // Weight gradients as large products over all steps at once.
        int rowsAll = steps * n;
        var dXProj = ws.dXProj.AsSpan(0, rowsAll * gh);
        var dHProj = ws.dHProj.AsSpan(0, rowsAll * roh);
        var dRProj = ws.dRProj.AsSpan(0, rowsAll * reh);
        MatMul<T>.Multiply(gh, inputs, rowsAll, dXProj, gh, true, input, inputs, false, layout.WeightIh.Of(gradients), inputs, accumulate: true, gemm);
        AddColumnSums(dXProj, rowsAll, layout.BiasIh.Of(gradients));

        var dWeightHh = layout.WeightHh.Of(gradients);
        var dBiasHh = layout.BiasHh.Of(gradients);
        MatMul<T>.Multiply(roh, h, rowsAll, dHProj, roh, true, ws.Hidden.AsSpan(0, rowsAll * h), h, false, dWeightHh[..(roh * h)], h, accumulate: true, gemm);
        AddColumnSums(dHProj, rowsAll, dBiasHh[..roh]);
        if (expressionGates > 0)
        {
            MatMul<T>.Multiply(reh, h, rowsAll, dRProj, reh, true, ws.RInput.AsSpan(0, rowsAll * h), h, false, dWeightHh[(roh * h)..], h, accumulate: true, gemm);
            AddColumnSums(dRProj, rowsAll, dBiasHh[roh..]);
        }

        if (!inputGradient.IsEmpty)
        {
            // dX[T*n, I] = dXP[T*n, G*H] · weight_ih
            MatMul<T>.Multiply(rowsAll, inputs, gh, dXProj, gh, false, weightIh, inputs, false, inputGradient[..(rowsAll * inputs)], inputs, accumulate: false, gemm);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Bind(ref CellStep<T> step, LayerWorkspace<T> ws, int t, int b, int n)
    {
        int h = hidden, gh = gates * h, roh = outputGates * h, reh = expressionGates * h, sh = states * h;
        int row = t * n + b;
        step.XProj = ws.XProj.AsSpan(row * gh, gh);
        step.HProj = ws.HProj.AsSpan((ws.KeepsHProj ? row : b) * roh, roh);
        step.RProj = ws.RProj.AsSpan((ws.KeepsRProj ? row : b) * reh, reh);
        step.HPrev = ws.Hidden.AsSpan(row * h, h);
        step.StatePrev = ws.States.AsSpan(row * sh, sh);
        step.Gates = ws.Gates.AsSpan(row * gh, gh);
        step.StateNew = ws.States.AsSpan((row + n) * sh, sh);
        step.HNew = ws.Hidden.AsSpan((row + n) * h, h);
        step.RInput = ws.RInput.AsSpan(row * h, h);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void BindBackward(ref CellStep<T> step, LayerWorkspace<T> ws, int t, int b, int n, Span<T> dElementwise)
    {
        Bind(ref step, ws, t, b, n);
        int h = hidden, gh = gates * h, roh = outputGates * h, reh = expressionGates * h, sh = states * h;
        int row = t * n + b;
        step.dHNew = ws.dHNew.AsSpan(b * h, h);
        step.dStateNew = ws.dState.AsSpan(b * sh, sh);
        step.dRInput = ws.dRInput.AsSpan(b * h, h);
        step.dXProj = ws.dXProj.AsSpan(row * gh, gh);
        step.dHProj = ws.dHProj.AsSpan(row * roh, roh);
        step.dRProj = ws.dRProj.AsSpan(row * reh, reh);
        step.dHPrev = ws.dHiddenNext.AsSpan(b * h, h);
        step.dStatePrev = ws.dStateNext.AsSpan(b * sh, sh);
        step.dParams = dElementwise;
    }

    private static void FillRows(Span<T> destination, ReadOnlySpan<T> row, int rows)
    {
        for (int r = 0; r < rows; r++) row.CopyTo(destination.Slice(r * row.Length, row.Length));
    }

    private static void AddColumnSums(ReadOnlySpan<T> matrix, int rows, Span<T> sums)
    {
        int width = sums.Length;
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(sums, matrix.Slice(r * width, width), sums);
    }

    public override void ForwardStep(StepWorkspace<T> ws, ReadOnlySpan<T> input, int n, GemmWorkspace gemm)
    {
        int h = hidden, gh = gates * h, roh = outputGates * h, reh = expressionGates * h;
        ReadOnlySpan<T> biasIh = layout.BiasIh.Of(parameters);

        // XP[n, G*H] = x[n, I] · weight_ih^T + bias_ih
        var xProj = ws.XProj.AsSpan(0, n * gh);
        FillRows(xProj, biasIh, n);
        weights.Input.Project(n, input, inputs, xProj, gh, gemm);

        var step = new CellStep<T> { Hidden = h, Params = parameters.AsSpan(layout.ParametersOffset, layout.ElementwiseLength) };
        Step(ref step, new StreamRows(this, ws), ws.Output.AsSpan(0, n * h), ws.HProj.AsSpan(0, n * roh), ws.RInput.AsSpan(0, n * h), ws.RProj.AsSpan(0, n * reh), n, gemm);
        ws.Advance();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void BindStep(ref CellStep<T> step, StepWorkspace<T> ws, int b)
    {
        int h = hidden, gh = gates * h, roh = outputGates * h, reh = expressionGates * h, sh = states * h;
        step.XProj = ws.XProj.AsSpan(b * gh, gh);
        step.HProj = ws.HProj.AsSpan(b * roh, roh);
        step.RProj = ws.RProj.AsSpan(b * reh, reh);
        step.HPrev = ws.Output.AsSpan(b * h, h);
        step.StatePrev = ws.States.AsSpan(b * sh, sh);
        step.Gates = ws.Gates.AsSpan(b * gh, gh);
        step.StateNew = ws.NextStates.AsSpan(b * sh, sh);
        step.HNew = ws.NextOutput.AsSpan(b * h, h);
        step.RInput = ws.RInput.AsSpan(b * h, h);
    }
}
