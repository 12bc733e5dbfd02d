using System.Text;
using SimdRnn.Data;
using SimdRnn.Inference;

namespace SimdRnn.Cli;

/// <summary>
/// <c>simdrnn sample</c>: text from a character model, one character at a time: the model reads the primer, then
/// each character it draws from its own prediction (softmax at a temperature) is fed back as the next input.
/// </summary>
public sealed class SampleCommand : ICliCommand
{
    public const int DefaultLength = 500;

    public static IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("model", "FILE", "A character model (trained with --data-format text)"),
        new("prime", "TEXT", "Text the model reads before it writes; printed first", "a newline"),
        new("length", "N", "Characters to write after the primer", DefaultLength.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("temperature", "T", "Above 0: below 1 is more conservative, above 1 more surprising", "1"),
        new("seed", "N", "Seed of the draws: the same seed gives the same text", "1"),
        new("cell", "NAME", "The cell, for a file without SimdRnn metadata whose gate count does not tell"),
    ];

    public string Name => "sample";

    public string Summary => "Generate text from a character model";

    public string Usage => CommandLineParser.Usage(
        "simdrnn sample --model FILE [--prime TEXT] [--length N] [--temperature T] [--seed S]",
        "Writes --length characters drawn one at a time from a character model (trained with\n" +
        "'simdrnn train --data-format text'), after it has read --prime. The model carries its state from\n" +
        "character to character, so the text can be longer than the window it was trained on.\n" +
        "Exit codes: 0 done, 1 bad model file, 2 bad options.",
        Options);

    public int Run(IReadOnlyList<string> args, CliContext context)
    {
        var parsed = CommandLineParser.Parse(Name, args, Options);
        if (parsed.Help)
        {
            context.Out.Write(Usage);
            return ExitCodes.Success;
        }

        string path = parsed.Required("model", "sample");
        int length = parsed.PositiveInt("length", DefaultLength);
        if (length > 100_000_000) throw ParsedArguments.Expected("length", "at most 100000000 characters", parsed.Raw("length")!);
        float temperature = parsed.PositiveNumber("temperature", 1f);
        int seed = parsed.Int("seed", 1);
        string prime = parsed.Raw("prime") ?? "\n";
        if (prime.Length == 0) throw ParsedArguments.Expected("prime", "at least one character", prime);

        using var loaded = ModelLoading.Load(path, context.Cells, parsed.Raw("cell"));
        var vocabulary = loaded.Description.Vocabulary
            ?? throw new CliDataException($"{path}: expected a character model (trained with --data-format text), found a {loaded.Shape.Head} model without a vocabulary");

        using var model = InferenceModel.FromNetwork(loaded.Network);
        using var session = new InferenceSession(model, maxBatch: 1);
        var text = new Sampler(session, vocabulary, temperature, seed).Write(prime, length);
        context.Out.Write(prime);
        context.Out.Write(text);
        context.Out.WriteLine();
        context.Out.Flush();
        return ExitCodes.Success;
    }
}

/// <summary>Draws characters from a character model's streaming predictions.</summary>
public sealed class Sampler(InferenceSession session, Vocabulary vocabulary, float temperature, int seed)
{
    private readonly float[] input = new float[vocabulary.Count];
    private readonly float[] probabilities = new float[vocabulary.Count];
    private readonly double[] weights = new double[vocabulary.Count];
    private readonly Random random = new(seed);

    /// <summary>Reads <paramref name="prime"/>, then writes <paramref name="length"/> characters (the primer not included).</summary>
    public string Write(string prime, int length)
    {
        session.Reset();
        foreach (var character in TextCorpus.Runes(prime)) Feed(vocabulary.IndexOf(character));

        var text = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            int next = Draw();
            text.Append(vocabulary[next].ToString());
            Feed(next);
        }

        return text.ToString();
    }

    private void Feed(int token)
    {
        Array.Clear(input);
        input[token] = 1f;
        session.Step(input, probabilities);
    }

    // p_i^(1/T), renormalised; never U+FFFD (index 0), which stands for characters the training text did not have.
    private int Draw()
    {
        double total = 0;
        for (int i = 1; i < weights.Length; i++)
        {
            weights[i] = Math.Pow(Math.Max(probabilities[i], 1e-30), 1.0 / temperature);
            total += weights[i];
        }

        double target = random.NextDouble() * total;
        for (int i = 1; i < weights.Length; i++)
        {
            target -= weights[i];
            if (target <= 0) return i;
        }

        return weights.Length - 1;
    }
}
