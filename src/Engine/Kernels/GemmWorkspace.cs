using System.Runtime.InteropServices;

namespace SimdRnn.Kernels;

/// <summary>
/// Per-thread scratch for <see cref="Gemm"/>: the packed A block, the packed B block of the unpacked
/// overload, and one C tile for edges. Native 64-byte aligned memory, allocated on first use and grown only
/// when a larger shape first appears, so steady-state calls allocate nothing. Not thread-safe: give each
/// thread its own.
/// </summary>
public sealed unsafe class GemmWorkspace : IDisposable
{
    private float* packedA;
    private nint packedACapacity;
    private float* packedB;
    private nint packedBCapacity;
    private float* tile;
    private nint tileCapacity;
    private float* int8Rows;
    private nint int8RowsCapacity;

    public GemmWorkspace()
    {
    }

    ~GemmWorkspace() => Free();

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    internal float* PackedA(nint floats) => Ensure(ref packedA, ref packedACapacity, floats);

    internal float* PackedB(nint floats) => Ensure(ref packedB, ref packedBCapacity, floats);

    internal float* Tile(nint floats) => Ensure(ref tile, ref tileCapacity, floats);

    /// <summary>The int8 products' quantized activation rows and their scales (Kernels/Quantized), in floats' room.</summary>
    internal float* Int8Rows(nint floats) => Ensure(ref int8Rows, ref int8RowsCapacity, floats);

    private float* Ensure(ref float* buffer, ref nint capacity, nint floats)
    {
        ObjectDisposedException.ThrowIf(capacity < 0, this);
        if (floats > capacity)
        {
            NativeMemory.AlignedFree(buffer);
            buffer = null;
            capacity = 0;
            buffer = (float*)NativeMemory.AlignedAlloc((nuint)floats * sizeof(float), 64);
            capacity = floats;
        }

        return buffer;
    }

    private void Free()
    {
        NativeMemory.AlignedFree(packedA);
        NativeMemory.AlignedFree(packedB);
        NativeMemory.AlignedFree(tile);
        NativeMemory.AlignedFree(int8Rows);
        packedA = packedB = tile = int8Rows = null;
        packedACapacity = packedBCapacity = tileCapacity = int8RowsCapacity = -1;
    }
}
