using SimdRnn.Model;
using SimdRnn.Training;

namespace SimdRnn.IO;

/// <summary>A model read by <see cref="ModelFile.Load"/>: the network with its parameters, and what the file says about it.</summary>
public sealed class LoadedModel : IDisposable
{
    internal LoadedModel(ModelDescription description, Network<float> network, OptimizerState? optimizer)
    {
        Description = description;
        Path = description.Path;
        Network = network;
        Metadata = description.Metadata;
        IsSimdRnnFile = description.IsSimdRnnFile;
        Epoch = description.Epoch;
        Options = description.Options;
        Optimizer = optimizer;
    }

    /// <summary>The checked shape and metadata.</summary>
    public ModelDescription Description { get; }

    public string Path { get; }

    public NetworkShape Shape => Network.Shape;

    public Network<float> Network { get; }

    /// <summary>The file's <c>__metadata__</c>, as written.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>False for a file without SimdRnn metadata (e.g. a PyTorch state_dict), whose sizes were inferred.</summary>
    public bool IsSimdRnnFile { get; }

    /// <summary>Epochs completed when the file was written, if it says.</summary>
    public int? Epoch { get; }

    public TrainOptions? Options { get; }

    public OptimizerState? Optimizer { get; }

    /// <summary>
    /// Puts the loaded parameters and optimizer state into <paramref name="trainer"/>, built with the same cell, sizes
    /// and options, so training continues as if it had not stopped: the trainer's shuffle and learning rate derive
    /// from the seed, the options and the epoch number alone.
    /// </summary>
    /// <param name="trainer">The trainer to continue.</param>
    /// <param name="includeOptimizer">False to start the optimizer afresh (e.g. after switching optimizers).</param>
    /// <exception cref="InvalidOperationException">The trainer's network or optimizer does not match the file.</exception>
    public void RestoreInto(Trainer trainer, bool includeOptimizer = true)
    {
        var shape = trainer.Shape;
        if (shape.Cell.Info.Name != Shape.Cell.Info.Name || !shape.Tensors.Select(t => (t.Name, t.Offset, t.Length)).SequenceEqual(Shape.Tensors.Select(t => (t.Name, t.Offset, t.Length))))
        {
            throw new InvalidOperationException($"{Path}: the trainer's network ({shape.Cell.Info.Name}, hidden {shape.Hidden}, layers {shape.Layers}) differs from the file's ({Shape.Cell.Info.Name}, hidden {Shape.Hidden}, layers {Shape.Layers}).");
        }

        Network.Parameters.CopyTo(trainer.Network.Parameters, 0);
        trainer.Network.ParametersChanged();
        if (Optimizer is null || !includeOptimizer) return;
        try
        {
            Optimizer.RestoreInto(trainer.Optimizer);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"{Path}: {e.Message}", e);
        }
    }

    public void Dispose() => Network.Dispose();
}
