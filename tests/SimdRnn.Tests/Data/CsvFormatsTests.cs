using SimdRnn.Data;
using SimdRnn.Model;
using Xunit;

namespace SimdRnn.Tests.Data;

/// <summary>Every task in the wide form (a row per sequence) and the long form (a row per step under a header).</summary>
public sealed class CsvFormatsTests
{
    private static SequenceDataset Read(string text, CsvFormat format) => CsvDataset.Read(new StringReader(text), "data.csv", format);

    private static string Error(string text, CsvFormat format) => Assert.Throws<DataFormatException>(() => Read(text, format)).Message;

    [Fact]
    public void Wide_Tag_HasALabelPerStepFirst()
    {
        var data = Read("0,1,2, 0.5,0.25,1\n2,2,0, 1,2,3\n", new CsvFormat { Task = HeadKind.Tag, Steps = 3, Inputs = 1 });

        Assert.Equal(new Head(HeadKind.Tag, 3), data.Head);
        Assert.Equal([2, 2, 0], data.LabelsOf(1).ToArray());
        Assert.Equal([0.5f, 0.25f, 1f], data.SequenceArray(0));
    }

    [Fact]
    public void Wide_Regress_HasKTargetsFirst_AndAHeaderIsSkipped()
    {
        var data = Read("y1,y2,x1,x2\n1.5,-2,0.1,0.2\n3,4,5,6\n", new CsvFormat { Task = HeadKind.Regress, Steps = 2, Inputs = 1, Targets = 2 });

        Assert.Equal(2, data.Count);
        Assert.Equal(new Head(HeadKind.Regress, 2), data.Head);
        Assert.Equal([1.5f, -2f], data.TargetsOf(0).ToArray());
        Assert.Equal([5f, 6f], data.SequenceArray(1));
    }

    [Fact]
    public void Wide_RegressSteps_HasTxKTargetsFirst()
    {
        var data = Read("1,2,3, 10,20,30\n", new CsvFormat { Task = HeadKind.RegressSteps, Steps = 3, Inputs = 1 });

        Assert.Equal([1f, 2f, 3f], data.TargetsOf(0).ToArray());
        Assert.Equal([10f, 20f, 30f], data.SequenceArray(0));
    }

    [Theory]
    [InlineData("1,2,3\n", "line 1: expected 6 fields (3 labels (one per step), then 3 steps x 1 inputs), found 3")]
    [InlineData("0,1,x,1,2,3\n", "line 1, column 3: expected a label that is a non-negative integer, found 'x'")]
    public void Wide_Tag_BadRows(string text, string detail) =>
        Assert.Equal($"data.csv: {detail}", Error(text, new CsvFormat { Task = HeadKind.Tag, Steps = 3, Inputs = 1 }));

    [Fact]
    public void Long_Classify_ReadsSequencesByTheirId_WithTheLabelRepeated()
    {
        const string text = "sequence,label,x,y\na,1,0.1,0.2\na,1,0.3,0.4\nb,0,1,2\nb,0,3,4\n";

        var data = Read(text, new CsvFormat { Layout = CsvLayout.Long });

        Assert.Equal((2, 2, 2), (data.Count, data.Steps, data.Inputs));
        Assert.Equal(new Head(HeadKind.Classify, 2), data.Head);
        Assert.Equal([1, 0], data.Labels.ToArray());
        Assert.Equal([0.1f, 0.2f, 0.3f, 0.4f], data.SequenceArray(0));
    }

    [Fact]
    public void Long_Tag_ColumnsByName_InAnyOrder()
    {
        const string text = "x,id,tag,ignored\n1,s1,0,9\n2,s1,1,9\n3,s1,2,9\n";

        var data = Read(text, new CsvFormat { Task = HeadKind.Tag, Layout = CsvLayout.Long, IdColumn = "id", TargetColumns = ["tag"], InputColumns = ["x"] });

        Assert.Equal((1, 3, 1), (data.Count, data.Steps, data.Inputs));
        Assert.Equal([0, 1, 2], data.LabelsOf(0).ToArray());
        Assert.Equal([1f, 2f, 3f], data.SequenceArray(0));
    }

    [Fact]
    public void Long_RegressSteps_SeveralTargetColumns()
    {
        const string text = "sequence,a,b,x\n7,1,2,0\n7,3,4,1\n";

        var data = Read(text, new CsvFormat { Task = HeadKind.RegressSteps, Layout = CsvLayout.Long, TargetColumns = ["a", "b"], Targets = 2 });

        Assert.Equal(new Head(HeadKind.RegressSteps, 2), data.Head);
        Assert.Equal([1f, 2f, 3f, 4f], data.TargetsOf(0).ToArray());
    }

    [Theory]
    [InlineData("sequence,label,x\na,0,1\nb,1,2\na,0,3\n", "line 4: column 1 ('sequence'): sequence 'a' appears again after other sequences; the rows of a sequence must be consecutive")]
    [InlineData("sequence,label,x\na,0,1\na,1,2\n", "line 3: sequence 'a': its target differs from the one on its first row (line 2); a classify target belongs to the whole sequence")]
    [InlineData("seq,label,x\na,0,1\n", "line 1: expected a column named 'sequence' (--id-column), found columns seq, label, x")]
    [InlineData("sequence,label,x\na,0\n", "line 2: expected 3 fields (the header's columns), found 2")]
    [InlineData("sequence,label,x,x\na,0,1,1\n", "line 1: column 4: the column name 'x' appears twice (columns 3 and 4)")]
    [InlineData("sequence,label,x\n,0,1\n", "line 2: column 1 ('sequence'): expected a sequence id, found an empty field")]
    [InlineData("sequence,label,x\na,0,oops\n", "line 2, column 3: expected a number, found 'oops'")]
    [InlineData("sequence,label,x\n", "expected rows after the header, found none")]
    [InlineData("", "expected a header row naming the columns (long layout), found an empty file")]
    public void Long_BadFiles_AreOneLineNamingTheLine(string text, string detail) =>
        Assert.Equal($"data.csv: {detail}", Error(text, new CsvFormat { Layout = CsvLayout.Long }));

    [Fact]
    public void Long_SequencesOfDifferentLengths_ArePaddedToTheLongest_WithTheirLengths()
    {
        var data = Read("sequence,label,x\na,0,1\na,1,2\na,0,3\nb,1,4\n", new CsvFormat { Task = HeadKind.Tag, Layout = CsvLayout.Long });

        Assert.Equal((2, 3), (data.Count, data.Steps));
        Assert.Equal([3, 1], data.Lengths.ToArray());
        Assert.Equal([4f, 0f, 0f], data.SequenceArray(1));
        Assert.Equal([1, 0, 0], data.LabelsOf(1).ToArray());
        Assert.Equal([0, 1, 0], data.LabelsOf(0).ToArray());
    }

    [Fact]
    public void Long_ASequenceLongerThanSteps_IsOneLine()
    {
        Assert.Contains("line 4: sequence 'a' has more than 2 rows, the most a sequence may have",
            Error("sequence,label,x\na,0,1\na,0,2\na,0,3\n", new CsvFormat { Layout = CsvLayout.Long, Steps = 2 }));
    }

    [Fact]
    public void InputsOnly_ReadsRowsOfValuesToPredict()
    {
        var data = Read("1,2,3,4\n5,6,7,8\n", new CsvFormat { Task = HeadKind.Regress, Steps = 2, Inputs = 2, InputsOnly = true });

        Assert.Equal(2, data.Count);
        Assert.Equal([5f, 6f, 7f, 8f], data.SequenceArray(1));
    }
}
