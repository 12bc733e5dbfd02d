using System.Diagnostics;
using System.Globalization;
using SimdRnn.Training;

namespace SimdRnn.Cli;

/// <summary>
/// The one-line progress bar of an epoch on a terminal's stderr, redrawn in place with <c>\r</c> at most
/// ten times a second and erased when the epoch ends, so the epoch lines on stdout stay clean.
/// </summary>
public sealed class ProgressBar(TextWriter writer, int epoch, int epochs, int maxWidth)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly Stopwatch sinceDraw = new();
    private int drawnLength;

    /// <summary>Draws <paramref name="progress"/> unless the last draw was under 100 ms ago; the final sample is always drawn.</summary>
    public void Report(EpochProgress progress)
    {
        bool last = progress.Samples >= progress.TotalSamples;
        if (sinceDraw.IsRunning && sinceDraw.Elapsed < Interval && !last) return;

        string line = Format(epoch, epochs, progress, maxWidth);
        writer.Write('\r' + line.PadRight(drawnLength));
        writer.Flush();
        drawnLength = line.Length;
        sinceDraw.Restart();
    }

    /// <summary>Erases the bar, and a <c>^C</c> the terminal may have echoed after it, leaving the cursor at the start of the line.</summary>
    public void Clear()
    {
        if (drawnLength == 0) return;
        writer.Write('\r' + new string(' ', Math.Max(drawnLength, maxWidth)) + '\r');
        writer.Flush();
        drawnLength = 0;
    }

    /// <summary>
    /// The bar's text, e.g. <c>Epoch 2/10 [#########---------]  50%  12,345 samples/s  cost 0.345123  ETA 0:05</c>,
    /// never longer than <paramref name="maxWidth"/> characters: the bar narrows first, then the tail is cut.
    /// </summary>
    public static string Format(int epoch, int epochs, EpochProgress progress, int maxWidth)
    {
        const int fullBar = 30, minimumBar = 10;
        double fraction = progress.TotalSamples <= 0 ? 0 : Math.Clamp((double)progress.Samples / progress.TotalSamples, 0, 1);
        double rate = progress.Seconds > 0 ? progress.Samples / progress.Seconds : 0;
        string eta = rate > 0 ? Duration((progress.TotalSamples - progress.Samples) / rate) : "?";
        string head = string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch}/{epochs} ");
        string tail = string.Create(CultureInfo.InvariantCulture,
            $" {(int)Math.Floor(fraction * 100),3}%  {rate:N0} samples/s  cost {progress.AverageCost:F6}  ETA {eta}");

        int barWidth = Math.Clamp(maxWidth - head.Length - tail.Length - 2, minimumBar, fullBar);
        int filled = (int)Math.Floor(fraction * barWidth);
        string line = head + "[" + new string('#', filled) + new string('-', barWidth - filled) + "]" + tail;
        return line.Length <= maxWidth ? line : line[..Math.Max(0, maxWidth)];
    }

    /// <summary><c>m:ss</c> under an hour, else <c>h:mm:ss</c>.</summary>
    public static string Duration(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0) return "?";
        if (seconds >= 100 * 3600) return ">99h";
        var time = TimeSpan.FromSeconds(Math.Round(seconds, MidpointRounding.AwayFromZero));
        return time.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours}:{time.Minutes:00}:{time.Seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{time.Minutes}:{time.Seconds:00}");
    }

    /// <summary>Columns the bar may use: the terminal's width less one, or 79 when it cannot be read.</summary>
    public static int TerminalWidth()
    {
        try
        {
            int width = Console.WindowWidth;
            return width > 20 ? width - 1 : 79;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return 79;
        }
    }
}
