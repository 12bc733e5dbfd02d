using System.Globalization;

namespace SimdRnn.Training;

/// <summary>
/// What a <see cref="Trainer"/> holds for a run, known from the shape before training starts. The workspaces hold
/// every step of a chunk's states for backward, so they grow with T (the steps) and with the workers, never with
/// the batch: a batch is cut into chunks of at most <see cref="Trainer.ChunkRows"/> rows that take turns on them.
/// </summary>
/// <param name="Workspaces">One per worker thread.</param>
/// <param name="WorkspaceBytes">Bytes of one workspace (<see cref="Model.ChunkWorkspace{T}.Bytes"/>).</param>
/// <param name="ChunkRows">Rows of a workspace: <see cref="Trainer.ChunkRows"/>, or the batch when smaller.</param>
/// <param name="Steps">T.</param>
/// <param name="Chunks">Chunks of a batch, each with a gradient buffer of the parameters' size.</param>
/// <param name="ParameterBytes">Weights, summed gradients, the chunks' gradients and the optimizer's moments.</param>
public sealed record TrainingMemory(int Workspaces, long WorkspaceBytes, int ChunkRows, int Steps, int Chunks, long ParameterBytes)
{
    /// <summary>All of it: the workspaces and the parameter-sized buffers (the data set is apart).</summary>
    public long TotalBytes => Workspaces * WorkspaceBytes + ParameterBytes;

    /// <summary><c>workspaces 412 MB (2 chunks of 64 rows x 784 steps at a time), parameters, gradients and optimizer 1 MB; 413 MB besides the data</c></summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"workspaces {Megabytes(Workspaces * WorkspaceBytes)} MB ({Workspaces} chunk{(Workspaces == 1 ? "" : "s")} of {ChunkRows} rows x {Steps} steps at a time), " +
        $"parameters, gradients and optimizer {Megabytes(ParameterBytes)} MB ({Chunks} chunk gradient{(Chunks == 1 ? "" : "s")}); {Megabytes(TotalBytes)} MB besides the data");

    private static string Megabytes(long bytes) => ((bytes + (1 << 19)) >> 20).ToString("N0", CultureInfo.InvariantCulture);
}
