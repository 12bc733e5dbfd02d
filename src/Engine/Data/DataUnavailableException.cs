namespace SimdRnn.Data;

/// <summary>
/// A data set could not be found, fetched or verified. The message says why and what the user can do about it.
/// </summary>
public sealed class DataUnavailableException : Exception
{
    public DataUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
