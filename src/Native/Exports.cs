using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SimdRnn.Inference;

namespace SimdRnn.Native;

/// <summary>
/// The C functions of include/simdrnn.h. Every function returns a <see cref="Status"/> and never lets an
/// exception cross into C: a failure sets the calling thread's message for <c>simdrnn_last_error</c>.
/// Models and sessions travel as opaque pointers: <see cref="GCHandle"/>s of the managed objects.
/// </summary>
public static unsafe class Exports
{
    [UnmanagedCallersOnly(EntryPoint = "simdrnn_version", CallConvs = [typeof(CallConvCdecl)])]
    public static byte* Version() => Errors.Version;

    [UnmanagedCallersOnly(EntryPoint = "simdrnn_last_error", CallConvs = [typeof(CallConvCdecl)])]
    public static byte* LastError() => Errors.Last;

    [UnmanagedCallersOnly(EntryPoint = "simdrnn_load", CallConvs = [typeof(CallConvCdecl)])]
    public static int Load(byte* path, nint* model)
    {
        try
        {
            Errors.Clear();
            if (model == null) return Errors.Set(Status.InvalidArgument, "model: expected a pointer to receive the model, found NULL");
            *model = 0;
            if (path == null) return Errors.Set(Status.InvalidArgument, "path: expected a file path, found NULL");
            string file = Marshal.PtrToStringUTF8((nint)path)!;
            *model = Handles.Create(InferenceModel.Load(file));
            return (int)Status.Ok;
        }
        catch (Exception e)
        {
            return Errors.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "simdrnn_load_memory", CallConvs = [typeof(CallConvCdecl)])]
    public static int LoadMemory(byte* bytes, nuint length, nint* model)
    {
        try
        {
            Errors.Clear();
            if (model == null) return Errors.Set(Status.InvalidArgument, "model: expected a pointer to receive the model, found NULL");
            *model = 0;
            if (bytes == null && length > 0) return Errors.Set(Status.InvalidArgument, "bytes: expected the file's bytes, found NULL");
            if (length > int.MaxValue) return Errors.Set(Status.InvalidArgument, $"length: expected at most {int.MaxValue} bytes, found {length}");
            *model = Handles.Create(InferenceModel.Load(new ReadOnlySpan<byte>(bytes, (int)length)));
            return (int)Status.Ok;
        }
        catch (Exception e)
        {
            return Errors.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "simdrnn_model_info", CallConvs = [typeof(CallConvCdecl)])]
    public static int ModelInfo(nint model, int* steps, int* inputs, int* classes)
    {
        try
        {
            Errors.Clear();
            var target = Handles.Get<InferenceModel>(model, "model");
            if (steps != null) *steps = target.Steps;
            if (inputs != null) *inputs = target.Inputs;
            if (classes != null) *classes = target.Outputs;
            return (int)Status.Ok;
        }
        catch (Exception e)
        {
            return Errors.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "simdrnn_model_head", CallConvs = [typeof(CallConvCdecl)])]
    public static int ModelHead(nint model, int* kind, int* outputsPerSequence)
    {
        try
        {
            Errors.Clear();
            var target = Handles.Get<InferenceModel>(model, "model");
            if (kind != null) *kind = (int)target.Shape.Head.Kind;
            if (outputsPerSequence != null) *outputsPerSequence = target.OutputsPerSequence;
            return (int)Status.Ok;
        }
        catch (Exception e)
        {
            return Errors.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "simdrnn_session_bytes", CallConvs = [typeof(CallConvCdecl)])]
    public static int SessionBytes(nint model, int maxBatch, long* bytes)
    {
        try
        {
            Errors.Clear();
            if (bytes == null) return Errors.Set(Status.InvalidArgument, "bytes: expected a pointer to receive the byte count, found NULL");
            *bytes = InferenceSession.RequiredBytes(Handles.Get<InferenceModel>(model, "model"), maxBatch);
            return (int)Status.Ok;
        }
        catch (Exception e)
        {
            return Errors.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "simdrnn_model_free", CallConvs = [typeof(CallConvCdecl)])]
    public static int ModelFree(nint model)
    {
        try
        {
            Errors.Clear();
            Handles.Free<InferenceModel>(model, "model");
            return (int)Status.Ok;
        }
        catch (Exception e)
        {
            return Errors.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "simdrnn_session_create", CallConvs = [typeof(CallConvCdecl)])]
    public static int SessionCreate(nint model, int maxBatch, nint* session)
    {
        try
        {
            Errors.Clear();
            if (session == null) return Errors.Set(Status.InvalidArgument, "session: expected a pointer to receive the session, found NULL");
            *session = 0;
            var target = Handles.Get<InferenceModel>(model, "model");
            if (maxBatch < 1) return Errors.Set(Status.InvalidArgument, $"max_batch: expected at least 1, found {maxBatch}");
            *session = Handles.Create(new InferenceSession(target, maxBatch));
            return (int)Status.Ok;
        }
        catch (Exception e)
        {
            return Errors.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "simdrnn_session_free", CallConvs = [typeof(CallConvCdecl)])]
    public static int SessionFree(nint session)
    {
        try
        {
            Errors.Clear();
            Handles.Free<InferenceSession>(session, "session");
            return (int)Status.Ok;
        }
        catch (Exception e)
        {
            return Errors.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "simdrnn_predict", CallConvs = [typeof(CallConvCdecl)])]
    public static int Predict(nint session, float* sequences, int count, float* probabilities) => PredictLengths(session, sequences, count, null, probabilities);

    [UnmanagedCallersOnly(EntryPoint = "simdrnn_predict_lengths", CallConvs = [typeof(CallConvCdecl)])]
    public static int PredictWithLengths(nint session, float* sequences, int count, int* lengths, float* probabilities) => PredictLengths(session, sequences, count, lengths, probabilities);

    // lengths NULL: every sequence has T steps.
    private static int PredictLengths(nint session, float* sequences, int count, int* lengths, float* probabilities)
    {
        try
        {
            Errors.Clear();
            var target = Handles.Get<InferenceSession>(session, "session");
            if (count < 0) return Errors.Set(Status.InvalidArgument, $"count: expected 0 or more sequences, found {count}");
            if (count > 0 && (sequences == null || probabilities == null))
            {
                return Errors.Set(Status.InvalidArgument, sequences == null ? "sequences: expected values, found NULL" : "probabilities: expected room for the probabilities, found NULL");
            }

            var model = target.Model;
            long values = (long)count * model.Steps * model.Inputs, rows = (long)count * model.OutputsPerSequence;
            if (values > int.MaxValue || rows > int.MaxValue) return Errors.Set(Status.InvalidArgument, $"count: {count} sequences are more than one call can take");
            var sequenceLengths = lengths == null ? default : new ReadOnlySpan<int>(lengths, count);
            target.Predict(new ReadOnlySpan<float>(sequences, (int)values), count, sequenceLengths, new Span<float>(probabilities, (int)rows));
            return (int)Status.Ok;
        }
        catch (Exception e)
        {
            return Errors.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "simdrnn_step", CallConvs = [typeof(CallConvCdecl)])]
    public static int Step(nint session, float* input, int streams, float* probabilities)
    {
        try
        {
            Errors.Clear();
            var target = Handles.Get<InferenceSession>(session, "session");
            if (streams < 1 || streams > target.MaxBatch) return Errors.Set(Status.InvalidArgument, $"streams: expected 1 to {target.MaxBatch} (the session's max_batch), found {streams}");
            if (input == null) return Errors.Set(Status.InvalidArgument, "input: expected values, found NULL");
            var model = target.Model;
            var output = probabilities == null ? default : new Span<float>(probabilities, streams * model.Outputs);
            target.Step(new ReadOnlySpan<float>(input, streams * model.Inputs), output);
            return (int)Status.Ok;
        }
        catch (Exception e)
        {
            return Errors.From(e);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "simdrnn_reset", CallConvs = [typeof(CallConvCdecl)])]
    public static int Reset(nint session, int stream)
    {
        try
        {
            Errors.Clear();
            var target = Handles.Get<InferenceSession>(session, "session");
            if (stream == -1) target.Reset();
            else if (stream < 0 || stream >= target.MaxBatch) return Errors.Set(Status.InvalidArgument, $"stream: expected -1 (all) or 0 to {target.MaxBatch - 1}, found {stream}");
            else target.Reset(stream);
            return (int)Status.Ok;
        }
        catch (Exception e)
        {
            return Errors.From(e);
        }
    }
}
