using SharpFuzz;
using SimdRnn.Cells;
using SimdRnn.Data;
using SimdRnn.IO;

// One AFL++ target per reader: each input is written to a file and read as the command line would, and only
// the reader's documented exception may come out. Anything else (and a hang, which AFL++ times out) is a find.
string target = args.Length == 1 ? args[0] : throw new ArgumentException("usage: SimdRnn.Fuzz idx|safetensors|csv");
string path = Path.Combine(Path.GetTempPath(), $"simdrnn-fuzz-{Environment.ProcessId}.input");

Action<string> read = target switch
{
    "idx" => file =>
    {
        try
        {
            IdxReader.ReadImages(file);
        }
        catch (DataFormatException)
        {
        }

        try
        {
            IdxReader.ReadLabels(file);
        }
        catch (DataFormatException)
        {
        }
    },
    "safetensors" => file =>
    {
        try
        {
            using var model = ModelFile.Load(file, CellCatalog.BuiltIn);
        }
        catch (ModelFormatException)
        {
        }
    },
    "csv" => file =>
    {
        try
        {
            CsvDataset.Load(file, steps: 3, inputs: 2);
        }
        catch (DataFormatException)
        {
        }
    },
    _ => throw new ArgumentException($"unknown target '{target}'; expected idx, safetensors or csv"),
};

Fuzzer.OutOfProcess.Run(stream =>
{
    using (var file = File.Create(path))
    {
        stream.CopyTo(file);
    }

    read(path);
});
