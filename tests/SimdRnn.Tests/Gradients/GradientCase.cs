using FsCheck;
using FsCheck.Fluent;

namespace SimdRnn.Tests.Gradients;

/// <summary>A random network shape and seed for a gradient check.</summary>
public sealed record GradientCase(int Batch, int Steps, int Inputs, int Hidden, int Layers, int Seed)
{
    /// <summary>Shapes within the ranges: batch 1-4, steps 1-6, inputs 1-5, hidden 1-6, layers 1-2.</summary>
    public static Arbitrary<GradientCase> Small { get; } = Arb.From(
        from batch in Gen.Choose(1, 4)
        from steps in Gen.Choose(1, 6)
        from inputs in Gen.Choose(1, 5)
        from hidden in Gen.Choose(1, 6)
        from layers in Gen.Choose(1, 2)
        from seed in Gen.Choose(0, int.MaxValue)
        select new GradientCase(batch, steps, inputs, hidden, layers, seed),
        Shrink);

    /// <summary>Hidden sizes that cross the vector widths (8, 16 floats) to reach every remainder path.</summary>
    public static Arbitrary<GradientCase> Wide { get; } = Arb.From(
        from batch in Gen.Choose(1, 5)
        from steps in Gen.Choose(1, 4)
        from inputs in Gen.Choose(1, 9)
        from hidden in Gen.Choose(1, 41)
        from layers in Gen.Choose(1, 2)
        from seed in Gen.Choose(0, int.MaxValue)
        select new GradientCase(batch, steps, inputs, hidden, layers, seed),
        Shrink);

    // Shrinks toward the smallest shape, one dimension at a time, keeping the seed.
    private static IEnumerable<GradientCase> Shrink(GradientCase c)
    {
        if (c.Batch > 1) yield return c with { Batch = c.Batch - 1 };
        if (c.Steps > 1) yield return c with { Steps = c.Steps - 1 };
        if (c.Inputs > 1) yield return c with { Inputs = c.Inputs - 1 };
        if (c.Hidden > 1) yield return c with { Hidden = c.Hidden - 1 };
        if (c.Layers > 1) yield return c with { Layers = c.Layers - 1 };
    }
}
