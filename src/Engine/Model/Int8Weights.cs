using SimdRnn.Kernels;
using SimdRnn.Kernels.Quantized;

namespace SimdRnn.Model;

/// <summary>
/// A network's weight matrices in int8 with a scale per output row: per layer weight_ih [G*H, I] and weight_hh
/// split into Whh_o (rows [0, Ro*H)) and Whh_e (the rest), and the head's fc.weight [C, H]. Biases and elementwise
/// parameters are not here: they stay float. Immutable once made; owns the matrices.
/// </summary>
internal sealed class Int8Weights : IDisposable
{
    public Int8Weights(NetworkShape shape, Int8Matrix[] input, Int8Matrix[] output, Int8Matrix[] expression, Int8Matrix head)
    {
        Shape = shape;
        Input = input;
        Output = output;
        Expression = expression;
        Head = head;
    }

    public NetworkShape Shape { get; }

    public Int8Matrix[] Input { get; }        // per layer: weight_ih [G*H, I]

    public Int8Matrix[] Output { get; }       // per layer: Whh_o [Ro*H, H]

    public Int8Matrix[] Expression { get; }   // per layer: Whh_e [Re*H, H]

    public Int8Matrix Head { get; }           // fc.weight [C, H]

    /// <summary>Quantizes the weight matrices of <paramref name="parameters"/>, laid out as <paramref name="shape"/>'s tensors.</summary>
    /// <exception cref="ArgumentException">A weight is NaN or infinite.</exception>
    public static Int8Weights Quantize(NetworkShape shape, ReadOnlySpan<float> parameters)
    {
        var info = shape.Cell.Info;
        int h = shape.Hidden, layers = shape.RecurrentLayers, roh = info.OutputRecurrentGates * h, reh = info.ExpressionRecurrentGates * h;
        var input = new Int8Matrix[layers];
        var output = new Int8Matrix[layers];
        var expression = new Int8Matrix[layers];
        for (int l = 0; l < layers; l++)
        {
            var layout = shape.LayerParameters[l];
            input[l] = Int8Matrix.Quantize(parameters.Slice(layout.WeightIh.Offset, layout.WeightIh.Length), info.GateCount * h, shape.LayerInputs(l));
            output[l] = Int8Matrix.Quantize(parameters.Slice(layout.WeightHh.Offset, roh * h), roh, h);
            expression[l] = Int8Matrix.Quantize(parameters.Slice(layout.WeightHh.Offset + roh * h, reh * h), reh, h);
        }

        var head = Int8Matrix.Quantize(parameters.Slice(shape.HeadWeight.Offset, shape.HeadWeight.Length), shape.Outputs, shape.Features);
        return new Int8Weights(shape, input, output, expression, head);
    }

    /// <summary>Writes every weight matrix's dequantized values (q * scale) into its place in <paramref name="parameters"/>.</summary>
    public void Dequantize(Span<float> parameters)
    {
        for (int l = 0; l < Shape.RecurrentLayers; l++)
        {
            var layout = Shape.LayerParameters[l];
            Write(Input[l], parameters[layout.WeightIh.Offset..]);
            Write(Output[l], parameters[layout.WeightHh.Offset..]);
            Write(Expression[l], parameters[(layout.WeightHh.Offset + Output[l].N * Shape.Hidden)..]);
        }

        Write(Head, parameters[Shape.HeadWeight.Offset..]);
    }

    /// <summary>The forward weights of layer <paramref name="layer"/> as int8 projections (they share this object's matrices).</summary>
    public LayerWeights<float> LayerWeights(int layer) =>
        new(new Int8Projection(Input[layer]), new Int8Projection(Output[layer]), new Int8Projection(Expression[layer]));

    public void Dispose()
    {
        foreach (var matrix in Input.Concat(Output).Concat(Expression)) matrix.Dispose();
        Head.Dispose();
    }

    private static void Write(Int8Matrix matrix, Span<float> destination)
    {
        var values = matrix.Values;
        var scales = matrix.Scales;
        for (int j = 0; j < matrix.N; j++)
        {
            for (int k = 0; k < matrix.K; k++) destination[j * matrix.K + k] = Int8Quantizer.Dequantize(values[j * matrix.K + k], scales[j]);
        }
    }
}

/// <summary>A weight matrix held in int8: <c>c = bias + a · W^T</c> through <see cref="Int8Gemm"/>, which adds into the bias stored first.</summary>
internal sealed class Int8Projection(Int8Matrix matrix) : IProjection<float>
{
    public int K => matrix.K;

    public int N => matrix.N;

    public long Bytes => matrix.Bytes;

    public void Project(int m, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> bias, Span<float> c, int ldc, GemmWorkspace gemm)
    {
        MatMul<float>.FillRows(c, bias, m, ldc);
        matrix.Multiply(m, a, lda, c, ldc, gemm);
    }

    // The matrix belongs to its Int8Weights, which may serve several models' projections.
    public void Dispose()
    {
    }
}
