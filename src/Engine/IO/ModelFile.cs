using System.Globalization;
using System.Reflection;
using SimdRnn.Cells;
using SimdRnn.Model;
using SimdRnn.Training;

namespace SimdRnn.IO;

/// <summary>A model file as checked by <see cref="ModelFile.Describe(string, IReadOnlyList{CellEntry}, string?)"/>: its shape and what its metadata says.</summary>
/// <param name="Path">The file.</param>
/// <param name="Shape">The network's architecture (sizes inferred from the tensors for a file without SimdRnn metadata).</param>
/// <param name="Metadata">The file's <c>__metadata__</c>, as written.</param>
/// <param name="IsSimdRnnFile">False for a file without SimdRnn metadata (e.g. a PyTorch state_dict).</param>
/// <param name="Epoch">Epochs completed when the file was written, if it says.</param>
/// <param name="Options">The training options, if saved.</param>
/// <param name="Optimizer">The kind of the saved optimizer state, if any.</param>
/// <param name="OptimizerSteps">The steps of the saved optimizer state, if any.</param>
public sealed record ModelDescription(string Path, NetworkShape Shape, IReadOnlyDictionary<string, string> Metadata, bool IsSimdRnnFile,
    int? Epoch, TrainOptions? Options, OptimizerKind? Optimizer, long? OptimizerSteps)
{
    /// <summary>A character model's vocabulary (<see cref="Data.TextCorpus"/>), or null for other models.</summary>
    public Data.Vocabulary? Vocabulary { get; init; }

    /// <summary>How the model reads an MNIST image (<c>mnist_layout</c>); rows for a file without the key.</summary>
    public Data.MnistLayout MnistLayout { get; init; } = Data.MnistLayout.Rows;
}

/// <summary>What a model file holds besides the weights: the training position, options and optimizer state.</summary>
public sealed record ModelCheckpoint
{
    /// <summary>Epochs completed when the file was written (0 before training).</summary>
    public int Epoch { get; init; }

    public TrainOptions? Options { get; init; }

    /// <summary>Saved as <c>optimizer.*</c> tensors so training can resume; PyTorch users drop those keys.</summary>
    public OptimizerState? Optimizer { get; init; }

    /// <summary>More <c>__metadata__</c> entries (e.g. <c>test_accuracy</c>); they may not replace the standard keys.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>A character model's vocabulary, saved as <c>vocabulary</c>: input i and class i are its character i.</summary>
    public Data.Vocabulary? Vocabulary { get; init; }

    /// <summary>How an MNIST model reads an image, saved as <c>mnist_layout</c>; null for a model of other data.</summary>
    public Data.MnistLayout? MnistLayout { get; init; }
}

/// <summary>
/// Saves and loads networks as safetensors files whose tensors have PyTorch's state_dict names and shapes
/// (<c>rnn.weight_ih_l0</c> [G*H, I], ..., <c>fc.weight</c> [O, H], <c>fc.bias</c> [O]), so a file loads into
/// <c>nn.LSTM/GRU/RNN(..., batch_first=True)</c> plus <c>nn.Linear</c>, and a PyTorch state_dict saved with
/// <c>safetensors.torch.save_file</c> loads here. See docs/interop.md.
/// </summary>
public static class ModelFile
{
    /// <summary>The <c>format</c> metadata value of files written here.</summary>
    public const string Format = "simdrnn";

    /// <summary>Time steps assumed for a file without SimdRnn metadata: MNIST's 28 rows.</summary>
    public const int DefaultSteps = 28;

    public const string OptimizerPrefix = "optimizer.";

    /// <summary>The metadata keys written by <see cref="Save(string, Network{float}, ModelCheckpoint?)"/>.</summary>
    public static class Keys
    {
        public const string Format = "format";
        public const string FormatVersion = "format_version";
        public const string Cell = "cell";
        public const string Hidden = "hidden";
        public const string Layers = "layers";
        public const string Bidirectional = "bidirectional";
        public const string Input = "input";
        public const string Steps = "steps";
        public const string Classes = "classes";
        public const string Head = "head";
        public const string Outputs = "outputs";
        public const string Vocabulary = "vocabulary";
        public const string MnistLayout = "mnist_layout";
        public const string SpecHash = "spec_hash";
        public const string EngineVersion = "engine_version";
        public const string Epoch = "epoch";
        public const string TrainOptions = "train_options";
        public const string Optimizer = "optimizer";
        public const string OptimizerSteps = "optimizer_steps";
    }

    private static readonly HashSet<string> StandardKeys =
    [
        Keys.Format, Keys.FormatVersion, Keys.Cell, Keys.Hidden, Keys.Layers, Keys.Bidirectional, Keys.Input, Keys.Steps, Keys.Classes, Keys.Head, Keys.Outputs, Keys.Vocabulary, Keys.MnistLayout,
        Keys.SpecHash, Keys.EngineVersion, Keys.Epoch, Keys.TrainOptions, Keys.Optimizer, Keys.OptimizerSteps,
    ];

    /// <summary>The engine's version, written as <c>engine_version</c>.</summary>
    public static string EngineVersion { get; } = ReadVersion();

    /// <summary>Writes <paramref name="network"/> (and the checkpoint's state) to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ModelFormatException">A parameter or optimizer moment is NaN or infinite; nothing is written.</exception>
    public static void Save(string path, Network<float> network, ModelCheckpoint? checkpoint = null) =>
        Save(path, network, checkpoint, wrap: null);

    // wrap: tests only, wraps the file stream, e.g. in one that fails part-way.
    internal static void Save(string path, Network<float> network, ModelCheckpoint? checkpoint, Func<Stream, Stream>? wrap)
    {
        checkpoint ??= new ModelCheckpoint();
        var shape = network.Shape;
        var tensors = new List<TensorToWrite>();
        foreach (var tensor in shape.Tensors) tensors.Add(new(tensor.Name, tensor.Shape, network.Parameters.AsMemory(tensor.Offset, tensor.Length)));
        var metadata = Metadata(shape, checkpoint);
        if (checkpoint.Optimizer is { } optimizer)
        {
            var names = OptimizerState.BufferNames(optimizer.Kind);
            if (optimizer.Buffers.Count != names.Count || optimizer.Buffers.Any(b => b.Length != shape.ParameterCount))
            {
                throw new ArgumentException($"Optimizer state must hold {names.Count} buffers of {shape.ParameterCount} values.", nameof(checkpoint));
            }

            metadata[Keys.Optimizer] = OptimizerState.KindName(optimizer.Kind);
            metadata[Keys.OptimizerSteps] = optimizer.Steps.ToString(CultureInfo.InvariantCulture);
            for (int b = 0; b < names.Count; b++)
            {
                foreach (var tensor in shape.Tensors)
                {
                    tensors.Add(new($"{OptimizerPrefix}{names[b]}.{tensor.Name}", tensor.Shape, optimizer.Buffers[b].AsMemory(tensor.Offset, tensor.Length)));
                }
            }
        }

        SafetensorsWriter.CheckFinite(path, tensors);
        AtomicFile.Write(path, stream => SafetensorsWriter.Write(stream, tensors, metadata), wrap);
    }

    /// <summary>The metadata every SimdRnn file carries: the checkpoint's extra keys, format, cell, sizes, spec hash, versions, epoch, options.</summary>
    internal static Dictionary<string, string> Metadata(NetworkShape shape, ModelCheckpoint checkpoint)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in checkpoint.Metadata ?? new Dictionary<string, string>())
        {
            if (StandardKeys.Contains(key)) throw new ArgumentException($"Metadata key '{key}' is written by ModelFile itself.", nameof(checkpoint));
            metadata[key] = value;
        }

        metadata[Keys.Format] = Format;
        metadata[Keys.FormatVersion] = "1";
        metadata[Keys.Cell] = shape.Cell.Info.Name;
        metadata[Keys.Hidden] = Invariant(shape.Hidden);
        metadata[Keys.Layers] = Invariant(shape.Layers);
        if (shape.Bidirectional) metadata[Keys.Bidirectional] = "true";
        metadata[Keys.Input] = Invariant(shape.Inputs);
        metadata[Keys.Steps] = Invariant(shape.Steps);
        metadata[Keys.Head] = shape.Head.Name;
        metadata[shape.Head.Classifies ? Keys.Classes : Keys.Outputs] = Invariant(shape.Outputs);
        if (checkpoint.Vocabulary is { } vocabulary)
        {
            if (vocabulary.Count != shape.Inputs || shape.Head.Kind != HeadKind.Tag || vocabulary.Count != shape.Outputs)
            {
                throw new ArgumentException($"A vocabulary of {vocabulary.Count} characters needs a tag head over {vocabulary.Count} inputs and classes.", nameof(checkpoint));
            }

            metadata[Keys.Vocabulary] = vocabulary.Text;
        }

        if (checkpoint.MnistLayout is { } layout)
        {
            if (MnistLayoutMismatch(shape, layout) is { } mismatch) throw new ArgumentException(mismatch, nameof(checkpoint));
            metadata[Keys.MnistLayout] = Data.MnistLayouts.NameOf(layout);
        }

        metadata[Keys.SpecHash] = shape.Cell.Info.SpecHash;
        metadata[Keys.EngineVersion] = EngineVersion;
        metadata[Keys.Epoch] = Invariant(checkpoint.Epoch);
        if (checkpoint.Options is { } options) metadata[Keys.TrainOptions] = TrainOptionsJson.Write(options);
        return metadata;
    }

    /// <summary>
    /// Loads a model. With SimdRnn metadata the cell is found by name in <paramref name="cells"/> (or
    /// <paramref name="cellOverride"/>) and its spec hash checked; without it (a PyTorch state_dict) the sizes are
    /// inferred from the tensor shapes and the cell from <paramref name="cellOverride"/> or the gate count
    /// (1: rnn, 3: gru, 4: lstm). Every tensor must be present with its expected shape and nothing else present.
    /// </summary>
    /// <exception cref="ModelFormatException">The file is malformed, does not fit, or holds a NaN or an infinity; the message names the tensor.</exception>
    public static LoadedModel Load(string path, IReadOnlyList<CellEntry> cells, string? cellOverride = null)
    {
        using var file = SafetensorsFile.Open(path);
        var description = Describe(file.Header, cells, cellOverride);
        var header = file.Header;
        if (QuantizedModelFile.IsQuantized(header))
        {
            throw new ModelFormatException(path,
                "expected a float32 model, found an int8 one (made by 'simdrnn quantize'), which is for inference only: train, resume, quantize or export the float model it came from");
        }

        var shape = description.Shape;
        var network = new Network<float>(shape);
        try
        {
            foreach (var tensor in shape.Tensors)
            {
                file.ReadFloats(header.Find(tensor.Name)!, tensor.Of(network.Parameters));
                CheckFinite(path, tensor.Name, tensor.Of(network.Parameters));
            }

            network.ParametersChanged();

            OptimizerState? optimizer = null;
            if (description.Optimizer is OptimizerKind kind)
            {
                var buffers = OptimizerState.BufferNames(kind).Select(name =>
                {
                    var buffer = new float[shape.ParameterCount];
                    foreach (var tensor in shape.Tensors)
                    {
                        string stored = $"{OptimizerPrefix}{name}.{tensor.Name}";
                        file.ReadFloats(header.Find(stored)!, tensor.Of(buffer));
                        CheckFinite(path, stored, tensor.Of(buffer));
                    }

                    return buffer;
                }).ToArray();
                optimizer = new OptimizerState(kind, description.OptimizerSteps!.Value, buffers);
            }

            return new LoadedModel(description, network, optimizer);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    // A NaN or infinity read from a file would turn every prediction into NaN, or a resumed run's first loss:
    // refused at the door, naming the tensor.
    internal static void CheckFinite(string path, string tensor, ReadOnlySpan<float> values)
    {
        // The largest magnitude is the first NaN if there is one, else an infinity if there is one (vectorised).
        int at = System.Numerics.Tensors.TensorPrimitives.IndexOfMaxMagnitude(values);
        if (at >= 0 && !float.IsFinite(values[at]))
        {
            throw new ModelFormatException(path,
                $"tensor {Text.Quote(tensor)}: expected finite values, found {values[at].ToString(CultureInfo.InvariantCulture)} at element {at}");
        }
    }

    /// <summary>
    /// Everything <see cref="Load"/> checks and reports, without reading or allocating the weights: the header,
    /// the metadata, the cell and every tensor's presence, dtype and shape.
    /// </summary>
    /// <exception cref="ModelFormatException">The file is malformed or does not fit; the message names the tensor.</exception>
    public static ModelDescription Describe(string path, IReadOnlyList<CellEntry> cells, string? cellOverride = null)
    {
        using var file = SafetensorsFile.Open(path);
        return Describe(file.Header, cells, cellOverride);
    }

    internal static ModelDescription Describe(SafetensorsHeader header, IReadOnlyList<CellEntry> cells, string? cellOverride)
    {
        bool native = header.Metadata.TryGetValue(Keys.Format, out string? format) && format == Format;
        var shape = native ? NativeShape(header, cells, cellOverride) : InferredShape(header, cells, cellOverride);
        if (native && QuantizedModelFile.IsQuantized(header)) QuantizedModelFile.CheckTensors(header, shape);
        else CheckTensors(header, shape);
        var optimizerKind = native ? OptimizerKindOf(header) : null;
        CheckOptimizerTensors(header, shape, optimizerKind);
        long? optimizerSteps = optimizerKind is null ? null : ParseLong(header, Keys.OptimizerSteps);

        int? epoch = native && header.Metadata.ContainsKey(Keys.Epoch) ? ParseInt(header, Keys.Epoch, minimum: 0) : null;
        TrainOptions? options = null;
        if (native && header.Metadata.TryGetValue(Keys.TrainOptions, out string? json))
        {
            try
            {
                options = TrainOptionsJson.Read(json);
            }
            catch (FormatException e)
            {
                throw new ModelFormatException(header.Path, $"metadata '{Keys.TrainOptions}': {e.Message}", e);
            }
        }

        return new ModelDescription(header.Path, shape, header.Metadata, native, epoch, options, optimizerKind, optimizerSteps)
        {
            Vocabulary = native ? VocabularyOf(header, shape) : null,
            MnistLayout = native ? MnistLayoutOf(header, shape) : Data.MnistLayout.Rows,
        };
    }

    private static Data.MnistLayout MnistLayoutOf(SafetensorsHeader header, NetworkShape shape)
    {
        if (!header.Metadata.TryGetValue(Keys.MnistLayout, out string? name)) return Data.MnistLayout.Rows;
        if (Data.MnistLayouts.Named(name) is not { } layout)
        {
            throw new ModelFormatException(header.Path,
                $"metadata '{Keys.MnistLayout}': expected one of {string.Join(", ", Data.MnistLayouts.Names.Select(n => n.Name))}, found {Text.Quote(name)}");
        }

        if (MnistLayoutMismatch(shape, layout) is { } mismatch) throw new ModelFormatException(header.Path, $"metadata '{Keys.MnistLayout}': {mismatch}");
        return layout;
    }

    // A layout fixes the steps, the inputs and the ten classes; a file that says otherwise would read images wrongly.
    private static string? MnistLayoutMismatch(NetworkShape shape, Data.MnistLayout layout)
    {
        int steps = Data.MnistLayouts.Steps(layout), inputs = Data.MnistLayouts.Inputs(layout);
        return shape.Steps == steps && shape.Inputs == inputs && shape.Head == Head.Classify(Data.Mnist.Classes)
            ? null
            : $"expected the {Data.MnistLayouts.NameOf(layout)} layout's {steps} steps of {inputs} input{(inputs == 1 ? "" : "s")} and {Data.Mnist.Classes} classes, found {shape.Steps} steps of {shape.Inputs} inputs and a {shape.Head} head";
    }

    private static NetworkShape NativeShape(SafetensorsHeader header, IReadOnlyList<CellEntry> cells, string? cellOverride)
    {
        string saved = Required(header, Keys.Cell);
        var cell = FindCell(header.Path, cells, cellOverride ?? saved);
        if (header.Metadata.TryGetValue(Keys.SpecHash, out string? savedHash) && savedHash != cell.Info.SpecHash)
        {
            if (cell.Info.Name != saved)
            {
                throw new ModelFormatException(header.Path,
                    $"expected a '{cell.Info.Name}' network (as asked), found a {Text.Quote(saved)} network whose cell spec differs (spec hash {Text.Quote(savedHash)}, '{cell.Info.Name}' has {cell.Info.SpecHash})");
            }


            throw new ModelFormatException(header.Path,
                $"cell '{cell.Info.Name}' has changed since this file was saved: expected spec hash {Text.Quote(savedHash)}, found {cell.Info.SpecHash} in this build " +
                "(its gates or formulas differ, so the weights would mean something else; retrain, or load with the cell's old definition)");
        }

        bool bidirectional = header.Metadata.TryGetValue(Keys.Bidirectional, out string? flag) && flag switch
        {
            "true" => true,
            "false" => false,
            _ => throw new ModelFormatException(header.Path, $"metadata '{Keys.Bidirectional}': expected true or false, found {Text.Quote(flag)}"),
        };
        return Shape(header, cell, ParseInt(header, Keys.Steps, 1), ParseInt(header, Keys.Input, 1), ParseInt(header, Keys.Hidden, 1),
            ParseInt(header, Keys.Layers, 1), HeadOf(header), bidirectional);
    }

    // Files from before heads are last-step classifiers; a classifying head counts classes, a regression head outputs.
    private static Head HeadOf(SafetensorsHeader header)
    {
        if (!header.Metadata.TryGetValue(Keys.Head, out string? name)) return Head.Classify(ParseInt(header, Keys.Classes, 2));
        if (Head.KindNamed(name) is not HeadKind kind)
        {
            throw new ModelFormatException(header.Path,
                $"metadata '{Keys.Head}': expected one of {string.Join(", ", Head.Kinds.Select(k => k.Name))}, found {Text.Quote(name)}");
        }

        bool classifies = kind is HeadKind.Classify or HeadKind.Tag;
        return new Head(kind, classifies ? ParseInt(header, Keys.Classes, 2) : ParseInt(header, Keys.Outputs, 1));
    }

    private static Data.Vocabulary? VocabularyOf(SafetensorsHeader header, NetworkShape shape)
    {
        if (!header.Metadata.TryGetValue(Keys.Vocabulary, out string? text)) return null;
        try
        {
            var vocabulary = Data.Vocabulary.FromText(text);
            if (shape.Head.Kind != HeadKind.Tag || vocabulary.Count != shape.Inputs || vocabulary.Count != shape.Outputs)
            {
                throw new FormatException($"expected {shape.Inputs} characters, one per input and class of a tag head, found {vocabulary.Count} for a {shape.Head.Name} head of {shape.Outputs}");
            }

            return vocabulary;
        }
        catch (FormatException e)
        {
            throw new ModelFormatException(header.Path, $"metadata '{Keys.Vocabulary}': {e.Message}", e);
        }
    }

    private static NetworkShape InferredShape(SafetensorsHeader header, IReadOnlyList<CellEntry> cells, string? cellOverride)
    {
        string path = header.Path;
        int layers = 0;
        while (header.Find($"rnn.weight_ih_l{layers}") is not null) layers++;
        if (layers == 0)
        {
            string found = header.Tensors.Count == 0 ? "no tensors" : "tensors " + string.Join(", ", header.Tensors.Take(5).Select(t => Text.Quote(t.Name))) + (header.Tensors.Count > 5 ? ", ..." : "");
            throw new ModelFormatException(path, $"expected tensor 'rnn.weight_ih_l0' (a PyTorch state_dict with modules 'rnn' and 'fc', or a SimdRnn file), found {found}");
        }

        var weightIh = Matrix(header, "rnn.weight_ih_l0");
        var weightHh = Matrix(header, "rnn.weight_hh_l0");
        var head = Matrix(header, "fc.weight");
        long hidden = weightHh.Shape[1], inputs = weightIh.Shape[1], classes = head.Shape[0];
        if (hidden < 1 || hidden > int.MaxValue || weightIh.Shape[0] % hidden != 0 || weightIh.Shape[0] == 0)
        {
            throw new ModelFormatException(path, $"tensor 'rnn.weight_ih_l0': expected [gates * {hidden}, inputs] (hidden {hidden} from rnn.weight_hh_l0), found {weightIh.ShapeText}");
        }

        long gates = weightIh.Shape[0] / hidden;
        string? name = cellOverride ?? gates switch { 1 => "rnn", 3 => "gru", 4 => "lstm", _ => null };
        if (name is null)
        {
            throw new ModelFormatException(path, $"cannot tell the cell from {gates} gates (1: rnn, 3: gru, 4: lstm) in a file without SimdRnn metadata: name it with --cell ({Available(cells)})");
        }

        if (inputs < 1 || inputs > int.MaxValue || classes < 2 || classes > int.MaxValue)
        {
            throw new ModelFormatException(path, $"expected at least 1 input and 2 classes, found rnn.weight_ih_l0 {weightIh.ShapeText} and fc.weight {head.ShapeText}");
        }

        // PyTorch names the reverse direction's tensors "..._reverse" (bidirectional=True).
        bool bidirectional = header.Find("rnn.weight_ih_l0_reverse") is not null;
        return Shape(header, FindCell(path, cells, name), DefaultSteps, (int)inputs, (int)hidden, layers, Head.Classify((int)classes), bidirectional);
    }

    // Builds the shape only when its parameter count fits in an array and its layer count in the file's tensors: the
    // shape allocates nothing, and the network is allocated only after every tensor was found in the file with its shape.
    private static NetworkShape Shape(SafetensorsHeader header, CellEntry cell, int steps, int inputs, int hidden, int layers, Head head, bool bidirectional)
    {
        var info = cell.Info;
        int classes = head.Outputs, directions = bidirectional ? 2 : 1;
        string sizes = $"{(bidirectional ? "bidirectional " : "")}{info.Name} network (hidden {hidden}, layers {layers}, input {inputs}, {(head.Kind == HeadKind.Classify ? "classes" : head.Name + " outputs")} {classes})";
        if (layers > header.Tensors.Count / (4 * directions))
        {
            throw new ModelFormatException(header.Path, $"expected at least {4L * directions * layers} tensors for a {sizes}, found {header.Tensors.Count}");
        }

        long count;
        try
        {
            checked
            {
                long h = hidden, perHidden = info.GateCount + info.RecurrentGates + info.ParameterCount;
                count = classes * directions * h + classes;
                for (int layer = 0; layer < layers && count <= Array.MaxLength; layer++)
                {
                    long layerInputs = layer == 0 ? inputs : directions * h;
                    count += directions * (info.GateCount * h * layerInputs + info.RecurrentGates * h * h + perHidden * h);
                }
            }
        }
        catch (OverflowException)
        {
            count = long.MaxValue;
        }

        if (count > Array.MaxLength)
        {
            throw new ModelFormatException(header.Path, $"expected at most {Array.MaxLength} parameters, found {(count == long.MaxValue ? "more than 2^63" : "at least " + count.ToString(CultureInfo.InvariantCulture))} in a {sizes}");
        }

        return new NetworkShape(cell, steps, inputs, hidden, layers, head, bidirectional);
    }

    private static void CheckTensors(SafetensorsHeader header, NetworkShape shape)
    {
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in shape.Tensors)
        {
            expected.Add(tensor.Name);
            CheckTensor(header, tensor.Name, tensor.Shape);
        }

        foreach (var tensor in header.Tensors)
        {
            if (!expected.Contains(tensor.Name) && !tensor.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            {
                throw new ModelFormatException(header.Path,
                    $"tensor {Text.Quote(tensor.Name)}: expected no such tensor in a {Describe(shape)}, found {tensor.ShapeText}");
            }
        }
    }

    private static void CheckOptimizerTensors(SafetensorsHeader header, NetworkShape shape, OptimizerKind? kind)
    {
        var expected = new HashSet<string>(StringComparer.Ordinal);
        if (kind is OptimizerKind k)
        {
            foreach (string buffer in OptimizerState.BufferNames(k))
            {
                foreach (var tensor in shape.Tensors)
                {
                    string name = $"{OptimizerPrefix}{buffer}.{tensor.Name}";
                    expected.Add(name);
                    CheckTensor(header, name, tensor.Shape);
                }
            }
        }

        foreach (var tensor in header.Tensors)
        {
            if (tensor.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) && !expected.Contains(tensor.Name))
            {
                string state = kind is OptimizerKind saved ? $"{OptimizerState.KindName(saved)} optimizer state" : "a file without 'optimizer' metadata";
                throw new ModelFormatException(header.Path, $"tensor {Text.Quote(tensor.Name)}: expected no such tensor in {state}, found {tensor.ShapeText}");
            }
        }
    }

    internal static void CheckTensor(SafetensorsHeader header, string name, int[] shape)
    {
        string expected = SafetensorsTensor.Format(shape.Select(d => (long)d));
        var found = header.Find(name) ?? throw new ModelFormatException(header.Path, $"tensor '{name}': expected shape {expected}, found no such tensor");
        if (!found.Shape.SequenceEqual(shape.Select(d => (long)d)))
        {
            throw new ModelFormatException(header.Path, $"tensor '{name}': expected shape {expected}, found {found.ShapeText}");
        }

        if (!found.DType.IsReadableAsFloat())
        {
            throw new ModelFormatException(header.Path, $"tensor '{name}': expected dtype F32 (or F64, F16, BF16), found {found.DType.Name()}");
        }
    }

    private static OptimizerKind? OptimizerKindOf(SafetensorsHeader header)
    {
        if (!header.Metadata.TryGetValue(Keys.Optimizer, out string? name)) return null;
        if (!OptimizerState.TryParseKind(name, out var kind))
        {
            throw new ModelFormatException(header.Path, $"metadata '{Keys.Optimizer}': expected adam or sgd, found {Text.Quote(name)}");
        }

        return kind;
    }

    private static SafetensorsTensor Matrix(SafetensorsHeader header, string name)
    {
        var tensor = header.Find(name) ?? throw new ModelFormatException(header.Path, $"tensor '{name}': expected a matrix, found no such tensor");
        if (tensor.Shape.Length != 2) throw new ModelFormatException(header.Path, $"tensor '{name}': expected 2 dimensions, found {tensor.ShapeText}");
        return tensor;
    }

    private static CellEntry FindCell(string path, IReadOnlyList<CellEntry> cells, string name) =>
        CellCatalog.Find(cells, name) ?? throw new ModelFormatException(path, $"cell {Text.Quote(name)} is not available: expected one of {Available(cells)}");

    private static string Available(IReadOnlyList<CellEntry> cells) =>
        cells.Count == 0 ? "no registered cells" : string.Join(", ", cells.Select(c => c.Info.Name));

    private static string Describe(NetworkShape shape) =>
        $"{(shape.Bidirectional ? "bidirectional " : "")}{shape.Cell.Info.Name} network of {shape.Layers} layer{(shape.Layers == 1 ? "" : "s")}, hidden {shape.Hidden}";

    private static string Required(SafetensorsHeader header, string key) =>
        header.Metadata.TryGetValue(key, out string? value) ? value : throw new ModelFormatException(header.Path, $"metadata '{key}': expected a value in a SimdRnn file, found none");

    private static int ParseInt(SafetensorsHeader header, string key, int minimum)
    {
        string value = Required(header, key);
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int result) || result < minimum)
        {
            throw new ModelFormatException(header.Path, $"metadata '{key}': expected an integer of at least {minimum}, found {Text.Quote(value)}");
        }

        return result;
    }

    private static long ParseLong(SafetensorsHeader header, string key)
    {
        string value = Required(header, key);
        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long result))
        {
            throw new ModelFormatException(header.Path, $"metadata '{key}': expected a non-negative integer, found {Text.Quote(value)}");
        }

        return result;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string ReadVersion()
    {
        string? version = typeof(ModelFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(version)) return typeof(ModelFile).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        int plus = version.IndexOf('+');
        return plus < 0 ? version : version[..plus];
    }
}
