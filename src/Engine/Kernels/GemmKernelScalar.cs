using System.Runtime.CompilerServices;

namespace SimdRnn.Kernels;

/// <summary>
/// The portable micro-kernel: a 4 x 4 tile of C in 16 scalar accumulators. Multiply and add are separate
/// roundings here (no FMA), so this path's results differ from the vector paths in the last bits.
/// </summary>
internal readonly unsafe partial struct GemmKernelScalar : IGemmKernel
{
    public static bool IsSupported => true;

    public static int MR => 4;

    public static int NR => 4;

    public static int KC => 256;

    public static int MC => 256;

    public static int NC => 2048;

    public static int ShortMR => MR;

    public static void RunShort(int kc, float* a, float* b, float* c, nint ldc, float* addend, nint addendStride) => Run(kc, a, b, c, ldc, addend, addendStride);

    public static void PackA(float* a, nint lda, bool transA, int i0, int rows, int p0, int kc, float* destination) =>
        GemmPacking.PackA(a, lda, transA, i0, rows, p0, kc, MR, destination);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float* addend, nint addendStride)
    {
        float c00 = 0f; float c01 = 0f; float c02 = 0f; float c03 = 0f;
        float c10 = 0f; float c11 = 0f; float c12 = 0f; float c13 = 0f;
        float c20 = 0f; float c21 = 0f; float c22 = 0f; float c23 = 0f;
        float c30 = 0f; float c31 = 0f; float c32 = 0f; float c33 = 0f;

        // k unrolled by two; the accumulators stay in registers for the whole loop.
        int p = 0;
        for (; p + 2 <= kc; p += 2)
        {
            {
                float b0 = b[0];
                float b1 = b[1];
                float b2 = b[2];
                float b3 = b[3];
                float a0 = a[0];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                float a1 = a[1];
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                float a2 = a[2];
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                float a3 = a[3];
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            {
                float b0 = b[4];
                float b1 = b[5];
                float b2 = b[6];
                float b3 = b[7];
                float a0 = a[4];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                float a1 = a[5];
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                float a2 = a[6];
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                float a3 = a[7];
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            a += 8;
            b += 8;
        }

        if (p < kc)
        {
            float b0 = b[0];
            float b1 = b[1];
            float b2 = b[2];
            float b3 = b[3];
            float a0 = a[0];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            float a1 = a[1];
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            float a2 = a[2];
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            float a3 = a[3];
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }

        if (addend != null)
        {
            c[0] = addend[0] + c00;
            c[1] = addend[1] + c01;
            c[2] = addend[2] + c02;
            c[3] = addend[3] + c03;
            c[1 * ldc + 0] = addend[1 * addendStride + 0] + c10;
            c[1 * ldc + 1] = addend[1 * addendStride + 1] + c11;
            c[1 * ldc + 2] = addend[1 * addendStride + 2] + c12;
            c[1 * ldc + 3] = addend[1 * addendStride + 3] + c13;
            c[2 * ldc + 0] = addend[2 * addendStride + 0] + c20;
            c[2 * ldc + 1] = addend[2 * addendStride + 1] + c21;
            c[2 * ldc + 2] = addend[2 * addendStride + 2] + c22;
            c[2 * ldc + 3] = addend[2 * addendStride + 3] + c23;
            c[3 * ldc + 0] = addend[3 * addendStride + 0] + c30;
            c[3 * ldc + 1] = addend[3 * addendStride + 1] + c31;
            c[3 * ldc + 2] = addend[3 * addendStride + 2] + c32;
            c[3 * ldc + 3] = addend[3 * addendStride + 3] + c33;
        }
        else
        {
            c[0] = c00;
            c[1] = c01;
            c[2] = c02;
            c[3] = c03;
            c[1 * ldc + 0] = c10;
            c[1 * ldc + 1] = c11;
            c[1 * ldc + 2] = c12;
            c[1 * ldc + 3] = c13;
            c[2 * ldc + 0] = c20;
            c[2 * ldc + 1] = c21;
            c[2 * ldc + 2] = c22;
            c[2 * ldc + 3] = c23;
            c[3 * ldc + 0] = c30;
            c[3 * ldc + 1] = c31;
            c[3 * ldc + 2] = c32;
            c[3 * ldc + 3] = c33;
        }
    }
}
