using System.Numerics.Tensors;

namespace SimdRnn.Training;

public static class GradientClipping
{
    /// <summary>
    /// Scales <paramref name="gradients"/> by maxNorm / ||g|| when their global L2 norm exceeds
    /// <paramref name="maxNorm"/> (0 turns clipping off); returns the norm before clipping.
    /// </summary>
    public static float ClipByGlobalNorm(Span<float> gradients, float maxNorm)
    {
        float norm = TensorPrimitives.Norm<float>(gradients);
        if (maxNorm > 0 && norm > maxNorm) TensorPrimitives.Multiply(gradients, maxNorm / norm, gradients);
        return norm;
    }
}
