using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SimdRnn.Cli;
using Xunit;

namespace SimdRnn.Tests.Sweep;

/// <summary>The grid of a sweep: its size, its documented order, its keys and its shards.</summary>
public sealed class SweepGridTests
{
    private static SweepGrid Grid(int cells = 2, int rates = 3, int batches = 1, int hiddens = 2, int layers = 1, int seeds = 1) => new(
        Enumerable.Range(0, cells).Select(i => "cell" + i).ToList(),
        Enumerable.Range(0, rates).Select(i => MathF.Pow(10, -1 - i)).ToList(),
        Enumerable.Range(1, batches).Select(i => 32 * i).ToList(),
        Enumerable.Range(1, hiddens).Select(i => 64 * i).ToList(),
        Enumerable.Range(1, layers).ToList(),
        Enumerable.Range(1, seeds).ToList(),
        [30, 100, 50],
        10_000);

    [Fact]
    public void Points_AreTheProductInNestedLoopOrder_SeedFastest()
    {
        var grid = new SweepGrid(["rnn", "lstm"], [0.1f, 0.01f], [64], [128, 256], [1], [1, 2], [3], null);

        var points = grid.Points();

        Assert.Equal(2 * 2 * 1 * 2 * 1 * 2, points.Count);
        Assert.Equal(new SweepPoint("rnn", 0.1f, 64, 128, 1, 1, null), points[0]);
        Assert.Equal(new SweepPoint("rnn", 0.1f, 64, 128, 1, 2, null), points[1]);
        Assert.Equal(new SweepPoint("rnn", 0.1f, 64, 256, 1, 1, null), points[2]);
        Assert.Equal(new SweepPoint("rnn", 0.01f, 64, 128, 1, 1, null), points[4]);
        Assert.Equal(new SweepPoint("lstm", 0.1f, 64, 128, 1, 1, null), points[8]);
        Assert.Equal(new SweepPoint("lstm", 0.01f, 64, 256, 1, 2, null), points[^1]);
    }

    [Fact]
    public void Epochs_AreCheckpointsOfOneRun_NotPoints()
    {
        var grid = Grid();

        Assert.Equal(2 * 3 * 2, grid.Points().Count);
        Assert.Equal([30, 50, 100], grid.Checkpoints);
        Assert.Equal(100, grid.MaxEpochs);
    }

    [Fact]
    public void Key_NamesEveryOptionThatDeterminesTheResult()
    {
        var point = new SweepPoint("lstm", 0.001f, 128, 256, 2, -3, 10_000);

        Assert.Equal("cell=lstm lr=0.001 batch=128 hidden=256 layers=2 seed=-3 limit=10000 epochs=30", point.Key(30));
        Assert.Equal("cell=lstm lr=0.1 batch=128 hidden=256 layers=2 seed=-3 limit=all epochs=5", (point with { LearningRate = 0.1f, Limit = null }).Key(5));
    }

    [Fact]
    public void Shard_OfOne_IsTheWholeGridInOrder()
    {
        var grid = Grid();

        Assert.Equal(grid.Points(), grid.Points(Shard.All).Select(p => p.Point));
        Assert.Equal(Enumerable.Range(0, grid.Points().Count), grid.Points(Shard.All).Select(p => p.Index));
    }

    [Fact]
    public void Shard_TakesEveryNthPointFromItsIndex()
    {
        var points = Grid().Points(new Shard(1, 5));

        Assert.Equal([1, 6, 11], points.Select(p => p.Index));
    }

    [Property(MaxTest = 200, Replay = "(20261127,4243)")]
    public void Shards_PartitionTheGrid(PositiveInt shardCount, PositiveInt cells, PositiveInt rates, PositiveInt hiddens, PositiveInt seeds)
    {
        int n = 1 + shardCount.Get % 12;
        var grid = Grid(1 + cells.Get % 3, 1 + rates.Get % 4, 2, 1 + hiddens.Get % 3, 1, 1 + seeds.Get % 3);
        var all = grid.Points();

        var shards = Enumerable.Range(0, n).Select(i => grid.Points(new Shard(i, n))).ToList();

        var indices = shards.SelectMany(s => s.Select(p => p.Index)).ToList();
        Assert.Equal(all.Count, indices.Count);
        Assert.Equal(Enumerable.Range(0, all.Count), indices.Order());
        Assert.All(shards.SelectMany(s => s), p => Assert.Equal(all[p.Index], p.Point));
        Assert.All(shards, s => Assert.InRange(s.Count, all.Count / n, (all.Count + n - 1) / n));
    }

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("2/3", 2, 3)]
    [InlineData("15/16", 15, 16)]
    public void Shard_ParsesIndexOverCount(string raw, int index, int count)
    {
        Assert.Equal(new Shard(index, count), Shard.Parse(raw));
    }

    [Theory]
    [InlineData("3/2")]
    [InlineData("2/2")]
    [InlineData("1/0")]
    [InlineData("-1/2")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("1/2/3")]
    [InlineData("")]
    public void Shard_RejectsAnythingButIndexBelowCount(string raw)
    {
        var error = Assert.Throws<UsageException>(() => Shard.Parse(raw));
        Assert.StartsWith("--shard must be", error.Message);
    }
}
