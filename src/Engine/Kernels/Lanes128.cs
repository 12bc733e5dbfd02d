using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SimdRnn.Kernels;

/// <summary>
/// Four floats in a <see cref="Vector128{T}"/>: the path of ARM64 (NEON, 32 registers) and of x86 CPUs without
/// AVX, where it runs on SSE (and on every x86 machine when forced, so its tests run anywhere).
/// </summary>
public readonly struct Lanes128 : ILanes<Lanes128, float>
{
    private readonly Vector128<float> value;

    private Lanes128(Vector128<float> value) => this.value = value;

    public static int Count => Vector128<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Load(ref readonly float source) => new(Vector128.LoadUnsafe(in source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes128 value, ref float destination) => value.value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Constant(double value) => new(Vector128.Create((float)value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 operator +(Lanes128 left, Lanes128 right) => new(left.value + right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 operator -(Lanes128 left, Lanes128 right) => new(left.value - right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 operator *(Lanes128 left, Lanes128 right) => new(left.value * right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 operator /(Lanes128 left, Lanes128 right) => new(left.value / right.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 operator -(Lanes128 value) => new(-value.value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Sigmoid(Lanes128 x) => new(VectorMath.Sigmoid(x.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Tanh(Lanes128 x) => new(VectorMath.Tanh(x.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Relu(Lanes128 x) => new(Vector128.Max(x.value, Vector128<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 HardSigmoid(Lanes128 x) =>
        new(Vector128.Clamp(x.value * Vector128.Create(0.2f) + Vector128.Create(0.5f), Vector128<float>.Zero, Vector128<float>.One));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Exp(Lanes128 x) => new(VectorMath.Exp(x.value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Positive(Lanes128 x) =>
        new(Vector128.ConditionalSelect(Vector128.GreaterThan(x.value, Vector128<float>.Zero), Vector128<float>.One, Vector128<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 HardSigmoidSlope(Lanes128 y)
    {
        var inside = Vector128.GreaterThan(y.value, Vector128<float>.Zero) & Vector128.LessThan(y.value, Vector128<float>.One);
        return new(Vector128.ConditionalSelect(inside, Vector128.Create(0.2f), Vector128<float>.Zero));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 MultiplyAdd(Lanes128 a, Lanes128 b, Lanes128 addend) => new(Vector128.FusedMultiplyAdd(a.value, b.value, addend.value));
}
