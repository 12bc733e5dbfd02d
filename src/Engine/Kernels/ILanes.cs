using System.Numerics;

namespace SimdRnn.Kernels;

/// <summary>
/// A vector of <see cref="Count"/> elements with the arithmetic the generated cell code uses. Generated
/// code is written once against this interface; the JIT specialises it for each implementation
/// (<see cref="Lanes512"/>, <see cref="Lanes256"/>, <see cref="Lanes128"/>, <see cref="ScalarLanes{T}"/>), as TensorPrimitives'
/// operator structs are.
/// </summary>
public interface ILanes<TSelf, T>
    where TSelf : struct, ILanes<TSelf, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract int Count { get; }

    static abstract TSelf Load(ref readonly T source);

    static abstract void Store(TSelf value, ref T destination);

    static abstract TSelf Constant(double value);

    static abstract TSelf operator +(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf left, TSelf right);

    static abstract TSelf operator *(TSelf left, TSelf right);

    static abstract TSelf operator /(TSelf left, TSelf right);

    static abstract TSelf operator -(TSelf value);

    /// <summary>1 / (1 + exp(-x))</summary>
    static abstract TSelf Sigmoid(TSelf x);

    /// <summary>tanh(x)</summary>
    static abstract TSelf Tanh(TSelf x);

    /// <summary>max(x, 0)</summary>
    static abstract TSelf Relu(TSelf x);

    /// <summary>clamp(0.2 x + 0.5, 0, 1)</summary>
    static abstract TSelf HardSigmoid(TSelf x);

    /// <summary>exp(x)</summary>
    static abstract TSelf Exp(TSelf x);

    /// <summary>1 where x &gt; 0, else 0: the derivative of relu, read from its output.</summary>
    static abstract TSelf Positive(TSelf x);

    /// <summary>0.2 where 0 &lt; y &lt; 1, else 0: the derivative of hard-sigmoid, read from its output.</summary>
    static abstract TSelf HardSigmoidSlope(TSelf y);

    /// <summary>a * b + addend, in one rounding where the lanes have a fused multiply-add (the engine's all do).</summary>
    static virtual TSelf MultiplyAdd(TSelf a, TSelf b, TSelf addend) => a * b + addend;
}
