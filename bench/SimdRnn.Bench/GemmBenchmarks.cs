using BenchmarkDotNet.Attributes;

namespace SimdRnn.Bench;

/// <summary>The engine's GEMM shapes on the process's widest SIMD path; GFLOP/s in <see cref="GflopsColumn"/>.</summary>
public class GemmBenchmarks
{
    private GemmRunner? runner;

    public static IEnumerable<GemmShape> Shapes => GemmShape.All;

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = GemmShape.All[0];

    [GlobalSetup]
    public void Setup() => runner = new GemmRunner(Shape);

    [GlobalCleanup]
    public void Cleanup() => runner?.Dispose();

    [Benchmark]
    public void Multiply() => runner!.Run();
}
