using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace SimdRnn.Generators.Expressions;

/// <summary>
/// Tokenizer and recursive-descent parser of the spec expression language:
/// <code>
/// expr    := term (('+' | '-') term)*
/// term    := unary (('*' | '/') unary)*
/// unary   := '-' unary | primary
/// primary := number | name ["'"] | name '(' expr ')' | '(' expr ')'
/// </code>
/// </summary>
internal sealed class ExpressionParser
{
    private enum TokenKind { Number, Name, Operator, Prime, Open, Close, Comma, End, Invalid }

    private readonly record struct Token(TokenKind Kind, string Text, int Start);

    // Limits that keep a hostile or mistyped spec from overflowing the compiler's stack: the parser, printer,
    // analyzer and emitter all recurse over the tree, and a stack overflow ends the compiler process (it cannot be
    // caught). The tree's height is at most the token count, and the parser's own recursion grows with nesting.
    // Real cells use tens of tokens and a few levels.
    internal const int MaxTokens = 1000;
    internal const int MaxNesting = 100;

    private readonly string text;
    private readonly List<Token> tokens = [];
    private int position;
    private int nesting;

    private ExpressionParser(string text) => this.text = text;

    /// <summary>Parses <paramref name="text"/>; returns null and the first error when it is not an expression.</summary>
    public static Expr? Parse(string text, out ParseError? error)
    {
        var parser = new ExpressionParser(text);
        error = parser.Tokenize();
        if (error is not null)
        {
            return null;
        }

        try
        {
            var expr = parser.ParseSum();
            var next = parser.Peek();
            if (next.Kind != TokenKind.End)
            {
                throw parser.Fail(next, $"unexpected '{next.Text}' after a complete expression; join terms with + - * /");
            }

            return expr;
        }
        catch (ParseFailure failure)
        {
            error = failure.Error;
            return null;
        }
    }

    private ParseError? Tokenize()
    {
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsDigit(c) || (c == '.' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
            {
                int start = i;
                while (i < text.Length && char.IsDigit(text[i]))
                {
                    i++;
                }

                if (i < text.Length && text[i] == '.')
                {
                    i++;
                    while (i < text.Length && char.IsDigit(text[i]))
                    {
                        i++;
                    }
                }

                if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
                {
                    int exponent = i + 1;
                    if (exponent < text.Length && (text[exponent] == '+' || text[exponent] == '-'))
                    {
                        exponent++;
                    }

                    if (exponent < text.Length && char.IsDigit(text[exponent]))
                    {
                        i = exponent;
                        while (i < text.Length && char.IsDigit(text[i]))
                        {
                            i++;
                        }
                    }
                }

                if (i < text.Length && (char.IsLetter(text[i]) || text[i] == '_'))
                {
                    return new ParseError(start, i + 1 - start, $"a number cannot run into a name ('{text.Substring(start, i + 1 - start)}'); write '*' between them");
                }

                tokens.Add(new Token(TokenKind.Number, text.Substring(start, i - start), start));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                int start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Name, text.Substring(start, i - start), start));
            }
            else
            {
                var kind = c switch
                {
                    '+' or '-' or '*' or '/' => TokenKind.Operator,
                    '\'' => TokenKind.Prime,
                    '(' => TokenKind.Open,
                    ')' => TokenKind.Close,
                    ',' => TokenKind.Comma,
                    _ => TokenKind.Invalid,
                };
                if (kind == TokenKind.Invalid)
                {
                    return new ParseError(i, 1, $"unexpected character '{c}'; expressions use numbers, names, + - * /, parentheses and function calls such as tanh(c)");
                }

                tokens.Add(new Token(kind, c.ToString(), i));
                i++;
            }
        }

        tokens.Add(new Token(TokenKind.End, "", text.Length));
        if (tokens.Count - 1 > MaxTokens)
        {
            var first = tokens[MaxTokens];
            return new ParseError(first.Start, first.Text.Length, $"the expression has {tokens.Count - 1} tokens, more than the {MaxTokens} allowed; split it with a [State] or a gate");
        }

        return null;
    }

    /// <summary>Enters one level of parentheses, call or unary minus; fails beyond <see cref="MaxNesting"/>.</summary>
    private void Enter(Token token)
    {
        if (++nesting > MaxNesting)
        {
            throw Fail(token, $"the expression nests deeper than {MaxNesting} levels of parentheses, calls or unary minus; simplify it");
        }
    }

    private Token Peek() => tokens[position];

    private Token Next() => tokens[position++];

    private Expr ParseSum()
    {
        var left = ParseProduct();
        while (Peek() is { Kind: TokenKind.Operator, Text: "+" or "-" })
        {
            char op = Next().Text[0];
            var right = ParseProduct();
            left = new BinaryExpr(op, left, right, Cover(left.Range, right.Range));
        }

        return left;
    }

    private Expr ParseProduct()
    {
        var left = ParseUnary();
        while (Peek() is { Kind: TokenKind.Operator, Text: "*" or "/" })
        {
            char op = Next().Text[0];
            var right = ParseUnary();
            left = new BinaryExpr(op, left, right, Cover(left.Range, right.Range));
        }

        return left;
    }

    private Expr ParseUnary()
    {
        if (Peek() is { Kind: TokenKind.Operator, Text: "-" })
        {
            var minus = Next();
            Enter(minus);
            var operand = ParseUnary();
            nesting--;
            return new NegateExpr(operand, Cover(new TextRange(minus.Start, 1), operand.Range));
        }

        return ParsePrimary();
    }

    private Expr ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.Number:
                return new NumberExpr(double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture), new TextRange(token.Start, token.Text.Length));
            case TokenKind.Name when Peek().Kind == TokenKind.Open:
            {
                var open = Next();
                if (Peek().Kind == TokenKind.Close)
                {
                    throw Fail(Peek(), $"{token.Text}() needs one argument, e.g. {token.Text}(c)");
                }

                Enter(open);
                var argument = ParseSum();
                nesting--;
                var close = Next();
                if (close.Kind == TokenKind.Comma)
                {
                    throw Fail(close, $"{token.Text} takes exactly one argument; remove the ',' and what follows");
                }

                if (close.Kind != TokenKind.Close)
                {
                    throw Fail(close, $"expected ')' to close the '(' at column {open.Start + 1}");
                }

                return new CallExpr(token.Text, argument, new TextRange(token.Start, token.Text.Length), new TextRange(token.Start, close.Start + 1 - token.Start));
            }

            case TokenKind.Name:
            {
                if (Peek().Kind == TokenKind.Prime)
                {
                    var prime = Next();
                    return new NameExpr(token.Text, true, new TextRange(token.Start, prime.Start + 1 - token.Start));
                }

                return new NameExpr(token.Text, false, new TextRange(token.Start, token.Text.Length));
            }

            case TokenKind.Open:
            {
                Enter(token);
                var inner = ParseSum();
                nesting--;
                var close = Next();
                if (close.Kind != TokenKind.Close)
                {
                    throw Fail(close, $"expected ')' to close the '(' at column {token.Start + 1}");
                }

                return inner;
            }

            case TokenKind.End:
                throw Fail(token, text.Trim().Length == 0
                    ? "the expression is empty; write e.g. \"x_a + h_a\""
                    : "the expression ends too early; write an operand (a number, a name or a parenthesised expression)");
            default:
                throw Fail(token, $"unexpected '{token.Text}'; expected a number, a name, '-' or '('");
        }
    }

    private static TextRange Cover(TextRange first, TextRange last) => new(first.Start, last.Start + last.Length - first.Start);

    private ParseFailure Fail(Token token, string message) =>
        new(new ParseError(token.Start, token.Kind == TokenKind.End ? 0 : token.Text.Length, message));

    private sealed class ParseFailure(ParseError error) : System.Exception(error.Message)
    {
        public ParseError Error { get; } = error;
    }
}

/// <summary>Prints an expression in canonical form: single spaces, only the parentheses needed.</summary>
internal static class ExpressionPrinter
{
    public static string Print(Expr expr)
    {
        var builder = new StringBuilder();
        Print(expr, builder, 0);
        return builder.ToString();
    }

    public static string FormatNumber(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    // Precedence: 1 sum, 2 product, 3 unary, 4 primary.
    private static void Print(Expr expr, StringBuilder builder, int context)
    {
        switch (expr)
        {
            case NumberExpr number:
                builder.Append(FormatNumber(number.Value));
                break;
            case NameExpr name:
                builder.Append(name.Name);
                if (name.Prime)
                {
                    builder.Append('\'');
                }

                break;
            case NegateExpr negate:
                Wrap(builder, context > 3, () =>
                {
                    builder.Append('-');
                    Print(negate.Operand, builder, 3);
                });
                break;
            case BinaryExpr binary:
            {
                int precedence = binary.Operator is '+' or '-' ? 1 : 2;
                Wrap(builder, context > precedence, () =>
                {
                    Print(binary.Left, builder, precedence);
                    builder.Append(' ').Append(binary.Operator).Append(' ');
                    Print(binary.Right, builder, precedence + 1);
                });
                break;
            }

            case CallExpr call:
                builder.Append(call.Function).Append('(');
                Print(call.Argument, builder, 0);
                builder.Append(')');
                break;
        }
    }

    private static void Wrap(StringBuilder builder, bool parenthesise, System.Action body)
    {
        if (parenthesise)
        {
            builder.Append('(');
        }

        body();
        if (parenthesise)
        {
            builder.Append(')');
        }
    }
}
