using SimdRnn.Kernels;

namespace SimdRnn.Bench;

/// <summary>Operands and scratch for one shape, allocated once; <see cref="Run"/> is the timed product.</summary>
public sealed class GemmRunner : IDisposable
{
    private readonly GemmShape shape;
    private readonly float[] a;
    private readonly float[] b;
    private readonly float[] c;
    private readonly int lda;
    private readonly int ldb;
    private readonly PackedMatrix? packed;
    private readonly GemmWorkspace workspace = new();

    public GemmRunner(GemmShape shape)
    {
        this.shape = shape;
        var random = new Random(1);
        lda = shape.TransA ? shape.M : shape.K;
        ldb = shape.TransB ? shape.K : shape.N;
        a = Fill(random, shape.M * shape.K);
        b = Fill(random, shape.K * shape.N);
        c = new float[shape.M * shape.N];
        if (shape.Packed)
        {
            packed = new PackedMatrix(shape.K, shape.N);
            packed.Pack(b, ldb, shape.TransB);
        }

        Run();
    }

    public void Run()
    {
        if (packed is not null)
        {
            Gemm.Multiply(shape.M, a, lda, shape.TransA, packed, c, shape.N, shape.Accumulate, workspace);
        }
        else
        {
            Gemm.Multiply(shape.M, shape.N, shape.K, a, lda, shape.TransA, b, ldb, shape.TransB, c, shape.N, shape.Accumulate, workspace);
        }
    }

    public void Dispose()
    {
        packed?.Dispose();
        workspace.Dispose();
    }

    private static float[] Fill(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return values;
    }
}
