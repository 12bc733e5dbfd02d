using System.Runtime.InteropServices;
using System.Text;
using SimdRnn.IO;

namespace SimdRnn.Native;

/// <summary>The codes of include/simdrnn.h (SIMDRNN_OK ...).</summary>
public enum Status
{
    Ok = 0,
    InvalidArgument = 1,
    InvalidHandle = 2,
    FileNotFound = 3,
    Io = 4,
    Format = 5,
    Disposed = 6,
    OutOfMemory = 7,
    Internal = 8,
}

/// <summary>The calling thread's last error message, as a NUL-terminated UTF-8 string owned by the library.</summary>
internal static unsafe class Errors
{
    [ThreadStatic]
    private static byte* last;

    public static byte* Version { get; } = Utf8(typeof(Errors).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    private static readonly byte* Empty = Utf8("");

    /// <summary>The message of the last failed call on this thread, "" after a call that succeeded.</summary>
    public static byte* Last => last == null ? Empty : last;

    public static void Clear()
    {
        if (last == null) return;
        NativeMemory.Free(last);
        last = null;
    }

    public static int Set(Status status, string message)
    {
        Clear();
        last = Utf8(message);
        return (int)status;
    }

    public static int From(Exception e) => Set(StatusOf(e), MessageOf(e));

    // One line each. A disposed object here is always a freed model seen through one of its sessions; the runtime's
    // own message for it runs onto a second line and names an internal type.
    private static string MessageOf(Exception e) => e is ObjectDisposedException
        ? "the session's model was freed (simdrnn_model_free): free a model's sessions before the model"
        : e.Message;

    private static Status StatusOf(Exception e) => e switch
    {
        InvalidHandleException => Status.InvalidHandle,
        ObjectDisposedException => Status.Disposed,
        ArgumentException => Status.InvalidArgument,
        InvalidOperationException => Status.InvalidArgument,   // e.g. streaming a bidirectional model
        FileNotFoundException or DirectoryNotFoundException => Status.FileNotFound,
        ModelFormatException => Status.Format,
        IOException or UnauthorizedAccessException => Status.Io,
        OutOfMemoryException => Status.OutOfMemory,
        _ => Status.Internal,
    };

    private static byte* Utf8(string text)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        var buffer = (byte*)NativeMemory.Alloc((nuint)length + 1);
        Encoding.UTF8.GetBytes(text, new Span<byte>(buffer, length));
        buffer[length] = 0;
        return buffer;
    }
}

/// <summary>A pointer from C that is not a live handle of the expected kind.</summary>
internal sealed class InvalidHandleException(string message) : Exception(message);

/// <summary>Opaque handles: <see cref="GCHandle"/>s of models and sessions, which keep them alive until freed.</summary>
internal static class Handles
{
    public static nint Create(object target) => GCHandle.ToIntPtr(GCHandle.Alloc(target));

    public static T Get<T>(nint handle, string name) where T : class
    {
        if (handle == 0) throw new InvalidHandleException($"{name}: expected a {Kind<T>()} handle, found NULL");
        var target = GCHandle.FromIntPtr(handle).Target;
        return target as T ?? throw new InvalidHandleException($"{name}: expected a {Kind<T>()} handle, found {(target is null ? "an empty handle" : "a " + KindOf(target) + " handle")}");
    }

    /// <summary>Frees the handle and disposes what it holds; NULL is allowed and does nothing, as with free().</summary>
    public static void Free<T>(nint handle, string name) where T : class, IDisposable
    {
        if (handle == 0) return;
        var target = Get<T>(handle, name);
        GCHandle.FromIntPtr(handle).Free();
        target.Dispose();
    }

    private static string Kind<T>() => typeof(T) == typeof(Inference.InferenceModel) ? "model" : "session";

    private static string KindOf(object target) => target is Inference.InferenceModel ? "model" : "session";
}
