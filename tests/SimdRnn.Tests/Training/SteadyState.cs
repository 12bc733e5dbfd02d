namespace SimdRnn.Tests.Training;

/// <summary>
/// Zero allocation in the steady state: after a warm-up, some window of calls allocates nothing on the calling
/// thread. The runtime may allocate once in a while as it settles (tiered compilation replacing a method's code
/// while it runs on a loaded machine), so a window that allocates is measured again, a few times, before the test
/// fails; a real allocation per call shows in every window.
/// </summary>
internal static class SteadyState
{
    public static void AssertAllocatesNothing(Action<int> call, int warmUp = 8, int window = 4, int windows = 24)
    {
        for (int i = 0; i < warmUp; i++) call(i);
        var allocated = new List<long>();
        for (int w = 0; w < windows; w++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < window; i++) call(i);
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            if (bytes == 0) return;
            allocated.Add(bytes);
        }

        throw new Xunit.Sdk.XunitException($"every window of {window} calls allocated: {string.Join(", ", allocated)} bytes");
    }
}
