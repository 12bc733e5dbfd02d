using System.Text.Json;
using SimdRnn.Cli;
using Xunit;

namespace SimdRnn.Tests.Cli;

public sealed class JsonLinesTests
{
    [Fact]
    public void Epoch_HasTheDocumentedShape()
    {
        string json = JsonLines.Epoch(new EpochLine(1, 0.5, 12345.5, 4.25) { TestAccuracy = 0.9712, TestLoss = 0.25 });

        Assert.Equal("""{"epoch":1,"cost":0.5,"test_accuracy":0.9712,"test_loss":0.25,"samples_per_second":12345.5,"seconds":4.25}""", json);
    }

    [Fact]
    public void Epoch_OfARegression_HasRmseAndMae_NoAccuracy()
    {
        string json = JsonLines.Epoch(new EpochLine(3, 0.5, 100, 1) { TestRmse = 0.5, TestMae = 0.25, TestLoss = 0.25 });

        Assert.Equal("""{"epoch":3,"cost":0.5,"test_rmse":0.5,"test_mae":0.25,"test_loss":0.25,"samples_per_second":100,"seconds":1}""", json);
    }

    [Fact]
    public void Summary_StartsWithTheSummaryFlag()
    {
        string json = JsonLines.Summary(new SummaryLine(52.3) { TestAccuracy = 0.9876, TestLoss = 0.05 });

        Assert.Equal("""{"summary":true,"test_accuracy":0.9876,"test_loss":0.05,"train_seconds":52.3}""", json);
    }

    [Fact]
    public void Diverged_CarriesTheReason()
    {
        string json = JsonLines.Diverged(new DivergedLine("Training diverged: the loss became NaN in epoch 1."));

        using var document = JsonDocument.Parse(json);
        var names = document.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["summary", "diverged", "reason"], names);
        Assert.True(document.RootElement.GetProperty("diverged").GetBoolean());
        Assert.Equal("Training diverged: the loss became NaN in epoch 1.", document.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public void Lines_AreSingleLines_EvenForNonFiniteNumbers()
    {
        string json = JsonLines.Epoch(new EpochLine(2, double.NaN, double.PositiveInfinity, 1) { TestAccuracy = 0.1 });

        Assert.DoesNotContain('\n', json);
        Assert.Contains("\"cost\":\"NaN\"", json);
    }

    [Fact]
    public void Context_IsSourceGenerated()
    {
        Assert.NotNull(CliJsonContext.Default.EpochLine);
        Assert.Equal(JsonNamingPolicy.SnakeCaseLower, CliJsonContext.Default.Options.PropertyNamingPolicy);
    }
}
