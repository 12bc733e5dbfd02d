using System.Globalization;
using SimdRnn.Cells;
using SimdRnn.IO;
using SimdRnn.Training;

namespace SimdRnn.Cli;

/// <summary>Where and when <c>simdrnn train</c> saves: <c>--save</c>, <c>--checkpoint-every</c>, <c>--no-optimizer-state</c>.</summary>
/// <param name="SavePath">The model file to write; with <c>--resume</c> and no <c>--save</c>, the resumed file.</param>
/// <param name="Every">Also save after every this many epochs; 0 for only at the end.</param>
/// <param name="OptimizerState">Whether to save the optimizer's moments (needed for an exact <c>--resume</c>).</param>
public sealed record CheckpointSettings(string? SavePath, int Every, bool OptimizerState);

/// <summary>Saving and resuming for <c>simdrnn train</c>.</summary>
public static class TrainCheckpoints
{
    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("save", "FILE", "Save the model (safetensors) at the end, after a Ctrl-C, and at checkpoints"),
        new("checkpoint-every", "N", "Also save after every N epochs"),
        new("resume", "FILE", "Continue a saved model from its next epoch up to --epochs, with its saved options unless given; saves go back to FILE unless --save is given"),
        new("no-optimizer-state", null, "Save the weights only (PyTorch-ready; a later --resume restarts the optimizer)"),
    ];

    /// <summary>The model to resume, loaded, or null without <c>--resume</c>.</summary>
    public static LoadedModel? LoadResume(ParsedArguments parsed, IReadOnlyList<CellEntry> cells) =>
        parsed.Raw("resume") is { } path ? ModelLoading.Load(path, cells, parsed.Raw("cell")) : null;

    /// <summary>The options a resumed run starts from: the saved ones, or for a file without them its cell and sizes.</summary>
    public static TrainOptions SavedOptions(LoadedModel model)
    {
        var shape = model.Shape;
        var saved = model.Options ?? new TrainOptions();
        return saved with { Cell = shape.Cell.Info.Name, Hidden = shape.Hidden, Layers = shape.Layers, Bidirectional = shape.Bidirectional, Threads = new TrainOptions().Threads };
    }

    /// <summary>Checks the options against the resumed model: the architecture cannot change.</summary>
    public static void CheckResume(ParsedArguments parsed, TrainOptions options, LoadedModel model)
    {
        var shape = model.Shape;
        Conflict(parsed, "cell", options.Cell, shape.Cell.Info.Name, model.Path);
        Conflict(parsed, "hidden", options.Hidden, shape.Hidden, model.Path);
        Conflict(parsed, "layers", options.Layers, shape.Layers, model.Path);
        if (parsed.Has("bidirectional") && !shape.Bidirectional)
        {
            throw new UsageException($"--bidirectional differs from the resumed model, which has one direction ({model.Path}); the architecture of a resumed model cannot change");
        }

        int done = model.Epoch ?? 0;
        if (done >= options.Epochs)
        {
            throw new UsageException($"--epochs {options.Epochs}: {model.Path} has already completed {done} epochs; give --epochs above {done} to train further");
        }
    }

    /// <summary>Checks that the resumed model reads and predicts what the training data holds.</summary>
    public static void CheckData(LoadedModel model, SimdRnn.Data.SequenceDataset train)
    {
        var shape = model.Shape;
        if (shape.Steps != train.Steps || shape.Inputs != train.Inputs || shape.Head != train.Head)
        {
            throw new CliDataException(
                $"{model.Path}: the model reads {shape.Steps} steps of {shape.Inputs} inputs into a {shape.Head} head; the training data has {train.Steps} steps of {train.Inputs} inputs for a {train.Head} head");
        }
    }

    public static CheckpointSettings ReadCheckpoints(ParsedArguments parsed)
    {
        int every = parsed.Has("checkpoint-every") ? parsed.PositiveInt("checkpoint-every", 0) : 0;
        string? path = parsed.Raw("save") ?? parsed.Raw("resume");
        if (every > 0 && path is null) throw new UsageException("--checkpoint-every needs --save FILE (or --resume FILE)");
        return new CheckpointSettings(path, every, !parsed.Has("no-optimizer-state"));
    }

    /// <summary>
    /// Checks before training that the model can be saved where asked: the path is not a directory and a file can
    /// be created beside it (where the save writes its temporary file). A typo in --save is reported at once,
    /// not after hours of training.
    /// </summary>
    public static void CheckSavePath(CheckpointSettings? checkpoints)
    {
        if (checkpoints?.SavePath is not { } path) return;
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new CliDataException($"cannot save {path}: it is a directory; give a file name such as {Path.Combine(path, "model.safetensors")}");

        string directory = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(directory)) throw new CliDataException($"cannot save {path}: the directory {directory} does not exist");

        string probe = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.probe");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliDataException($"cannot save {path}: cannot create a file in {directory} ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }

    /// <summary>Saves through <paramref name="run"/> and says so on stderr; a failure is one line (exit 1).</summary>
    public static void Save(ITrainingRun run, TrainSettings settings, TextWriter error, int completedEpochs, Evaluation? last, int? interruptedEpoch = null)
    {
        if (settings.Checkpoints?.SavePath is not { } path) return;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        void Figure(string key, double? value)
        {
            if (value is double v && double.IsFinite(v)) metadata[key] = v.ToString("R", CultureInfo.InvariantCulture);
        }

        Figure("test_accuracy", last?.Accuracy);
        Figure("test_rmse", last?.Rmse);
        Figure("test_mae", last?.Mae);
        Figure("test_loss", last?.Loss);
        if (interruptedEpoch is int interrupted) metadata["interrupted_epoch"] = interrupted.ToString(CultureInfo.InvariantCulture);
        try
        {
            run.Save(path, new ModelCheckpoint { Epoch = completedEpochs, Options = settings.Options, Metadata = metadata }, settings.Checkpoints.OptimizerState);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliDataException($"cannot save {path}: {e.Message.ReplaceLineEndings(" ")}", e);
        }

        string part = interruptedEpoch is int cut ? $", with part of epoch {cut}" : "";
        error.WriteLine($"Saved {path} (epoch {completedEpochs}{part})");
    }

    private static void Conflict<T>(ParsedArguments parsed, string name, T given, T saved, string path)
    {
        if (parsed.Has(name) && !EqualityComparer<T>.Default.Equals(given, saved))
        {
            throw new UsageException($"--{name} {given} differs from the resumed model's {saved} ({path}); the architecture of a resumed model cannot change");
        }
    }
}
