using System.Diagnostics;
using System.Globalization;
using SimdRnn.Training;

namespace SimdRnn.Cli;

/// <summary>
/// The sweep's progress on stderr: a line per epoch (<c>Point 3/18 lstm lr 0.01 ... epoch 2/3: cost ...,
/// accuracy ...; sweep ETA 12:34</c>) and, on a terminal, a line redrawn in place during the epoch with the
/// figures first, so that a narrow terminal cuts the point's options rather than the ETA.
/// The ETA divides the work left by the rate so far, with work counted as samples times a cell's
/// multiply-adds per step, so a point with 256 hidden units weighs about four times one with 128.
/// It assumes every point trains to the last epoch: diverged points make it an overestimate.
/// </summary>
public sealed class SweepProgress(TextWriter writer, bool terminal, int maxWidth, double totalWork)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Stopwatch sinceDraw = new();
    private double finishedWork, unstartedWork = totalWork, pointWork, pointWorkDone;
    private int drawnLength;
    private string head = "", label = "";

    /// <summary>Work of one point: its epochs over the training set and evaluations of the test set (a forward pass, a third of a training step).</summary>
    public static double Work(SweepPoint point, int gates, int epochs, int trainCount, int testCount) =>
        (double)gates * point.Hidden * (point.Hidden + 28) * point.Layers * epochs * (trainCount + testCount / 3.0);

    /// <summary>Starts point <paramref name="number"/> of <paramref name="count"/> (both within the shard).</summary>
    public void StartPoint(int number, int count, SweepPoint point, double work)
    {
        head = string.Create(CultureInfo.InvariantCulture, $"Point {number}/{count}");
        label = point.Label;
        unstartedWork -= work;
        pointWork = work;
        pointWorkDone = 0;
    }

    /// <summary>Redraws the live line within an epoch, on a terminal only.</summary>
    public void Report(int epoch, int epochs, EpochProgress progress)
    {
        if (!terminal) return;
        bool last = progress.Samples >= progress.TotalSamples;
        if (sinceDraw.IsRunning && sinceDraw.Elapsed < Interval && !last) return;

        double fraction = progress.TotalSamples <= 0 ? 0 : Math.Clamp((double)progress.Samples / progress.TotalSamples, 0, 1);
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{head} epoch {epoch}/{epochs} {(int)(fraction * 100),3}% cost {progress.AverageCost:F4}, sweep ETA {Eta(pointWork * (epoch - 1 + fraction) / epochs)}: {label}");
        if (line.Length > maxWidth) line = line[..maxWidth];
        writer.Write('\r' + line.PadRight(drawnLength));
        writer.Flush();
        drawnLength = line.Length;
        sinceDraw.Restart();
    }

    /// <summary>Prints the line of an epoch that was trained and evaluated.</summary>
    public void EpochDone(int epoch, int epochs, EpochResult result, double accuracy)
    {
        pointWorkDone = pointWork * epoch / epochs;
        WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{head} {label} epoch {epoch}/{epochs}: cost {result.Cost:F4}, accuracy {accuracy:F4} ({result.SamplesPerSecond:N0} samples/s); sweep ETA {Eta(pointWorkDone)}"));
    }

    /// <summary>Ends the point; what a diverged point did not train drops out of the work left.</summary>
    public void PointDone()
    {
        finishedWork += pointWorkDone;
        pointWork = pointWorkDone = 0;
    }

    public void WriteLine(string line)
    {
        Clear();
        writer.WriteLine(line);
        writer.Flush();
    }

    /// <summary>Erases the live line, if any.</summary>
    public void Clear()
    {
        if (drawnLength == 0) return;
        writer.Write('\r' + new string(' ', Math.Max(drawnLength, maxWidth)) + '\r');
        writer.Flush();
        drawnLength = 0;
    }

    /// <summary>The time left at the rate so far, given how much of the current point is done.</summary>
    public string Eta(double currentPointDone)
    {
        double done = finishedWork + currentPointDone, left = unstartedWork + pointWork - currentPointDone;
        double seconds = clock.Elapsed.TotalSeconds;
        return done <= 0 || seconds <= 0 ? "?" : ProgressBar.Duration(left * seconds / done);
    }
}
