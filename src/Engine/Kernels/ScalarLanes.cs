using System.Numerics;
using System.Runtime.CompilerServices;

namespace SimdRnn.Kernels;

/// <summary>One element at a time, in any IEEE type: the reference path, remainders, and the double-precision gradient checks.</summary>
public readonly struct ScalarLanes<T> : ILanes<ScalarLanes<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T value;

    private ScalarLanes(T value) => this.value = value;

    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLanes<T> Load(ref readonly T source) => new(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(ScalarLanes<T> value, ref T destination) => destination = value.value;

    public static ScalarLanes<T> Constant(double value) => new(T.CreateTruncating(value));

    public static ScalarLanes<T> operator +(ScalarLanes<T> left, ScalarLanes<T> right) => new(left.value + right.value);

    public static ScalarLanes<T> operator -(ScalarLanes<T> left, ScalarLanes<T> right) => new(left.value - right.value);

    public static ScalarLanes<T> operator *(ScalarLanes<T> left, ScalarLanes<T> right) => new(left.value * right.value);

    public static ScalarLanes<T> operator /(ScalarLanes<T> left, ScalarLanes<T> right) => new(left.value / right.value);

    public static ScalarLanes<T> operator -(ScalarLanes<T> value) => new(-value.value);

    public static ScalarLanes<T> Sigmoid(ScalarLanes<T> x) => new(T.One / (T.One + T.Exp(-x.value)));

    public static ScalarLanes<T> Tanh(ScalarLanes<T> x) => new(T.Tanh(x.value));

    public static ScalarLanes<T> Relu(ScalarLanes<T> x) => new(T.Max(x.value, T.Zero));

    public static ScalarLanes<T> HardSigmoid(ScalarLanes<T> x) =>
        new(T.Clamp(T.CreateTruncating(0.2) * x.value + T.CreateTruncating(0.5), T.Zero, T.One));

    public static ScalarLanes<T> Exp(ScalarLanes<T> x) => new(T.Exp(x.value));

    public static ScalarLanes<T> Positive(ScalarLanes<T> x) => new(x.value > T.Zero ? T.One : T.Zero);

    public static ScalarLanes<T> HardSigmoidSlope(ScalarLanes<T> y) =>
        new(y.value > T.Zero && y.value < T.One ? T.CreateTruncating(0.2) : T.Zero);

    public static ScalarLanes<T> MultiplyAdd(ScalarLanes<T> a, ScalarLanes<T> b, ScalarLanes<T> addend) => new(T.FusedMultiplyAdd(a.value, b.value, addend.value));
}
