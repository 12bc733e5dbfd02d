using System.Globalization;
using System.Text;

namespace SimdRnn.Cli;

/// <summary>
/// One <c>--name</c> option of a command. A flag (<see cref="ValueName"/> null) takes no value; any other
/// option takes exactly one, as <c>--name value</c> or <c>--name=value</c>.
/// </summary>
public sealed record OptionSpec(string Name, string? ValueName, string Description, string? Default = null)
{
    public bool IsFlag => ValueName is null;
}

/// <summary>The options and positional arguments of one command, as given; values are checked by the typed getters.</summary>
public sealed class ParsedArguments
{
    private readonly Dictionary<string, string> values;

    internal ParsedArguments(Dictionary<string, string> values, IReadOnlyList<string> positionals, bool help)
    {
        this.values = values;
        Positionals = positionals;
        Help = help;
    }

    public IReadOnlyList<string> Positionals { get; }

    /// <summary>True when <c>--help</c> or <c>-h</c> was given anywhere.</summary>
    public bool Help { get; }

    public bool Has(string name) => values.ContainsKey(name);

    public string? Raw(string name) => values.GetValueOrDefault(name);

    /// <summary>The value of an option <paramref name="command"/> cannot run without (a file), or the one-line usage error.</summary>
    public string Required(string name, string command) =>
        values.GetValueOrDefault(name) ?? throw new UsageException($"--{name} FILE is required; run 'simdrnn {command} --help' for usage");

    public string String(string name, string fallback) => values.GetValueOrDefault(name) ?? fallback;

    /// <summary>An integer above zero.</summary>
    public int PositiveInt(string name, int fallback)
    {
        if (!values.TryGetValue(name, out var raw)) return fallback;
        if (!TryParseInt(raw, out int value) || value < 1) throw Expected(name, "a positive integer", raw);
        return value;
    }

    /// <summary>Any integer.</summary>
    public int Int(string name, int fallback)
    {
        if (!values.TryGetValue(name, out var raw)) return fallback;
        if (!TryParseInt(raw, out int value)) throw Expected(name, "an integer", raw);
        return value;
    }

    /// <summary>A finite number above zero.</summary>
    public float PositiveNumber(string name, float fallback)
    {
        if (!values.TryGetValue(name, out var raw)) return fallback;
        if (!TryParseFloat(raw, out float value) || value <= 0) throw Expected(name, "a positive finite number", raw);
        return value;
    }

    /// <summary>A finite number, zero or above.</summary>
    public float NonNegativeNumber(string name, float fallback)
    {
        if (!values.TryGetValue(name, out var raw)) return fallback;
        if (!TryParseFloat(raw, out float value) || value < 0) throw Expected(name, "a finite number, 0 or more", raw);
        return value;
    }

    /// <summary>One of <paramref name="choices"/>, compared without regard to case.</summary>
    public T Choice<T>(string name, T fallback, IReadOnlyList<(string Name, T Value)> choices)
    {
        if (!values.TryGetValue(name, out var raw)) return fallback;
        foreach (var (choice, value) in choices)
        {
            if (string.Equals(choice, raw, StringComparison.OrdinalIgnoreCase)) return value;
        }

        throw Expected(name, "one of " + string.Join(", ", choices.Select(c => c.Name)), raw);
    }

    public static UsageException Expected(string name, string what, string raw) =>
        new($"--{name} must be {what}, got '{raw}'");

    private static bool TryParseInt(string raw, out int value) =>
        int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    // float.Parse turns overflow into infinity and accepts "NaN": both are rejected as not finite.
    private static bool TryParseFloat(string raw, out float value) =>
        float.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);
}

/// <summary>
/// A small AOT-safe parser for <c>simdrnn COMMAND [--name value] [--flag]</c>: no reflection, errors as
/// <see cref="UsageException"/> with one line naming the option. A token starting with <c>--</c> is never
/// taken as a value, so <c>--lr --epochs 3</c> reports the missing value of <c>--lr</c>, while
/// <c>--hidden -1</c> reaches the range check.
/// </summary>
public static class CommandLineParser
{
    public static ParsedArguments Parse(string command, IReadOnlyList<string> args, IReadOnlyList<OptionSpec> options, int maxPositionals = 0)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var positionals = new List<string>();
        bool help = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "--help" or "-h")
            {
                help = true;
                continue;
            }

            if (!arg.StartsWith('-') || arg == "-" || IsNegativeNumber(arg))
            {
                if (positionals.Count >= maxPositionals)
                {
                    throw new UsageException($"unexpected argument '{arg}' for '{command}'; run 'simdrnn {command} --help' for usage");
                }

                positionals.Add(arg);
                continue;
            }

            string name = arg.TrimStart('-');
            string? inline = null;
            int equals = name.IndexOf('=');
            if (equals >= 0)
            {
                inline = name[(equals + 1)..];
                name = name[..equals];
            }

            var spec = options.FirstOrDefault(o => o.Name == name);
            if (spec is null || !arg.StartsWith("--", StringComparison.Ordinal))
            {
                string shown = equals >= 0 ? arg[..arg.IndexOf('=')] : arg;
                throw new UsageException($"unknown option '{shown}' for '{command}'; run 'simdrnn {command} --help' for usage");
            }

            if (spec.IsFlag)
            {
                if (inline is not null) throw new UsageException($"--{name} takes no value, got '{inline}'");
                values[name] = "true";
                continue;
            }

            if (inline is null)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new UsageException($"--{name} needs a value ({spec.ValueName})");
                }

                inline = args[++i];
            }

            values[name] = inline;
        }

        return new ParsedArguments(values, positionals, help);
    }

    /// <summary>The usage text of a command: a synopsis, a description and the options in aligned columns.</summary>
    public static string Usage(string synopsis, string description, IReadOnlyList<OptionSpec> options)
    {
        var text = new StringBuilder();
        text.Append("Usage: ").AppendLine(synopsis).AppendLine().AppendLine(description);
        if (options.Count == 0) return text.ToString();

        var left = options.Select(o => o.IsFlag ? $"--{o.Name}" : $"--{o.Name} {o.ValueName}").ToArray();
        int width = Math.Max(left.Max(l => l.Length), "-h, --help".Length);
        text.AppendLine().AppendLine("Options:");
        for (int i = 0; i < options.Count; i++)
        {
            text.Append("  ").Append(left[i].PadRight(width)).Append("  ").Append(options[i].Description);
            if (options[i].Default is { } fallback) text.Append(" (default: ").Append(fallback).Append(')');
            text.AppendLine();
        }

        text.Append("  ").Append("-h, --help".PadRight(width)).AppendLine("  Show this help");
        return text.ToString();
    }

    private static bool IsNegativeNumber(string arg) =>
        arg.Length > 1 && arg[0] == '-' && (char.IsAsciiDigit(arg[1]) || arg[1] == '.');
}
