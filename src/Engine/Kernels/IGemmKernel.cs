namespace SimdRnn.Kernels;

/// <summary>
/// A register-blocked GEMM micro-kernel and the blocking it was tuned with. The driver
/// (<see cref="GemmDriver{TKernel}"/>) is generic over this, so the JIT specialises one copy of the loops
/// per path with the tile sizes as constants.
/// </summary>
internal unsafe interface IGemmKernel
{
    /// <summary>Rows of the C tile, and of a packed A micro-panel.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the C tile, and of a packed B micro-panel.</summary>
    static abstract int NR { get; }

    /// <summary>
    /// Depth of a k block. Fixed per path and independent of the shape, so every element of C is summed in
    /// the same order however the caller splits m or n.
    /// </summary>
    static abstract int KC { get; }

    /// <summary>Rows of a packed A block (a multiple of <see cref="MR"/>), sized with KC to stay in L2.</summary>
    static abstract int MC { get; }

    /// <summary>Columns of a packed B block (a multiple of <see cref="NR"/>) in the unpacked overload.</summary>
    static abstract int NC { get; }

    /// <summary>
    /// c[0..MR, 0..NR] = (add ? c : 0) + a·b, where <paramref name="a"/> is an MR-row micro-panel
    /// (kc steps of MR values) and <paramref name="b"/> an NR-column micro-panel (kc steps of NR values).
    /// </summary>
    static abstract void Run(int kc, float* a, float* b, float* c, nint ldc, bool add);
}
