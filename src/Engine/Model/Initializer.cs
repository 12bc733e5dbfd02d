using System.Numerics;

namespace SimdRnn.Model;

/// <summary>
/// Initial weights (docs/training.md): Glorot-uniform input weights per gate block, orthogonal recurrent
/// weights per gate block, zero biases except a gate's spec <c>BiasInit</c> on <c>bias_ih</c>, elementwise
/// parameters uniform in their spec's range, a Glorot-uniform head with zero bias. Deterministic in the seed.
/// </summary>
public static class Initializer
{
    public static void Initialize<T>(NetworkShape shape, Span<T> parameters, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var info = shape.Cell.Info;
        int h = shape.Hidden;
        parameters.Clear();
        for (int layer = 0; layer < shape.RecurrentLayers; layer++)
        {
            var p = shape.LayerParameters[layer];
            int inputs = shape.LayerInputs(layer);
            var weightIh = p.WeightIh.Of(parameters);
            float limit = MathF.Sqrt(6f / (inputs + h));
            for (int i = 0; i < weightIh.Length; i++) weightIh[i] = T.CreateTruncating(Uniform(random, -limit, limit));

            var weightHh = p.WeightHh.Of(parameters);
            for (int block = 0; block < info.RecurrentGates; block++) Orthogonal(random, weightHh.Slice(block * h * h, h * h), h);

            var biasIh = p.BiasIh.Of(parameters);
            for (int gate = 0; gate < info.GateCount; gate++) biasIh.Slice(gate * h, h).Fill(T.CreateTruncating(info.Gates[gate].BiasInit));

            for (int k = 0; k < info.ParameterCount; k++)
            {
                var spec = info.Parameters[k];
                var values = p.Elementwise[k].Of(parameters);
                for (int i = 0; i < values.Length; i++) values[i] = T.CreateTruncating(Uniform(random, spec.InitLow, spec.InitHigh));
            }
        }

        var head = shape.HeadWeight.Of(parameters);
        float headLimit = MathF.Sqrt(6f / (shape.Features + shape.Outputs));
        for (int i = 0; i < head.Length; i++) head[i] = T.CreateTruncating(Uniform(random, -headLimit, headLimit));
    }

    private static float Uniform(Random random, float low, float high) => low + (high - low) * random.NextSingle();

    // An orthogonal [n, n] matrix: modified Gram-Schmidt on the rows of a Gaussian matrix, in double.
    private static void Orthogonal<T>(Random random, Span<T> destination, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var q = new double[n * n];
        for (int i = 0; i < q.Length; i++) q[i] = Gaussian(random);
        for (int row = 0; row < n; row++)
        {
            var current = q.AsSpan(row * n, n);
            for (int previous = 0; previous < row; previous++)
            {
                var basis = q.AsSpan(previous * n, n);
                double dot = 0;
                for (int i = 0; i < n; i++) dot += current[i] * basis[i];
                for (int i = 0; i < n; i++) current[i] -= dot * basis[i];
            }

            double norm = 0;
            for (int i = 0; i < n; i++) norm += current[i] * current[i];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < n; i++) current[i] /= norm;
        }

        for (int i = 0; i < q.Length; i++) destination[i] = T.CreateTruncating(q[i]);
    }

    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
