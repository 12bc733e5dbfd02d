using SimdRnn.IO;

namespace SimdRnn.Training;

/// <summary>A copy of a trainer's weights and optimizer state: the last good point to go back to after a divergence.</summary>
public sealed class TrainingSnapshot
{
    private readonly float[] parameters;
    private readonly OptimizerState optimizer;

    private TrainingSnapshot(float[] parameters, OptimizerState optimizer)
    {
        this.parameters = parameters;
        this.optimizer = optimizer;
    }

    internal static TrainingSnapshot Capture(float[] parameters, IOptimizer optimizer) =>
        new((float[])parameters.Clone(), OptimizerState.Capture(optimizer));

    internal void RestoreInto(float[] destination, IOptimizer destinationOptimizer)
    {
        parameters.CopyTo(destination, 0);
        optimizer.RestoreInto(destinationOptimizer);
    }
}
