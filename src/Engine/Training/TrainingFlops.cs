using SimdRnn.Model;

namespace SimdRnn.Training;

/// <summary>
/// The GEMM work of training one sample, by the formula in DESIGN-NOTES so that GFLOP/s compare across
/// engines: the first layer 2·G·H·T·(3H + 2I) (forward, dH, dWh, dWx; no input gradient), each further
/// layer 6·G·H·T·(H + I) with I its input width, each twice in a bidirectional network. The head and the
/// elementwise work are left out; so are carried steps past a sequence's length, as if every sequence had T steps.
/// </summary>
public static class TrainingFlops
{
    public static double PerSample(NetworkShape shape)
    {
        double g = shape.Cell.Info.GateCount, h = shape.Hidden, t = shape.Steps;
        double flops = 2 * g * h * t * (3 * h + 2 * shape.Inputs);
        for (int layer = 1; layer < shape.Layers; layer++) flops += 6 * g * h * t * (h + shape.Features);
        return shape.Directions * flops;
    }
}
