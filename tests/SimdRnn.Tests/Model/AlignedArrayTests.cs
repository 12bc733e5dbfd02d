using System.Runtime.CompilerServices;
using FsCheck;
using FsCheck.Fluent;
using SimdRnn.Model;
using SimdRnn.Tests.Gradients;
using Xunit;

namespace SimdRnn.Tests.Model;

/// <summary>The workspaces' buffers: any length, zeroed, starting on a 64-byte boundary, and holding what is written.</summary>
public sealed unsafe class AlignedArrayTests
{
    [Fact]
    public void AnyLength_StartsOnACacheLine_Zeroed_AndKeepsItsValues()
    {
        Check.One(CellGradientTests.Reproducible("aligned", maxTest: 200), Prop.ForAll(Gen.Choose(0, 5000).ToArbitrary(), length =>
        {
            AssertHolds(new AlignedArray<float>(length), length);
            AssertHolds(new AlignedArray<double>(length), length);
        }));
    }

    private static void AssertHolds<T>(AlignedArray<T> array, int length)
        where T : unmanaged, System.Numerics.INumber<T>
    {
        Span<T> span = array.AsSpan();
        Assert.Equal(length, array.Length);
        Assert.Equal(length, span.Length);
        Assert.Equal(0, (nint)Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(span)) % 64);
        foreach (T value in span) Assert.Equal(T.Zero, value);

        for (int i = 0; i < length; i++) span[i] = T.CreateTruncating(i + 1);
        GC.Collect(); // pinned: the storage, and so the offset found once, stay where they were
        for (int i = 0; i < length; i++) Assert.Equal(T.CreateTruncating(i + 1), array[i]);
        if (length > 0) Assert.Equal(T.CreateTruncating(length), array.AsSpan(length - 1, 1)[0]);
    }
}
