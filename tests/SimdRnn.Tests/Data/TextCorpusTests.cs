using System.Text;
using SimdRnn.Data;
using SimdRnn.Model;
using Xunit;

namespace SimdRnn.Tests.Data;

public sealed class TextCorpusTests
{
    [Fact]
    public void Windows_ReadCharactersAsOneHotSteps_LabelledWithTheNextCharacter()
    {
        var text = TextCorpus.Runes("abcabca");
        var vocabulary = Vocabulary.Of(text);

        var data = TextCorpus.Windows(text, vocabulary, steps: 3, "t");

        Assert.Equal(4, vocabulary.Count);   // U+FFFD, a, b, c
        Assert.Equal((2, 3, 4), (data.Count, data.Steps, data.Inputs));
        Assert.Equal(new Head(HeadKind.Tag, 4), data.Head);
        Assert.Equal([0f, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], data.SequenceArray(0));   // a b c
        Assert.Equal([2, 3, 1], data.LabelsOf(1).ToArray());                         // "abc" at 3..5, then b c a
    }

    [Fact]
    public void UnknownCharacters_ReadAsTheReplacementCharacter()
    {
        var vocabulary = Vocabulary.Of(TextCorpus.Runes("ab"));

        Assert.Equal([1, 0, 2], vocabulary.Encode("a€b"));
    }

    [Fact]
    public void Vocabulary_RoundTripsThroughItsText_AndRefusesBadOnes()
    {
        var vocabulary = Vocabulary.Of(TextCorpus.Runes("héllo wörld 🙂"));

        var again = Vocabulary.FromText(vocabulary.Text);

        Assert.Equal(vocabulary.Text, again.Text);
        Assert.Equal(vocabulary.IndexOf(new Rune(0x1F642)), again.IndexOf(new Rune(0x1F642)));
        Assert.Throws<FormatException>(() => Vocabulary.FromText("ab"));
        Assert.Throws<FormatException>(() => Vocabulary.FromText("\uFFFDba"));
        Assert.Throws<FormatException>(() => Vocabulary.FromText("\uFFFD"));
    }

    [Fact]
    public void Read_InvalidUtf8_IsOneLineNamingTheByte()
    {
        string path = Path.Combine(Path.GetTempPath(), $"simdrnn-text-{Guid.NewGuid():N}.txt");
        File.WriteAllBytes(path, [(byte)'a', (byte)'b', 0xC3, (byte)'x']);
        try
        {
            var error = Assert.Throws<DataFormatException>(() => TextCorpus.Read(path));
            Assert.Equal($"{path}: expected UTF-8 text, found an invalid byte sequence at byte 2 (0xC3)", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Windows_TooShort_SaysHowManyCharactersAreNeeded()
    {
        var text = TextCorpus.Runes("abc");
        var error = Assert.Throws<DataFormatException>(() => TextCorpus.Windows(text, Vocabulary.Of(text), 5, "t"));
        Assert.Equal("t: expected at least 6 characters for one window of --steps 5, found 3", error.Message);
    }
}
