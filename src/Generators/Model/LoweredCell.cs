// Immutable, structural equality.
using SimdRnn.Generators.Expressions;

namespace SimdRnn.Generators.Model;

/// <summary>
/// A cell after lowering: everything the printer writes, decided. The spec's checked texts for <c>CellInfo</c>,
/// what the backward step reads, whether the gates may overwrite the input projections, and each generated method
/// as a flat node list with its blocks.
/// </summary>
internal sealed record LoweredCell(
    CellSpec Spec,
    EquatableArray<string> PreActivationTexts,
    EquatableArray<LoweredRecurrence> Recurrences,
    EquatableArray<string> UpdateTexts,
    string OutputText,
    string? RecurrentInputText,
    string SpecHash,
    LoweredReads BackwardReads,
    bool GatesOverwriteXProj,
    LoweredMethod ForwardRecurrentInput,
    LoweredMethod Forward,
    LoweredMethod BackwardRecurrentInput,
    LoweredMethod Backward);

/// <summary>A gate's recurrence as a value type with equality (enums alone do not implement <c>IEquatable</c>).</summary>
internal readonly record struct LoweredRecurrence(RecurrenceKind Kind);

/// <summary>
/// What the backward step reads, so the engine stores only that; <see cref="SharedProjectionGradient"/>: every
/// gate enters as <c>x_k + h_k</c>, so dXProj is dHProj too.
/// </summary>
internal sealed record LoweredReads(bool XProj, bool HProj, bool RProj, bool SharedProjectionGradient);

/// <summary>
/// One generated method: <see cref="Nodes"/> in topological order (operands before users, only what the
/// blocks reach), the commented blocks that name and store them, the local names of its loads, and the step
/// buffers it reads or writes, in enum order. Empty blocks: the method has nothing to do.
/// <see cref="SecondPass"/>: the block where a second loop over the elements starts, or 0 for a single loop; the
/// second loop reads back what the first stored instead of keeping it in registers.
/// </summary>
internal sealed record LoweredMethod(
    EquatableArray<Node> Nodes,
    EquatableArray<LoweredBlock> Blocks,
    EquatableArray<NamedNode> LoadNames,
    EquatableArray<BufferUse> Buffers,
    int SecondPass = 0)
{
    public static LoweredMethod Empty { get; } = new(EquatableArray<Node>.Empty, EquatableArray<LoweredBlock>.Empty, EquatableArray<NamedNode>.Empty, EquatableArray<BufferUse>.Empty);
}

/// <summary>A commented group of statements: named locals, then stores.</summary>
internal sealed record LoweredBlock(EquatableArray<string> Comments, EquatableArray<NamedNode> Named, EquatableArray<Store> Stores);

/// <summary>A node with the local name it should get.</summary>
internal readonly record struct NamedNode(int Node, string Name);

/// <summary>A step buffer a method uses (a value type with equality, as <see cref="LoweredRecurrence"/>).</summary>
internal readonly record struct BufferUse(StepBuffer Buffer);
