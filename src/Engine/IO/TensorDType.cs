namespace SimdRnn.IO;

/// <summary>The element types of the safetensors format. Only the floating-point ones can be read as values.</summary>
public enum TensorDType
{
    F32,
    F64,
    F16,
    BF16,
    I64,
    I32,
    I16,
    I8,
    U64,
    U32,
    U16,
    U8,
    Bool,
    F8E4M3,
    F8E5M2,
}

/// <summary>The safetensors spelling and size of each <see cref="TensorDType"/>.</summary>
public static class TensorDTypes
{
    private static readonly TensorDType[] All =
    [
        TensorDType.F32, TensorDType.F64, TensorDType.F16, TensorDType.BF16, TensorDType.I64, TensorDType.I32, TensorDType.I16,
        TensorDType.I8, TensorDType.U64, TensorDType.U32, TensorDType.U16, TensorDType.U8, TensorDType.Bool, TensorDType.F8E4M3, TensorDType.F8E5M2,
    ];

    /// <summary>The dtype as the header spells it, e.g. <c>F32</c>, <c>BOOL</c>, <c>F8_E4M3</c>.</summary>
    public static string Name(this TensorDType dtype) => dtype switch
    {
        TensorDType.Bool => "BOOL",
        TensorDType.F8E4M3 => "F8_E4M3",
        TensorDType.F8E5M2 => "F8_E5M2",
        _ => dtype.ToString(),
    };

    public static int Size(this TensorDType dtype) => dtype switch
    {
        TensorDType.F64 or TensorDType.I64 or TensorDType.U64 => 8,
        TensorDType.F32 or TensorDType.I32 or TensorDType.U32 => 4,
        TensorDType.F16 or TensorDType.BF16 or TensorDType.I16 or TensorDType.U16 => 2,
        _ => 1,
    };

    public static bool IsReadableAsFloat(this TensorDType dtype) =>
        dtype is TensorDType.F32 or TensorDType.F64 or TensorDType.F16 or TensorDType.BF16;

    public static bool TryParse(string name, out TensorDType dtype)
    {
        foreach (var candidate in All)
        {
            if (candidate.Name() == name)
            {
                dtype = candidate;
                return true;
            }
        }

        dtype = default;
        return false;
    }
}
