using SimdRnn.Model;

namespace SimdRnn.Training;

/// <summary>
/// The GEMM work of training one sample, by the formula in DESIGN-NOTES so that GFLOP/s compare across
/// engines: the first layer 2·G·H·T·(3H + 2I) (forward, dH, dWh, dWx; no input gradient), each further
/// layer 6·G·H·T·(H + I) with I its input width, each twice in a bidirectional network, extended with the
/// head's three products (forward, dW, dH) 6·P·F·O for P predictions of O outputs from F features (P = 1, or T
/// for a per-step head): small for a last-step classifier, a real share for a per-step head over a vocabulary.
/// The elementwise work is left out; so are carried steps past a sequence's length, as if every sequence had T steps.
/// </summary>
public static class TrainingFlops
{
    public static double PerSample(NetworkShape shape)
    {
        double g = shape.Cell.Info.GateCount, h = shape.Hidden, t = shape.Steps;
        double flops = 2 * g * h * t * (3 * h + 2 * shape.Inputs);
        for (int layer = 1; layer < shape.Layers; layer++) flops += 6 * g * h * t * (h + shape.Features);
        return shape.Directions * flops + Head(shape);
    }

    /// <summary>The head's share of <see cref="PerSample"/>: 6·P·F·O.</summary>
    public static double Head(NetworkShape shape) =>
        6.0 * shape.Head.PredictionsPerSequence(shape.Steps) * shape.Features * shape.Outputs;
}
