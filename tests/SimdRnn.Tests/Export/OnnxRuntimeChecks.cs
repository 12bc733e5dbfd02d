using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SimdRnn.Export;

namespace SimdRnn.Tests.Export;

/// <summary>Runs exported models in ONNX Runtime.</summary>
internal static class OnnxRuntimeChecks
{
    public static InferenceSession Session(byte[] model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        return new InferenceSession(model, options);
    }

    /// <summary>The named outputs of one run, as flat arrays.</summary>
    public static Dictionary<string, float[]> Run(InferenceSession session, params (string Name, float[] Values, int[] Dims)[] inputs)
    {
        var values = inputs.Select(i => NamedOnnxValue.CreateFromTensor(i.Name, new DenseTensor<float>(i.Values, i.Dims))).ToList();
        using var results = session.Run(values);
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
    }

    /// <summary>The named outputs of a run of the sequence model with its <c>sequence_lens</c> input.</summary>
    public static Dictionary<string, float[]> RunWithLengths(InferenceSession session, float[] sequences, int[] lengths, int steps, int inputs)
    {
        int count = lengths.Length;
        var values = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, new DenseTensor<float>(sequences, [count, steps, inputs])),
            NamedOnnxValue.CreateFromTensor(OnnxExporter.SequenceLengthsName, new DenseTensor<int>(lengths, [count])),
        };
        using var results = session.Run(values);
        return results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray());
    }

    public static float[] Probabilities(InferenceSession session, float[] sequences, int count, int steps, int inputs) =>
        Run(session, (OnnxExporter.InputName, sequences, [count, steps, inputs]))[OnnxExporter.ProbabilitiesName];

    public static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Xunit.Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int at = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double difference = Math.Abs(expected[i] - actual[i]);
            if (difference > worst) (worst, at) = (difference, i);
        }

        if (!(worst <= tolerance))
        {
            throw new Xunit.Sdk.XunitException($"{what}: largest difference {worst:g3} at {at} (SimdRnn {expected[at]}, ONNX Runtime {actual[at]}), tolerance {tolerance:g3}");
        }
    }
}
