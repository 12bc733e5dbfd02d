using System.Collections.Generic;
using System.Linq;
using SimdRnn.Generators.Model;

namespace SimdRnn.Generators.Expressions;

/// <summary>A write of a node's value to block <see cref="Index"/> of a buffer (<c>+=</c> when <see cref="Accumulate"/>).</summary>
internal readonly record struct Store(int Node, StepBuffer Buffer, int Index, bool Accumulate = false);

/// <summary>
/// Turns DAG nodes into the statements of a method's loop bodies: one, or two from the method's
/// <see cref="LoweredMethod.SecondPass"/> on. A node gets a local when it is named (a gate, a state, an adjoint), is a
/// load, or is used more than once; every other node is written inline where it is used. Locals are declared just
/// before their first use, so each block shows what it computes. In a second loop, a value the first one stored is
/// loaded back from where it was stored.
/// </summary>
internal sealed class KernelWriter
{
    private static readonly HashSet<string> Keywords =
    [
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue",
        "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally",
        "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock",
        "long", "namespace", "new", "null", "object", "operator", "out", "override", "params", "private", "protected",
        "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof", "stackalloc", "static", "string",
        "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked", "unsafe", "ushort",
        "using", "virtual", "void", "volatile", "while",
    ];

    private const string Unsafe = "global::System.Runtime.CompilerServices.Unsafe";

    private readonly IReadOnlyList<Node> dag;
    private readonly IReadOnlyList<LoweredBlock> blocks;
    private readonly Dictionary<int, string> preferredNames;
    private readonly Dictionary<int, string> locals = [];
    private readonly Dictionary<int, int> uses = [];
    private readonly HashSet<string> reserved = ["step", "rows", "row", "start", "end", "j", "H", "TLanes", "T"];
    private readonly HashSet<string> taken = [];
    private readonly Dictionary<int, Store> storedEarlier = [];   // in the second loop: what the first stored
    private readonly int secondPass;
    private List<string> lines = [];
    private int temporaries;

    public KernelWriter(LoweredMethod method)
    {
        dag = method.Nodes;
        blocks = method.Blocks;
        secondPass = method.SecondPass;
        preferredNames = method.LoadNames.ToDictionary(n => n.Node, n => n.Name);
        foreach (var block in blocks)
        {
            foreach (var (node, name) in block.Named)
            {
                if (!preferredNames.ContainsKey(node))
                {
                    preferredNames[node] = name;
                }
            }
        }

        foreach (var buffer in System.Enum.GetValues(typeof(StepBuffer)).Cast<StepBuffer>())
        {
            reserved.Add(BufferLocal(buffer));
            reserved.Add(RowsLocal(buffer));
        }
    }

    /// <summary>The local holding a buffer's base reference.</summary>
    public static string BufferLocal(StepBuffer buffer) => buffer switch
    {
        StepBuffer.Params => "parameters",
        _ => char.ToLowerInvariant(buffer.ToString()[0]) + buffer.ToString().Substring(1),
    };

    /// <summary>The local holding a buffer's first row, from which each row's base reference is found.</summary>
    public static string RowsLocal(StepBuffer buffer) => BufferLocal(buffer) + "Rows";

    /// <summary><c>Unsafe.Add(ref base, k * H + j)</c>: block <paramref name="index"/> of a buffer, element j.</summary>
    public static string Element(StepBuffer buffer, int index)
    {
        var offset = index switch
        {
            0 => "j",
            1 => "H + j",
            _ => $"{index} * H + j",
        };
        return $"{Unsafe}.Add(ref {BufferLocal(buffer)}, {offset})";
    }

    /// <summary>Writes the loop bodies and returns the lines of each.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Write()
    {
        CountUses();
        if (secondPass == 0)
        {
            return [WriteLoop(blocks)];
        }

        var first = WriteLoop(blocks.Take(secondPass));
        foreach (var store in blocks.Take(secondPass).SelectMany(b => b.Stores))
        {
            storedEarlier[store.Node] = store;
        }

        locals.Clear();
        return [first, WriteLoop(blocks.Skip(secondPass))];
    }

    private List<string> WriteLoop(IEnumerable<LoweredBlock> loopBlocks)
    {
        lines = [];
        taken.Clear();
        taken.UnionWith(reserved);
        var first = true;
        foreach (var block in loopBlocks)
        {
            if (!first && block.Comments.Count > 0)
            {
                lines.Add("");
            }

            first = false;
            foreach (var comment in block.Comments)
            {
                lines.Add("// " + comment);
            }

            foreach (var (node, _) in block.Named)
            {
                Ensure(node);
            }

            // Every load of the block before any of its stores: a store may overwrite, in place, an element that a
            // later store's expression would otherwise load (the gates over the input projections, their gradients
            // over the gates; see CellInfo.GatesOverwriteXProj).
            foreach (var store in block.Stores)
            {
                EnsureLoads(store.Node);
            }

            foreach (var store in block.Stores)
            {
                var value = Text(store.Node, 0);
                var destination = Element(store.Buffer, store.Index);
                lines.Add(store.Accumulate
                    ? $"TLanes.Store(TLanes.Load(in {destination}) + {Wrap(value, Precedence(store.Node) < 2 && !locals.ContainsKey(store.Node))}, ref {destination});"
                    : $"TLanes.Store({value}, ref {destination});");
            }
        }

        return lines;
    }

    /// <summary>A load, or in the second loop a value the first stored: read from a buffer, not computed.</summary>
    private bool IsRead(int id) => dag[id].Op == Op.Load || storedEarlier.ContainsKey(id);

    private string ReadText(int id)
    {
        var (buffer, index) = storedEarlier.TryGetValue(id, out var store) ? (store.Buffer, store.Index) : (dag[id].Buffer, dag[id].Index);
        return $"TLanes.Load(in {Element(buffer, index)})";
    }

    private static string Wrap(string text, bool parenthesise) => parenthesise ? "(" + text + ")" : text;

    private IEnumerable<int> Roots() =>
        blocks.SelectMany(b => b.Named.Select(n => n.Node).Concat(b.Stores.Select(s => s.Node)));

    private HashSet<int> Reachable()
    {
        var seen = new HashSet<int>();
        var work = new Stack<int>(Roots());
        while (work.Count > 0)
        {
            int id = work.Pop();
            if (!seen.Add(id))
            {
                continue;
            }

            var node = dag[id];
            if (node.Left >= 0)
            {
                work.Push(node.Left);
            }

            if (node.Right >= 0)
            {
                work.Push(node.Right);
            }
        }

        return seen;
    }

    private void CountUses()
    {
        void Use(int id) => uses[id] = uses.TryGetValue(id, out int count) ? count + 1 : 1;
        foreach (var id in Reachable())
        {
            var node = dag[id];
            if (node.Left >= 0)
            {
                Use(node.Left);
            }

            if (node.Right >= 0)
            {
                Use(node.Right);
            }
        }

        foreach (var id in Roots())
        {
            Use(id);
        }
    }

    private bool NeedsLocal(int id)
    {
        var node = dag[id];
        if (node.Op == Op.Constant)
        {
            return false;
        }

        return IsRead(id) || preferredNames.ContainsKey(id) || (uses.TryGetValue(id, out int count) && count > 1);
    }

    private void Ensure(int id)
    {
        if (locals.ContainsKey(id) || !NeedsLocal(id))
        {
            return;
        }

        var value = IsRead(id) ? ReadText(id) : Inline(id);
        var name = Allocate(preferredNames.TryGetValue(id, out var preferred) ? preferred : "t" + temporaries++);
        lines.Add($"var {name} = {value};");
        locals[id] = name;
    }

    /// <summary>Declares the local of every load under <paramref name="id"/> that has none yet, in the DAG's order.</summary>
    private void EnsureLoads(int id)
    {
        var loads = new SortedSet<int>();
        var seen = new HashSet<int>();
        var work = new Stack<int>([id]);
        while (work.Count > 0)
        {
            int node = work.Pop();
            if (!seen.Add(node) || locals.ContainsKey(node))
            {
                continue;
            }

            if (IsRead(node))
            {
                loads.Add(node);
                continue;
            }

            if (dag[node].Left >= 0)
            {
                work.Push(dag[node].Left);
            }

            if (dag[node].Right >= 0)
            {
                work.Push(dag[node].Right);
            }
        }

        foreach (int load in loads)
        {
            Ensure(load);
        }
    }

    private string Allocate(string preferred)
    {
        var name = preferred;
        while (!taken.Add(name))
        {
            name += "_";
        }

        return Keywords.Contains(name) ? "@" + name : name;
    }

    /// <summary>Operator precedence of a node as written: 1 sum, 2 product, 3 unary, 4 primary.</summary>
    private int Precedence(int id) => dag[id].Op switch
    {
        Op.Add or Op.Subtract => 1,
        Op.Multiply or Op.Divide => 2,
        Op.Negate => 3,
        _ => 4,
    };

    /// <summary>The node as an operand in a context of <paramref name="context"/> precedence.</summary>
    private string Text(int id, int context)
    {
        if (NeedsLocal(id))
        {
            Ensure(id);
            return locals[id];
        }

        var text = Inline(id);
        return Precedence(id) < context ? "(" + text + ")" : text;
    }

    private string Inline(int id)
    {
        var node = dag[id];
        return node.Op switch
        {
            Op.Constant => $"TLanes.Constant({ExpressionPrinter.FormatNumber(node.Value)})",
            Op.Negate => "-" + Text(node.Left, 4),
            Op.Add => $"{Text(node.Left, 1)} + {Text(node.Right, 2)}",
            Op.Subtract => $"{Text(node.Left, 1)} - {Text(node.Right, 2)}",
            Op.Multiply => $"{Text(node.Left, 2)} * {Text(node.Right, 3)}",
            Op.Divide => $"{Text(node.Left, 2)} / {Text(node.Right, 3)}",
            Op.Load => locals[id],
            _ => $"TLanes.{node.Op}({Text(node.Left, 0)})",
        };
    }
}
