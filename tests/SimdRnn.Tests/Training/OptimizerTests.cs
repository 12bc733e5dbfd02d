using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SimdRnn.Training;
using Xunit;

namespace SimdRnn.Tests.Training;

/// <summary>Adam, SGD and clipping against their formulas, on random vectors of every length.</summary>
public sealed class OptimizerTests
{
    [Property(MaxTest = 200, Replay = "(1234567,890123)")]
    public void Adam_FollowsItsFormula(NormalFloat[] start, NormalFloat[] gradient1, NormalFloat[] gradient2, PositiveInt stepsBefore)
    {
        int n = Math.Min(start.Length, Math.Min(gradient1.Length, gradient2.Length));
        var p = start.Take(n).Select(v => (float)Math.Clamp(v.Get, -10, 10)).ToArray();
        var g1 = gradient1.Take(n).Select(v => (float)Math.Clamp(v.Get, -10, 10)).ToArray();
        var g2 = gradient2.Take(n).Select(v => (float)Math.Clamp(v.Get, -10, 10)).ToArray();
        var adam = new Adam(n);
        var expected = p.Select(v => (double)v).ToArray();
        var m = new double[n];
        var v2 = new double[n];
        float lr = 0.01f;
        int t = 0;
        foreach (var g in new[] { g1, g2 })
        {
            adam.Step(p, g, lr);
            t++;
            for (int i = 0; i < n; i++)
            {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v2[i] = 0.999 * v2[i] + 0.001 * g[i] * g[i];
                double mHat = m[i] / (1 - Math.Pow(0.9, t)), vHat = v2[i] / (1 - Math.Pow(0.999, t));
                expected[i] -= lr * mHat / (Math.Sqrt(vHat) + 1e-8);
            }
        }

        for (int i = 0; i < n; i++) Assert.Equal(expected[i], p[i], 1e-5 * Math.Max(1, Math.Abs(expected[i])));
    }

    /// <summary>
    /// Law: a step's update over any split of the buffer into parts (as the trainer's workers share it) gives the
    /// bits of one update over the whole buffer, for Adam and SGD, over two steps (so the state carries over).
    /// </summary>
    [Property(MaxTest = 150, Replay = "(31337,4243)")]
    public void UpdateOverAnySplit_EqualsTheWholeStep_BitForBit(NormalFloat[] start, NormalFloat[] gradient, PositiveInt[] cuts, bool adam)
    {
        int n = Math.Min(start.Length, gradient.Length);
        var g = gradient.Take(n).Select(v => (float)Math.Clamp(v.Get, -10, 10)).ToArray();
        var whole = start.Take(n).Select(v => (float)Math.Clamp(v.Get, -10, 10)).ToArray();
        var split = whole.ToArray();
        IOptimizer one = adam ? new Adam(n) : new Sgd(n), parts = adam ? new Adam(n) : new Sgd(n);
        int[] bounds = [0, .. cuts.Select(c => c.Get % (n + 1)).Order().Distinct(), n];
        for (int step = 0; step < 2; step++)
        {
            one.Step(whole, g, 0.01f);
            parts.BeginStep();
            for (int b = bounds.Length - 1; b > 0; b--)   // in reverse, as a worker may reach them
            {
                int from = bounds[b - 1], length = bounds[b] - from;
                parts.Update(split.AsSpan(from, length), g.AsSpan(from, length), 0.01f, from);
            }
        }

        for (int i = 0; i < n; i++) Assert.Equal(BitConverter.SingleToInt32Bits(whole[i]), BitConverter.SingleToInt32Bits(split[i]));
    }

    [Property(MaxTest = 200, Replay = "(7654321,123)")]
    public void Sgd_FollowsMomentumFormula(NormalFloat[] start, NormalFloat[] gradient)
    {
        int n = Math.Min(start.Length, gradient.Length);
        var p = start.Take(n).Select(v => (float)Math.Clamp(v.Get, -10, 10)).ToArray();
        var g = gradient.Take(n).Select(v => (float)Math.Clamp(v.Get, -10, 10)).ToArray();
        var sgd = new Sgd(n, momentum: 0.9f);
        var expected = p.Select(v => (double)v).ToArray();
        var u = new double[n];
        for (int step = 0; step < 2; step++)
        {
            sgd.Step(p, g, 0.1f);
            for (int i = 0; i < n; i++)
            {
                u[i] = 0.9 * u[i] + g[i];
                expected[i] -= 0.1 * u[i];
            }
        }

        for (int i = 0; i < n; i++) Assert.Equal(expected[i], p[i], 1e-5 * Math.Max(1, Math.Abs(expected[i])));
    }

    [Property(MaxTest = 200, Replay = "(42,4243)")]
    public void Clipping_BoundsTheNormAndKeepsTheDirection(NormalFloat[] values, PositiveInt limitTenths)
    {
        var g = values.Select(v => (float)Math.Clamp(v.Get, -100, 100)).ToArray();
        var original = g.ToArray();
        float limit = limitTenths.Get / 10f;
        double norm = Math.Sqrt(original.Sum(v => (double)v * v));
        float reported = GradientClipping.ClipByGlobalNorm(g, limit);
        Assert.Equal(norm, reported, 1e-4 * Math.Max(1, norm));
        double scale = norm > limit ? limit / norm : 1;
        for (int i = 0; i < g.Length; i++) Assert.Equal(original[i] * scale, g[i], 1e-4 * Math.Max(1, Math.Abs(original[i])));
    }

    [Fact]
    public void Clipping_ZeroLimitTurnsItOff()
    {
        float[] g = [30, 40];
        Assert.Equal(50f, GradientClipping.ClipByGlobalNorm(g, 0));
        Assert.Equal([30f, 40f], g);
    }
}
