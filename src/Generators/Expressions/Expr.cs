namespace SimdRnn.Generators.Expressions;

/// <summary>A span inside one expression string: where an error points.</summary>
internal readonly record struct TextRange(int Start, int Length);

/// <summary>The syntax tree of a spec expression, as written (names not yet resolved).</summary>
internal abstract record Expr(TextRange Range);

internal sealed record NumberExpr(double Value, TextRange Range) : Expr(Range);

/// <summary><c>c</c>, or <c>c'</c> with <see cref="Prime"/>.</summary>
internal sealed record NameExpr(string Name, bool Prime, TextRange Range) : Expr(Range);

internal sealed record NegateExpr(Expr Operand, TextRange Range) : Expr(Range);

internal sealed record BinaryExpr(char Operator, Expr Left, Expr Right, TextRange Range) : Expr(Range);

internal sealed record CallExpr(string Function, Expr Argument, TextRange NameRange, TextRange Range) : Expr(Range);

/// <summary>A syntax error: the message says what was expected.</summary>
internal sealed record ParseError(int Offset, int Length, string Message);
