namespace SimdRnn.Tests.Sweep;

/// <summary>
/// The records of a sweep of two cells (without its last newline): finished points at 1 and 3 epochs, an
/// LSTM at lr 0.1 at chance level after epoch 1, an RNN whose loss became NaN in epoch 2; and the first half
/// of a record, as a sweep killed during a write leaves it.
/// </summary>
public static class ReportFixture
{
    public const string Torn = """{"key":"cell=gru lr=0.01 batch=128 hidden=128 layers=1 seed=1 limit=1000 epochs=1","cell":"gru","learning_rat""";

    public const string Results = """
        {"key":"cell=lstm lr=0.01 batch=128 hidden=128 layers=1 seed=1 limit=1000 epochs=1","cell":"lstm","learning_rate":0.01,"batch":128,"hidden":128,"layers":1,"seed":1,"limit":1000,"epochs":1,"status":"done","reason":null,"cost":[0.9],"test_accuracy":[0.85],"final_accuracy":0.85,"seconds":2.5,"samples_per_second":400,"optimizer":"adam","clip":5,"schedule":"constant","threads":2,"simd":"Vector256","version":"0.1.0"}
        {"key":"cell=lstm lr=0.01 batch=128 hidden=128 layers=1 seed=1 limit=1000 epochs=3","cell":"lstm","learning_rate":0.01,"batch":128,"hidden":128,"layers":1,"seed":1,"limit":1000,"epochs":3,"status":"done","reason":null,"cost":[0.9,0.4,0.2],"test_accuracy":[0.85,0.93,0.97],"final_accuracy":0.97,"seconds":7.5,"samples_per_second":400,"optimizer":"adam","clip":5,"schedule":"constant","threads":2,"simd":"Vector256","version":"0.1.0"}
        {"key":"cell=lstm lr=0.001 batch=128 hidden=128 layers=1 seed=1 limit=1000 epochs=1","cell":"lstm","learning_rate":0.001,"batch":128,"hidden":128,"layers":1,"seed":1,"limit":1000,"epochs":1,"status":"done","reason":null,"cost":[1.3],"test_accuracy":[0.8],"final_accuracy":0.8,"seconds":2.5,"samples_per_second":400,"optimizer":"adam","clip":5,"schedule":"constant","threads":2,"simd":"Vector256","version":"0.1.0"}
        {"key":"cell=lstm lr=0.001 batch=128 hidden=128 layers=1 seed=1 limit=1000 epochs=3","cell":"lstm","learning_rate":0.001,"batch":128,"hidden":128,"layers":1,"seed":1,"limit":1000,"epochs":3,"status":"done","reason":null,"cost":[1.3,0.7,0.5],"test_accuracy":[0.8,0.88,0.91],"final_accuracy":0.91,"seconds":7.5,"samples_per_second":400,"optimizer":"adam","clip":5,"schedule":"constant","threads":2,"simd":"Vector256","version":"0.1.0"}
        {"key":"cell=lstm lr=0.1 batch=128 hidden=256 layers=1 seed=1 limit=1000 epochs=1","cell":"lstm","learning_rate":0.1,"batch":128,"hidden":256,"layers":1,"seed":1,"limit":1000,"epochs":1,"status":"diverged","reason":"Training diverged: test accuracy 0.1032 is at chance level (0.10) after epoch 1: the network is not learning. Try a lower learning rate (--lr 0.001) or gradient clipping (--clip 5).","cost":[3.8],"test_accuracy":[0.1032],"final_accuracy":0.1032,"seconds":2.5,"samples_per_second":400,"optimizer":"adam","clip":5,"schedule":"constant","threads":2,"simd":"Vector256","version":"0.1.0"}
        {"key":"cell=lstm lr=0.1 batch=128 hidden=256 layers=1 seed=1 limit=1000 epochs=3","cell":"lstm","learning_rate":0.1,"batch":128,"hidden":256,"layers":1,"seed":1,"limit":1000,"epochs":3,"status":"diverged","reason":"Training diverged: test accuracy 0.1032 is at chance level (0.10) after epoch 1: the network is not learning. Try a lower learning rate (--lr 0.001) or gradient clipping (--clip 5).","cost":[3.8],"test_accuracy":[0.1032],"final_accuracy":0.1032,"seconds":2.5,"samples_per_second":400,"optimizer":"adam","clip":5,"schedule":"constant","threads":2,"simd":"Vector256","version":"0.1.0"}
        {"key":"cell=rnn lr=0.01 batch=128 hidden=128 layers=1 seed=1 limit=1000 epochs=1","cell":"rnn","learning_rate":0.01,"batch":128,"hidden":128,"layers":1,"seed":1,"limit":1000,"epochs":1,"status":"done","reason":null,"cost":[1.1],"test_accuracy":[0.64],"final_accuracy":0.64,"seconds":2.5,"samples_per_second":400,"optimizer":"adam","clip":5,"schedule":"constant","threads":2,"simd":"Vector256","version":"0.1.0"}
        {"key":"cell=rnn lr=0.01 batch=128 hidden=128 layers=1 seed=1 limit=1000 epochs=3","cell":"rnn","learning_rate":0.01,"batch":128,"hidden":128,"layers":1,"seed":1,"limit":1000,"epochs":3,"status":"diverged","reason":"Training diverged: the loss became NaN in epoch 2. Try a lower learning rate (--lr 0.001) or gradient clipping (--clip 5).","cost":[1.1],"test_accuracy":[0.64],"final_accuracy":0.64,"seconds":2.5,"samples_per_second":400,"optimizer":"adam","clip":5,"schedule":"constant","threads":2,"simd":"Vector256","version":"0.1.0"}
        {"key":"cell=rnn lr=0.001 batch=128 hidden=256 layers=1 seed=1 limit=1000 epochs=1","cell":"rnn","learning_rate":0.001,"batch":128,"hidden":256,"layers":1,"seed":1,"limit":1000,"epochs":1,"status":"done","reason":null,"cost":[0.7],"test_accuracy":[0.86],"final_accuracy":0.86,"seconds":2.5,"samples_per_second":400,"optimizer":"adam","clip":5,"schedule":"constant","threads":2,"simd":"Vector256","version":"0.1.0"}
        {"key":"cell=rnn lr=0.001 batch=128 hidden=256 layers=1 seed=1 limit=1000 epochs=3","cell":"rnn","learning_rate":0.001,"batch":128,"hidden":256,"layers":1,"seed":1,"limit":1000,"epochs":3,"status":"done","reason":null,"cost":[0.7,0.3,0.2],"test_accuracy":[0.86,0.9,0.95],"final_accuracy":0.95,"seconds":7.5,"samples_per_second":400,"optimizer":"adam","clip":5,"schedule":"constant","threads":2,"simd":"Vector256","version":"0.1.0"}
        """;

    /// <summary>Writes the records and the torn line as <c>results.jsonl</c> in <paramref name="directory"/>.</summary>
    public static string Write(string directory)
    {
        File.WriteAllText(Path.Combine(directory, SimdRnn.Cli.SweepResults.FileName), Results + "\n" + Torn);
        return directory;
    }
}
