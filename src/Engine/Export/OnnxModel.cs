using System.Runtime.InteropServices;
using Google.Protobuf;

namespace SimdRnn.Export;

// The few ONNX messages the exporter writes, and their protobuf encoding. Field numbers are onnx.proto's;
// only the fields used here are written.

/// <summary>A tensor's element type (onnx.proto <c>TensorProto.DataType</c>).</summary>
internal enum OnnxType
{
    Float = 1,
    Int32 = 6,
    Int64 = 7,
    Bool = 9,
}

/// <summary>A constant tensor: an initializer or an attribute value.</summary>
internal sealed record OnnxTensor(string Name, long[] Dims, OnnxType Type, float[]? Floats = null, long[]? Int64s = null);

/// <summary>A graph input or output: a tensor (float unless said) whose dimensions are sizes or named symbols (<c>batch</c>).</summary>
internal sealed record OnnxValue(string Name, OnnxDim[]? Dims, OnnxType Type = OnnxType.Float);

/// <summary>A dimension: a fixed size, or a symbol the runtime binds.</summary>
internal readonly record struct OnnxDim(long Size, string? Symbol)
{
    public static implicit operator OnnxDim(long size) => new(size, null);

    public static implicit operator OnnxDim(string symbol) => new(0, symbol);
}

internal sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, string? String = null, long[]? Ints = null, string[]? Strings = null, OnnxGraph? Graph = null, OnnxTensor? Tensor = null);

internal sealed record OnnxNode(string OpType, string Name, string[] Inputs, string[] Outputs, OnnxAttribute[] Attributes);

internal sealed record OnnxGraph(string Name, IReadOnlyList<OnnxNode> Nodes, IReadOnlyList<OnnxTensor> Initializers, IReadOnlyList<OnnxValue> Inputs, IReadOnlyList<OnnxValue> Outputs, string Doc);

internal sealed record OnnxModelProto(long IrVersion, int Opset, string ProducerName, string ProducerVersion, OnnxGraph Graph, IReadOnlyList<KeyValuePair<string, string>> Metadata, string Doc);

/// <summary>Protobuf encoding of the messages above through Google.Protobuf's <see cref="CodedOutputStream"/>.</summary>
internal static class OnnxEncoding
{
    public static byte[] Encode(OnnxModelProto model) => Message(output =>
    {
        Int64(output, 1, model.IrVersion);                // ModelProto.ir_version
        String(output, 2, model.ProducerName);            // producer_name
        String(output, 3, model.ProducerVersion);         // producer_version
        String(output, 6, model.Doc);                     // doc_string
        Nested(output, 7, Graph(model.Graph));            // graph
        Nested(output, 8, Message(opset =>                // opset_import: the default domain
        {
            String(opset, 1, "");                         // OperatorSetIdProto.domain
            Int64(opset, 2, model.Opset);                 // version
        }));
        foreach (var (key, value) in model.Metadata)
        {
            Nested(output, 14, Message(entry =>           // metadata_props
            {
                String(entry, 1, key);                    // StringStringEntryProto.key
                String(entry, 2, value);                  // value
            }));
        }
    });

    private static byte[] Graph(OnnxGraph graph) => Message(output =>
    {
        foreach (var node in graph.Nodes) Nested(output, 1, Node(node));                 // GraphProto.node
        String(output, 2, graph.Name);                                                  // name
        foreach (var tensor in graph.Initializers) Nested(output, 5, Tensor(tensor));   // initializer
        if (graph.Doc.Length > 0) String(output, 10, graph.Doc);                        // doc_string
        foreach (var value in graph.Inputs) Nested(output, 11, Value(value));           // input
        foreach (var value in graph.Outputs) Nested(output, 12, Value(value));          // output
    });

    private static byte[] Node(OnnxNode node) => Message(output =>
    {
        foreach (var input in node.Inputs) String(output, 1, input);      // NodeProto.input
        foreach (var name in node.Outputs) String(output, 2, name);       // output
        String(output, 3, node.Name);                                     // name
        String(output, 4, node.OpType);                                   // op_type
        foreach (var attribute in node.Attributes) Nested(output, 5, Attribute(attribute));   // attribute
    });

    // AttributeProto.type: FLOAT 1, INT 2, STRING 3, TENSOR 4, GRAPH 5, INTS 7, STRINGS 8.
    private static byte[] Attribute(OnnxAttribute attribute) => Message(output =>
    {
        String(output, 1, attribute.Name);                                // name
        if (attribute.Float is float f)
        {
            output.WriteTag(2, WireFormat.WireType.Fixed32);              // f
            output.WriteFloat(f);
            Int64(output, 20, 1);
        }
        else if (attribute.Int is long i)
        {
            Int64(output, 3, i);                                          // i
            Int64(output, 20, 2);
        }
        else if (attribute.String is string s)
        {
            String(output, 4, s);                                         // s
            Int64(output, 20, 3);
        }
        else if (attribute.Tensor is { } t)
        {
            Nested(output, 5, Tensor(t));                                 // t
            Int64(output, 20, 4);
        }
        else if (attribute.Graph is { } g)
        {
            Nested(output, 6, Graph(g));                                  // g
            Int64(output, 20, 5);
        }
        else if (attribute.Ints is { } ints)
        {
            foreach (long value in ints) Int64(output, 8, value);        // ints
            Int64(output, 20, 7);
        }
        else if (attribute.Strings is { } strings)
        {
            foreach (var value in strings) String(output, 9, value);      // strings
            Int64(output, 20, 8);
        }
        else
        {
            throw new InvalidOperationException($"attribute '{attribute.Name}' has no value");
        }
    });

    private static byte[] Tensor(OnnxTensor tensor) => Message(output =>
    {
        foreach (long dim in tensor.Dims) Int64(output, 1, dim);         // TensorProto.dims
        Int64(output, 2, (long)tensor.Type);                              // data_type
        if (tensor.Name.Length > 0) String(output, 8, tensor.Name);       // name
        ReadOnlySpan<byte> raw = tensor.Type == OnnxType.Float
            ? MemoryMarshal.AsBytes(tensor.Floats.AsSpan())
            : MemoryMarshal.AsBytes(tensor.Int64s.AsSpan());
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data is little-endian");
        output.WriteTag(9, WireFormat.WireType.LengthDelimited);          // raw_data
        output.WriteBytes(ByteString.CopyFrom(raw));
    });

    private static byte[] Value(OnnxValue value) => Message(output =>
    {
        String(output, 1, value.Name);                                    // ValueInfoProto.name
        Nested(output, 2, Message(type =>                                 // type: TypeProto
            Nested(type, 1, Message(tensor =>                             // tensor_type: TypeProto.Tensor
            {
                Int64(tensor, 1, (long)value.Type);                       // elem_type
                if (value.Dims is null) return;
                Nested(tensor, 2, Message(shape =>                        // shape: TensorShapeProto
                {
                    foreach (var dim in value.Dims)
                    {
                        Nested(shape, 1, Message(d =>                     // dim
                        {
                            if (dim.Symbol is null) Int64(d, 1, dim.Size);   // dim_value
                            else String(d, 2, dim.Symbol);                   // dim_param
                        }));
                    }
                }));
            }))));
    });

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        using (var output = new CodedOutputStream(stream, leaveOpen: true))
        {
            write(output);
        }

        return stream.ToArray();
    }

    private static void Nested(CodedOutputStream output, int field, byte[] message)
    {
        // A nested message is encoded as a length-delimited field, exactly as bytes are.
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(UnsafeByteOperations.UnsafeWrap(message));
    }

    private static void Int64(CodedOutputStream output, int field, long value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
    }

    private static void String(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }
}
