using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.IO;
using SimdRnn.Model;

namespace SimdRnn.Tests.IO;

/// <summary>Small networks, data and file surgery for the IO tests.</summary>
internal static class ModelFiles
{
    public static Network<float> Network(CellEntry cell, int hidden = 5, int layers = 2, int seed = 7, int steps = 4, int inputs = 3, int classes = 4)
    {
        var network = new Network<float>(new NetworkShape(cell, steps, inputs, hidden, layers, classes));
        Initializer.Initialize<float>(network.Shape, network.Parameters, seed);
        network.ParametersChanged();
        return network;
    }

    /// <summary>Random sequences with labels that depend on them, so training has something to learn.</summary>
    public static SequenceDataset Data(int count, int steps = 4, int inputs = 3, int classes = 4, int seed = 3)
    {
        var random = new Random(seed);
        var values = new float[count * steps * inputs];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            int label = random.Next(classes);
            labels[n] = label;
            for (int i = 0; i < steps * inputs; i++) values[n * steps * inputs + i] = random.NextSingle() + (i % classes == label ? 0.5f : 0f);
        }

        return new SequenceDataset(values, labels, steps, inputs, classes);
    }

    /// <summary>The logits [count, C] of the first <paramref name="count"/> sequences.</summary>
    public static float[] Logits(Network<float> network, SequenceDataset data, int count)
    {
        using var ws = network.CreateWorkspace(count);
        for (int r = 0; r < count; r++) ws.SetSequence(r, count, data, r);
        network.Forward(ws, count);
        return ws.Outputs.AsSpan(0, count * network.Shape.Outputs).ToArray();
    }

    /// <summary>A safetensors file of the given tensors (values 0.01 * index) and metadata.</summary>
    public static void WriteTensors(string path, IEnumerable<(string Name, int[] Shape)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.Select(t =>
        {
            int count = t.Shape.Aggregate(1, (a, b) => a * b);
            return new TensorToWrite(t.Name, t.Shape, Enumerable.Range(0, count).Select(i => i * 0.01f).ToArray());
        }).ToList();
        SafetensorsWriter.Write(path, list, metadata);
    }

    /// <summary>The tensors PyTorch's <c>nn.{RNN,GRU,LSTM}(inputs, hidden, layers)</c> plus <c>nn.Linear(hidden, classes)</c> has.</summary>
    public static IEnumerable<(string Name, int[] Shape)> PyTorchTensors(int gates, int inputs, int hidden, int layers, int classes)
    {
        for (int l = 0; l < layers; l++)
        {
            yield return ($"rnn.weight_ih_l{l}", [gates * hidden, l == 0 ? inputs : hidden]);
            yield return ($"rnn.weight_hh_l{l}", [gates * hidden, hidden]);
            yield return ($"rnn.bias_ih_l{l}", [gates * hidden]);
            yield return ($"rnn.bias_hh_l{l}", [gates * hidden]);
        }

        yield return ("fc.weight", [classes, hidden]);
        yield return ("fc.bias", [classes]);
    }

    /// <summary>Splits a file into its header JSON and its data, and puts one back together.</summary>
    public static (string Json, byte[] Data) Split(byte[] file)
    {
        int length = (int)BitConverter.ToUInt64(file, 0);
        return (System.Text.Encoding.UTF8.GetString(file, 8, length), file[(8 + length)..]);
    }

    public static byte[] Join(string json, byte[] data, ulong? claimedLength = null)
    {
        byte[] header = System.Text.Encoding.UTF8.GetBytes(json);
        return [.. BitConverter.GetBytes(claimedLength ?? (ulong)header.Length), .. header, .. data];
    }
}
