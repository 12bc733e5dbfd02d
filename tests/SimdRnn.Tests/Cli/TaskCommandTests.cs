using System.Globalization;
using System.Text;
using System.Text.Json;
using SimdRnn.Cells;
using SimdRnn.Inference;
using SimdRnn.IO;
using SimdRnn.Model;
using SimdRnn.Tests.Data;
using Xunit;

namespace SimdRnn.Tests.Cli;

/// <summary>train, eval, predict, inspect, sample and --resume with the heads beyond last-step classification, through the CLI.</summary>
public sealed class TaskCommandTests
{
    // A series: y[t] = sin(t / 4); windows of 8 past values, the next value the target (regress).
    private static string Series(int count, int offset)
    {
        var text = new StringBuilder("target");
        for (int t = 0; t < 8; t++) text.Append(CultureInfo.InvariantCulture, $",x{t}");
        text.Append('\n');
        for (int n = 0; n < count; n++)
        {
            double Value(int t) => Math.Sin((n + offset + t) / 4.0);
            text.Append(Value(8).ToString("R", CultureInfo.InvariantCulture));
            for (int t = 0; t < 8; t++) text.Append(',').Append(Value(t).ToString("R", CultureInfo.InvariantCulture));
            text.Append('\n');
        }

        return text.ToString();
    }

    [Fact]
    public void Regress_TrainsEvaluatesPredictsAndResumes()
    {
        using var directory = new TempDirectory();
        string train = directory.Write("train.csv", Encoding.UTF8.GetBytes(Series(300, 0)));
        string test = directory.Write("test.csv", Encoding.UTF8.GetBytes(Series(60, 1000)));
        string model = Path.Combine(directory.Path, "model.safetensors");

        var run = CliHarness.Run(CellCatalog.BuiltIn, "train", "--data-format", "csv", "--task", "regress", "--train", train, "--test", test,
            "--steps", "8", "--inputs", "1", "--hidden", "12", "--epochs", "6", "--batch", "16", "--lr", "0.01", "--threads", "1", "--json", "--save", model);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("300 training and 60 test sequences of 8 x 1, 1 target", run.Error);
        using var summary = JsonDocument.Parse(run.Out.Trim().Split('\n')[^1]);
        double rmse = summary.RootElement.GetProperty("test_rmse").GetDouble();
        Assert.True(rmse < 0.2, $"test RMSE {rmse} on a sine wave (its amplitude is 1)");
        Assert.False(summary.RootElement.TryGetProperty("test_accuracy", out _));
        Assert.True(summary.RootElement.TryGetProperty("test_mae", out _));

        var eval = CliHarness.Run(CellCatalog.BuiltIn, "eval", "--model", model, "--data-format", "csv", "--test", test, "--json");
        Assert.True(eval.ExitCode == 0, eval.Error);
        using var evaluation = JsonDocument.Parse(eval.Out);
        Assert.Equal(rmse, evaluation.RootElement.GetProperty("test_rmse").GetDouble(), 5);
        Assert.Equal("regress", evaluation.RootElement.GetProperty("head").GetString());

        string rows = directory.Write("rows.csv", "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7\n"u8.ToArray());
        var predict = CliHarness.Run(CellCatalog.BuiltIn, "predict", "--model", model, "--csv", rows);
        Assert.True(predict.ExitCode == 0, predict.Error);
        Assert.StartsWith($"{rows}[0]: ", predict.Out);

        var inspect = CliHarness.Run(CellCatalog.BuiltIn, "inspect", model);
        Assert.Contains("Head: regress (the last step)", inspect.Out);

        var resume = CliHarness.Run(CellCatalog.BuiltIn, "train", "--resume", model, "--epochs", "7", "--data-format", "csv", "--task", "regress",
            "--train", train, "--test", test, "--steps", "8", "--inputs", "1", "--threads", "1");
        Assert.True(resume.ExitCode == 0, resume.Error);
        Assert.Contains("at epoch 7", resume.Error);
    }

    [Fact]
    public void Resume_WithDataOfAnotherHead_IsOneLine()
    {
        using var directory = new TempDirectory();
        string train = directory.Write("train.csv", Encoding.UTF8.GetBytes(Series(40, 0)));
        string model = Path.Combine(directory.Path, "model.safetensors");
        Assert.Equal(0, CliHarness.Run(CellCatalog.BuiltIn, "train", "--data-format", "csv", "--task", "regress", "--train", train, "--test", train,
            "--steps", "8", "--inputs", "1", "--hidden", "4", "--epochs", "1", "--threads", "1", "--save", model).ExitCode);

        string classes = directory.Write("classes.csv", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 20).Select(i => $"{i % 2},1,2,3,4,5,6,7,8\n"))));
        var run = CliHarness.Run(CellCatalog.BuiltIn, "train", "--resume", model, "--epochs", "2", "--data-format", "csv", "--train", classes, "--test", classes,
            "--steps", "8", "--inputs", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("head; the training data has 8 steps of 1 inputs for a classify", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void Text_TrainsACharacterModel_ThatSamples_AndEvaluatesInBitsPerCharacter()
    {
        using var directory = new TempDirectory();
        var corpus = new StringBuilder();
        for (int i = 0; i < 300; i++) corpus.Append("the cat sat on the mat. ");
        string text = directory.Write("corpus.txt", Encoding.UTF8.GetBytes(corpus.ToString()));
        string model = Path.Combine(directory.Path, "lm.safetensors");

        var run = CliHarness.Run(CellCatalog.BuiltIn, "train", "--data-format", "text", "--train", text, "--steps", "24", "--hidden", "32",
            "--epochs", "8", "--batch", "16", "--lr", "0.01", "--threads", "1", "--json", "--save", model);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("a vocabulary of 12 characters", run.Error);
        using var summary = JsonDocument.Parse(run.Out.Trim().Split('\n')[^1]);
        double bits = summary.RootElement.GetProperty("test_bits_per_char").GetDouble();
        Assert.True(bits < 1.0, $"{bits} bits per character on a repeated sentence");

        var sample = CliHarness.Run(CellCatalog.BuiltIn, "sample", "--model", model, "--prime", "the cat ", "--length", "40", "--temperature", "0.5", "--seed", "4");
        Assert.True(sample.ExitCode == 0, sample.Error);
        Assert.StartsWith("the cat ", sample.Out);
        Assert.Equal(48, sample.Out.TrimEnd('\n').Length);
        Assert.Equal(sample.Out, CliHarness.Run(CellCatalog.BuiltIn, "sample", "--model", model, "--prime", "the cat ", "--length", "40", "--temperature", "0.5", "--seed", "4").Out);

        var eval = CliHarness.Run(CellCatalog.BuiltIn, "eval", "--model", model, "--data-format", "text", "--test", text);
        Assert.True(eval.ExitCode == 0, eval.Error);
        Assert.Contains("Test bits/char: ", eval.Out);
    }

    [Theory]
    [InlineData("sample --model {model} --temperature 0", "--temperature")]
    [InlineData("sample --length 5", "--model FILE is required")]
    [InlineData("train --data-format text", "--data-format text needs --train FILE")]
    [InlineData("train --data-format text --train a.txt --task tag", "--task needs --data-format csv")]
    [InlineData("train --data-format csv --train a.csv --test b.csv --steps 2 --inputs 1 --task regress --classes 3", "--classes is for --task classify or tag")]
    [InlineData("train --data-format csv --train a.csv --test b.csv --steps 2 --inputs 1 --task tag --targets 3", "--targets gives the numbers per prediction")]
    [InlineData("train --data-format csv --train a.csv --test b.csv --steps 2 --inputs 1 --id-column s", "--id-column needs --csv-layout long")]
    [InlineData("train --data-format csv --train a.csv --test b.csv --steps 2 --inputs 1 --task guess", "--task")]
    [InlineData("train --on-divergence maybe", "--on-divergence")]
    public void BadOptions_AreOneLineAndExitTwo(string args, string message)
    {
        var run = CliHarness.Run(CellCatalog.BuiltIn, args.Replace("{model}", "m.safetensors").Split(' '));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void Sweep_OverAClassifyingCsvTask_RecordsItsPoints()
    {
        using var directory = new TempDirectory();
        string data = directory.Write("tags.csv", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 40).Select(i => $"{i % 2},{(i + 1) % 2},{i % 2},{(i + 1) % 2}\n"))));
        string output = Path.Combine(directory.Path, "sweep");

        var run = CliHarness.Run(CellCatalog.BuiltIn, "sweep", "--cell", "gru", "--hidden", "4", "--epochs", "1", "--lr", "0.01", "--threads", "1",
            "--data-format", "csv", "--task", "tag", "--train", data, "--test", data, "--steps", "2", "--inputs", "1", "--out", output);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("40 training and 40 test sequences of 2 x 1, a class per step, 2 classes", run.Error);
        Assert.Single(File.ReadAllLines(Path.Combine(output, "results.jsonl")));
    }

    [Fact]
    public void Sweep_OfARegressionTask_IsRefusedInOneLine()
    {
        var run = CliHarness.Run(CellCatalog.BuiltIn, "sweep", "--out", Path.GetTempPath(), "--data-format", "csv", "--task", "regress",
            "--train", "a.csv", "--test", "b.csv", "--steps", "2", "--inputs", "1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("a sweep records and ranks test accuracy", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void Sample_OfAModelWithoutVocabulary_IsOneLine()
    {
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "m.safetensors");
        var shape = new NetworkShape(CellCatalog.Find(CellCatalog.BuiltIn, "gru")!, 3, 2, 4, 1, 3);
        using (var network = new Network<float>(shape)) ModelFile.Save(path, network);

        var run = CliHarness.Run(CellCatalog.BuiltIn, "sample", "--model", path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("expected a character model", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void InferenceSession_PerStepHead_PredictGivesEveryStep_AndStepAgrees()
    {
        var shape = new NetworkShape(CellCatalog.Find(CellCatalog.BuiltIn, "lstm")!, 5, 3, 7, 2, new Head(HeadKind.Tag, 4));
        using var network = new Network<float>(shape);
        Initializer.Initialize<float>(shape, network.Parameters, 3);
        network.ParametersChanged();
        using var model = InferenceModel.FromNetwork(network);
        using var session = new InferenceSession(model, maxBatch: 2);
        var random = new Random(2);
        var sequences = Enumerable.Range(0, 3 * 5 * 3).Select(_ => (float)random.NextDouble()).ToArray();

        var predicted = new float[3 * model.OutputsPerSequence];
        session.Predict(sequences, 3, predicted);

        Assert.Equal(5 * 4, model.OutputsPerSequence);
        var step = new float[4];
        for (int n = 0; n < 3; n++)
        {
            session.Reset();
            for (int t = 0; t < 5; t++)
            {
                session.Step(sequences.AsSpan((n * 5 + t) * 3, 3), step);
                for (int k = 0; k < 4; k++) Assert.Equal(predicted[(n * 5 + t) * 4 + k], step[k], 1e-5f);
                Assert.Equal(1f, step.Sum(), 1e-5f);
            }
        }
    }
}
