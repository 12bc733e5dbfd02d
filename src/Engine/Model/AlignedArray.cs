using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SimdRnn.Model;

/// <summary>
/// A zeroed buffer of <see cref="Length"/> elements that starts on a 64-byte boundary: a cache line, and one
/// Vector512. A managed array's elements start 16 bytes past an 8-byte aligned object, so with rows of whole
/// vectors every wide load and store of a row would straddle two cache lines. Intel cores pay for each such split,
/// and AMD cores pay less but still pay. `SimdRnn.Bench --align` on a Xeon (family 6, model 207): the fused LSTM
/// step over 64 rows of 128 units took 20.1 against 22.5 us forward and 8.6 against 13.2 us backward on Vector512
/// (aligned against 8 bytes past), and 30.8 against 30.9 and 13.0 against 14.3 us on Vector256.
/// The storage is an array on the pinned object heap, so the offset found once stays right. The garbage
/// collector frees it like any other array.
/// </summary>
internal sealed unsafe class AlignedArray<T> where T : unmanaged
{
    private const int Alignment = 64;

    // The array is only held so it lives as long as this buffer; every access goes through the pointer, which
    // stays valid because the array is pinned. A span built from it costs two stores, where slicing the array
    // costs two range checks at every call, and the buffers are sliced in every step.
    private readonly T[] storage;
    private readonly T* start;

    public AlignedArray(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;

        // Elements are at least sizeof(T)-aligned, so the distance to the next boundary is a whole number of them.
        storage = GC.AllocateArray<T>(length + Padding, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(storage));
        int offset = (int)((Alignment - (address & (Alignment - 1))) & (Alignment - 1)) / sizeof(T);
        start = (T*)address + offset;
    }

    /// <summary>Elements each buffer allocates beyond its <see cref="Length"/>, for sizing memory up front.</summary>
    public static int Padding => Alignment / sizeof(T);

    public int Length { get; }

    public ref T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)index >= (uint)Length)
            {
                throw new IndexOutOfRangeException();
            }

            return ref start[index];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<T> AsSpan() => new(start, Length);

    public Span<T> AsSpan(int start) => AsSpan()[start..];

    public Span<T> AsSpan(int start, int length) => AsSpan().Slice(start, length);

    public static implicit operator Span<T>(AlignedArray<T> array) => array.AsSpan();

    public static implicit operator ReadOnlySpan<T>(AlignedArray<T> array) => array.AsSpan();
}
