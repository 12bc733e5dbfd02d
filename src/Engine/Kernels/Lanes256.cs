using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdRnn.Kernels;

/// <summary>Eight floats in a <see cref="Vector256{T}"/>: the path on CPUs with AVX-256.</summary>
public readonly struct Lanes256 : ILanes<Lanes256, float>
{
    private readonly Vector256<float> value;

    private Lanes256(Vector256<float> value) => this.value = value;

    public static int Count => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Load(ref readonly float source) => new(Vector256.LoadUnsafe(in source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes256 value, ref float destination) => value.value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Constant(double value) => new(Vector256.Create((float)value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator +(Lanes256 left, Lanes256 right) => new(left.value + right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator -(Lanes256 left, Lanes256 right) => new(left.value - right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator *(Lanes256 left, Lanes256 right) => new(left.value * right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator /(Lanes256 left, Lanes256 right) => new(left.value / right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator -(Lanes256 value) => new(-value.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Sigmoid(Lanes256 x) => new(VectorMath.Sigmoid(x.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Tanh(Lanes256 x) => new(VectorMath.Tanh(x.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Relu(Lanes256 x) => new(Vector256.Max(x.value, Vector256<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 HardSigmoid(Lanes256 x) =>
        new(Vector256.Clamp(x.value * Vector256.Create(0.2f) + Vector256.Create(0.5f), Vector256<float>.Zero, Vector256<float>.One));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Exp(Lanes256 x) => new(VectorMath.Exp(x.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Positive(Lanes256 x) =>
        new(Vector256.ConditionalSelect(Vector256.GreaterThan(x.value, Vector256<float>.Zero), Vector256<float>.One, Vector256<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 HardSigmoidSlope(Lanes256 y)
    {
        var inside = Vector256.GreaterThan(y.value, Vector256<float>.Zero) & Vector256.LessThan(y.value, Vector256<float>.One);
        return new(Vector256.ConditionalSelect(inside, Vector256.Create(0.2f), Vector256<float>.Zero));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 MultiplyAdd(Lanes256 a, Lanes256 b, Lanes256 addend) => new(Vector256.FusedMultiplyAdd(a.value, b.value, addend.value));
}
