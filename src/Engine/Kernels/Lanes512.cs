using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdRnn.Kernels;

/// <summary>Sixteen floats in a <see cref="Vector512{T}"/>: the path on CPUs with AVX-512.</summary>
public readonly struct Lanes512 : ILanes<Lanes512, float>
{
    private readonly Vector512<float> value;

    private Lanes512(Vector512<float> value) => this.value = value;

    public static int Count => Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Load(ref readonly float source) => new(Vector512.LoadUnsafe(in source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes512 value, ref float destination) => value.value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Constant(double value) => new(Vector512.Create((float)value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator +(Lanes512 left, Lanes512 right) => new(left.value + right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator -(Lanes512 left, Lanes512 right) => new(left.value - right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator *(Lanes512 left, Lanes512 right) => new(left.value * right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator /(Lanes512 left, Lanes512 right) => new(left.value / right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator -(Lanes512 value) => new(-value.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Sigmoid(Lanes512 x) => new(VectorMath.Sigmoid(x.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Tanh(Lanes512 x) => new(VectorMath.Tanh(x.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Relu(Lanes512 x) => new(Vector512.Max(x.value, Vector512<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 HardSigmoid(Lanes512 x) =>
        new(Vector512.Clamp(x.value * Vector512.Create(0.2f) + Vector512.Create(0.5f), Vector512<float>.Zero, Vector512<float>.One));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Exp(Lanes512 x) => new(VectorMath.Exp(x.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Positive(Lanes512 x) =>
        new(Vector512.ConditionalSelect(Vector512.GreaterThan(x.value, Vector512<float>.Zero), Vector512<float>.One, Vector512<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 HardSigmoidSlope(Lanes512 y)
    {
        var inside = Vector512.GreaterThan(y.value, Vector512<float>.Zero) & Vector512.LessThan(y.value, Vector512<float>.One);
        return new(Vector512.ConditionalSelect(inside, Vector512.Create(0.2f), Vector512<float>.Zero));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 MultiplyAdd(Lanes512 a, Lanes512 b, Lanes512 addend) => new(Vector512.FusedMultiplyAdd(a.value, b.value, addend.value));
}
