using System.Text.Json;
using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.Tests.Cli;
using Xunit;

namespace SimdRnn.Tests.Data;

public sealed class CsvDatasetTests
{
    [Fact]
    public void Load_ReadsLabelThenStepsOfInputs()
    {
        using var directory = new TempDirectory();
        string path = directory.Write("train.csv", "1, 0.5,1,2, 3,4,5e-1\n\n0,-1,-2,-3,-4,-5,-6\r\n2,6,7,8,9,10,11\n"u8.ToArray());

        var data = CsvDataset.Load(path, steps: 2, inputs: 3);

        Assert.Equal((3, 2, 3, 3), (data.Count, data.Steps, data.Inputs, data.Head.Outputs));
        Assert.Equal([1, 0, 2], data.Labels.ToArray());
        Assert.Equal([0.5f, 1, 2, 3, 4, 0.5f], data.SequenceArray(0));
        Assert.Equal([-1f, -2, -3, -4, -5, -6], data.SequenceArray(1));
    }

    [Fact]
    public void Load_ShorterRows_AreShorterSequences()
    {
        using var directory = new TempDirectory();
        string path = directory.Write("train.csv", "0,1,2,3,4,5,6\n1,7,8\n0,9,10,11,12\n"u8.ToArray());
        var data = CsvDataset.Load(path, steps: 3, inputs: 2);
        Assert.Equal([3, 1, 2], data.Lengths.ToArray());
        var second = new float[6];
        data.CopySequence(1, second);
        Assert.Equal([7f, 8f, 0f, 0f, 0f, 0f], second);
    }

    [Fact]
    public void Load_WholeRows_HaveEveryLengthT()
    {
        using var directory = new TempDirectory();
        string path = directory.Write("train.csv", "0,1,2\n1,3,4\n"u8.ToArray());
        Assert.False(CsvDataset.Load(path, steps: 2, inputs: 1).HasVariableLengths);
    }

    [Fact]
    public void Load_ClassesGiven_AreKept()
    {
        using var directory = new TempDirectory();
        string path = directory.Write("train.csv", "0,1\n1,2\n"u8.ToArray());
        Assert.Equal(5, CsvDataset.Load(path, 1, 1, classes: 5).Head.Outputs);
    }

    [Theory]
    [InlineData("0,1,2,3\n1\n", "line 2: expected 4 fields (a label, then 3 steps x 1 inputs, or fewer whole steps of 1), found 1")]
    [InlineData("0,1,2,3\n1,1,2,3,4\n", "line 2: expected 4 fields (a label, then 3 steps x 1 inputs, or fewer whole steps of 1), found 5")]
    [InlineData("0,1,2,3\n1,1,x,3\n", "line 2, column 3: expected a number, found 'x'")]
    [InlineData("0,1,2,3\n1,1,,3\n", "line 2, column 3: expected a number, found an empty field")]
    [InlineData("0,1,2,3\n1,1,2,NaN\n", "line 2, column 4: expected a finite number, found 'NaN'")]
    [InlineData("0,1,2,3\n1,1,2,Infinity\n", "line 2, column 4: expected a finite number, found 'Infinity'")]
    [InlineData("0,1,2,3\n1,1,2,1e39\n", "line 2, column 4: expected a finite number, found '1e39'")]
    [InlineData("0,1,2,3\n-1,1,2,3\n", "line 2, column 1: expected a label that is a non-negative integer, found '-1'")]
    [InlineData("0,1,2,3\n1.5,1,2,3\n", "line 2, column 1: expected a label that is a non-negative integer, found '1.5'")]
    [InlineData("label,a,b,c\nx,1,2,3\n", "line 2, column 1: expected a label that is a non-negative integer, found 'x'")]
    [InlineData("label,a,b\n1,1,2,3\n", "line 1: expected a header of 4 column names (a label, then 3 steps x 1 inputs), found 3")]
    [InlineData("", "expected rows of a label and 3 steps x 1 inputs, found an empty file")]
    [InlineData("\n  \n", "expected rows of a label and 3 steps x 1 inputs, found no data rows")]
    [InlineData("0,1,2,3\n0,4,5,6\n", "expected labels of at least 2 classes, found only label 0 (give the class count with --classes)")]
    public void Load_BadFile_IsOneLineNamingFileLineAndColumn(string text, string detail)
    {
        using var directory = new TempDirectory();
        string path = directory.Write("bad.csv", System.Text.Encoding.UTF8.GetBytes(text));

        var error = Assert.Throws<DataFormatException>(() => CsvDataset.Load(path, steps: 3, inputs: 1));

        Assert.Equal($"{path}: {detail}", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Load_LabelNotBelowTheClassCount_IsAnError()
    {
        using var directory = new TempDirectory();
        string path = directory.Write("test.csv", "0,1\n3,2\n"u8.ToArray());
        var error = Assert.Throws<DataFormatException>(() => CsvDataset.Load(path, 1, 1, classes: 3));
        Assert.Equal($"{path}: line 2, column 1: expected a label below 3 (the class count), found 3", error.Message);
    }

    [Fact]
    public void FromSpans_AndFromASource_CopyTheSequences()
    {
        float[] values = [1, 2, 3, 4, 5, 6, 7, 8];
        int[] labels = [0, 2];
        var fromSpans = SequenceSources.FromSpans(values, labels, steps: 2, inputs: 2);
        values[0] = 99;
        Assert.Equal(3, fromSpans.Head.Outputs);
        Assert.Equal([1f, 2, 3, 4], fromSpans.SequenceArray(0));

        var fromSource = SequenceSources.ToDataset(new Ramp());
        Assert.Equal((4, 3, 2, 2), (fromSource.Count, fromSource.Steps, fromSource.Inputs, fromSource.Head.Outputs));
        Assert.Equal([30f, 31, 32, 33, 34, 35], fromSource.SequenceArray(3));
        Assert.Equal(1, fromSource.Label(3));

        Assert.Throws<ArgumentException>(() => SequenceSources.FromSpans(values.AsSpan(1), labels, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SequenceSources.FromSpans(values, [0, 5], 2, 2, classes: 3));
    }

    [Fact]
    public void TrainCommand_CsvFiles_TrainAndEvaluate()
    {
        using var directory = new TempDirectory();
        string train = directory.Write("train.csv", Synthetic(400, seed: 1));
        string test = directory.Write("test.csv", Synthetic(100, seed: 2));

        var run = CliHarness.Run(CellCatalog.BuiltIn, "train", "--data-format", "csv", "--train", train, "--test", test,
            "--steps", "6", "--inputs", "2", "--hidden", "16", "--epochs", "3", "--batch", "20", "--lr", "0.02", "--threads", "1", "--json");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("400 training and 100 test sequences of 6 x 2, 2 classes", run.Error);
        double accuracy = JsonDocument.Parse(run.Out.Trim().Split('\n')[^1]).RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy > 0.8, $"test accuracy {accuracy} on an easy problem");
    }

    [Fact]
    public void TrainCommand_RaggedCsv_IsADataErrorNamingTheLine()
    {
        using var directory = new TempDirectory();
        string train = directory.Write("train.csv", "0,1,2,3,4\n1,3,4,5\n"u8.ToArray());

        var run = CliHarness.Run(CellCatalog.BuiltIn, "train", "--data-format", "csv", "--train", train, "--test", train, "--steps", "2", "--inputs", "2");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{train}: line 2: expected 5 fields (a label, then 2 steps x 2 inputs, or fewer whole steps of 2), found 4", run.Error);
    }

    [Theory]
    [InlineData("--data-format csv --train a.csv --test b.csv --steps 2", "--data-format csv needs --inputs")]
    [InlineData("--train a.csv", "--train needs --data-format csv")]
    [InlineData("--data-format xml", "--data-format")]
    public void TrainCommand_CsvOptions_AreChecked(string args, string message)
    {
        var run = CliHarness.Run(CellCatalog.BuiltIn, ["train", .. args.Split(' ')]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error);
    }

    // Label 1 when the first input's mean is positive: learnable in a few epochs.
    private static byte[] Synthetic(int count, int seed)
    {
        var random = new Random(seed);
        var text = new System.Text.StringBuilder();
        for (int n = 0; n < count; n++)
        {
            int label = random.Next(2);
            text.Append(label);
            for (int t = 0; t < 6; t++)
            {
                double signal = (label == 1 ? 0.5 : -0.5) + (random.NextDouble() - 0.5) * 0.6;
                text.Append(System.FormattableString.Invariant($",{signal:F4},{random.NextDouble():F4}"));
            }

            text.Append('\n');
        }

        return System.Text.Encoding.UTF8.GetBytes(text.ToString());
    }

    private sealed class Ramp : ISequenceSource
    {
        public int Count => 4;

        public int Steps => 3;

        public int Inputs => 2;

        public int Classes => 2;

        public void CopySequence(int index, Span<float> destination)
        {
            for (int i = 0; i < destination.Length; i++) destination[i] = index * 10 + i;
        }

        public int Label(int index) => index % 2;
    }
}
