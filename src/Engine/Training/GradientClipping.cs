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
        float scale = Scale(norm, maxNorm);
        if (scale != 1f) TensorPrimitives.Multiply(gradients, scale, gradients);
        return norm;
    }

    /// <summary>
    /// The factor gradients of global norm <paramref name="norm"/> are multiplied by: maxNorm / norm when the norm
    /// exceeds <paramref name="maxNorm"/>, else 1 (also when maxNorm is 0, clipping off). The trainer, which takes the
    /// norm slice by slice on its workers, applies the same rule.
    /// </summary>
    public static float Scale(float norm, float maxNorm) => maxNorm > 0 && norm > maxNorm ? maxNorm / norm : 1f;
}
