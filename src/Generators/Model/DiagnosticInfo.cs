// Immutable, structural equality.
using Microsoft.CodeAnalysis.Text;

namespace SimdRnn.Generators.Model;

/// <summary>Where a diagnostic points, as plain values: a <c>Location</c> would root the compilation in the pipeline.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan);

/// <summary>A diagnostic to report: its id (see <see cref="DiagnosticDescriptors"/>), location and message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> MessageArgs);

/// <summary>A value with the errors found while computing it (as CommunityToolkit.Mvvm's <c>Result&lt;TValue&gt;</c>).</summary>
internal sealed record Result<T>(T Value, EquatableArray<DiagnosticInfo> Errors);
