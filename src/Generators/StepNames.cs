namespace SimdRnn.Generators;

/// <summary>Tracking names of the pipeline steps, so tests can assert what was cached.</summary>
public static class StepNames
{
    public const string CellSpec = nameof(CellSpec);

    public const string Lowered = nameof(Lowered);

    public const string Registry = nameof(Registry);
}
