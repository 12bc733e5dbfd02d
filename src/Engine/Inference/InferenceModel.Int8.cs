using SimdRnn.Model;

namespace SimdRnn.Inference;

public sealed partial class InferenceModel
{
    private readonly Int8Weights? int8;   // the int8 matrices of an int8 model, which its projections share

    private InferenceModel(NetworkShape shape, float[] parameters, Int8Weights int8)
    {
        Shape = shape;
        this.parameters = parameters;
        this.int8 = int8;
        Format = WeightFormat.Int8;
        weights = Enumerable.Range(0, shape.RecurrentLayers).Select(int8.LayerWeights).ToArray();
        head = new Int8Projection(int8.Head);
        layers = CreateLayers(shape, parameters, weights);
    }

    /// <summary>
    /// An int8 copy of this model (docs/embedding.md): weight_ih, weight_hh and fc.weight quantized symmetrically
    /// with one scale per output row; biases and elementwise parameters kept in float. Its products quantize their
    /// input rows at run time and sum in int32. This model is left as it is.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is int8 already.</exception>
    public InferenceModel Quantize()
    {
        ThrowIfDisposed();
        if (Format != WeightFormat.Float32) throw new InvalidOperationException($"The model is {Format} already; quantize the float model it came from.");
        return FromInt8(Shape, parameters, Int8Weights.Quantize(Shape, parameters));
    }

    /// <summary>A model over <paramref name="int8"/>, taking it over; the weight matrices of <paramref name="parameters"/> are replaced by the dequantized ones.</summary>
    internal static InferenceModel FromInt8(NetworkShape shape, ReadOnlySpan<float> parameters, Int8Weights int8)
    {
        var copy = parameters.ToArray();
        int8.Dequantize(copy);
        return new InferenceModel(shape, copy, int8);
    }

    /// <summary>The int8 matrices of an int8 model, null for a float one.</summary>
    internal Int8Weights? Int8 => int8;
}
