using System.Numerics;

namespace SimdRnn.Training;

public enum OptimizerKind
{
    Adam,
    Sgd,
}

/// <summary>Updates the flat parameter buffer from the flat gradient buffer of the same layout.</summary>
public interface IOptimizer
{
    /// <summary>Steps taken so far (Adam's bias correction depends on it).</summary>
    long Steps { get; }

    /// <summary>One step over the whole buffer: <see cref="BeginStep"/>, then <see cref="Update"/> of all of it.</summary>
    void Step(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate);

    /// <summary>Counts one step. Its update is then <see cref="Update"/> over parts that cover the buffer once.</summary>
    void BeginStep();

    /// <summary>
    /// The current step's update of the part of the buffer that starts at <paramref name="offset"/> (the spans are
    /// that part). Each element's update reads only its own gradient and state, so any split of the buffer, on any
    /// threads, gives the same bits as one call over all of it.
    /// </summary>
    void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate, int offset);
}

/// <summary>
/// Adam (Kingma and Ba): m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²;
/// p -= lr · (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps).
/// </summary>
public sealed class Adam(int length, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f) : IOptimizer
{
    public float[] FirstMoment { get; } = new float[length];

    public float[] SecondMoment { get; } = new float[length];

    public long Steps { get; set; }

    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        BeginStep();
        Update(parameters, gradients, learningRate, 0);
    }

    public void BeginStep() => Steps++;

    public void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate, int offset)
    {
        float correction1 = 1f - MathF.Pow(beta1, Steps), correction2 = 1f - MathF.Pow(beta2, Steps);
        float stepSize = learningRate / correction1, rootCorrection2 = MathF.Sqrt(correction2);
        var m = FirstMoment.AsSpan(offset, parameters.Length);
        var v = SecondMoment.AsSpan(offset, parameters.Length);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var b1 = new Vector<float>(beta1);
            var b2 = new Vector<float>(beta2);
            var oneMinusB1 = new Vector<float>(1f - beta1);
            var oneMinusB2 = new Vector<float>(1f - beta2);
            var eps = new Vector<float>(epsilon);
            var step = new Vector<float>(stepSize);
            var root2 = new Vector<float>(rootCorrection2);
            for (; i + Vector<float>.Count <= parameters.Length; i += Vector<float>.Count)
            {
                var g = new Vector<float>(gradients[i..]);
                var mi = b1 * new Vector<float>(m[i..]) + oneMinusB1 * g;
                var vi = b2 * new Vector<float>(v[i..]) + oneMinusB2 * g * g;
                mi.CopyTo(m[i..]);
                vi.CopyTo(v[i..]);
                var p = new Vector<float>(parameters[i..]) - step * mi / (Vector.SquareRoot(vi) / root2 + eps);
                p.CopyTo(parameters[i..]);
            }
        }

        for (; i < parameters.Length; i++)
        {
            float g = gradients[i];
            m[i] = beta1 * m[i] + (1f - beta1) * g;
            v[i] = beta2 * v[i] + (1f - beta2) * g * g;
            parameters[i] -= stepSize * m[i] / (MathF.Sqrt(v[i]) / rootCorrection2 + epsilon);
        }
    }
}

/// <summary>SGD with momentum: u = mu u + g; p -= lr u.</summary>
public sealed class Sgd(int length, float momentum = 0.9f) : IOptimizer
{
    public float[] Velocity { get; } = new float[length];

    public long Steps { get; set; }

    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        BeginStep();
        Update(parameters, gradients, learningRate, 0);
    }

    public void BeginStep() => Steps++;

    public void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate, int offset)
    {
        var u = Velocity.AsSpan(offset, parameters.Length);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(u, momentum, gradients, u);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(u, -learningRate, parameters, parameters);
    }
}
