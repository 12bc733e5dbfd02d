using SimdRnn.Cells;
using SimdRnn.Kernels;
using Xunit;

namespace SimdRnn.Generators.Tests;

/// <summary>
/// The generated built-in cells run through <see cref="ScalarLanes{T}"/> in double: forward against hand-written
/// references, backward against central finite differences of forward.
/// </summary>
public class NumericTests
{
    private const int H = 3;

    [Fact]
    public void Lstm_Forward_MatchesReference()
    {
        var run = new CellRun<LstmCell>(seed: 1);
        run.Forward();
        for (int j = 0; j < H; j++)
        {
            double Gate(int k) => run.XProj[k * H + j] + run.HProj[k * H + j];
            double i = Sigmoid(Gate(0)), f = Sigmoid(Gate(1)), g = Math.Tanh(Gate(2)), o = Sigmoid(Gate(3));
            double c = f * run.StatePrev[j] + i * g;
            double h = o * Math.Tanh(c);
            AssertClose(i, run.Gates[j], "lstm", "Gates[i]");
            AssertClose(g, run.Gates[2 * H + j], "lstm", "Gates[g]");
            AssertClose(c, run.StateNew[j], "lstm", "StateNew[c]");
            AssertClose(h, run.HNew[j], "lstm", "HNew");
        }
    }

    [Fact]
    public void Gru_Forward_MatchesReference()
    {
        var run = new CellRun<GruCell>(seed: 2);
        run.Forward();
        for (int j = 0; j < H; j++)
        {
            double r = Sigmoid(run.XProj[j] + run.HProj[j]);
            double z = Sigmoid(run.XProj[H + j] + run.HProj[H + j]);
            double n = Math.Tanh(run.XProj[2 * H + j] + r * run.HProj[2 * H + j]);
            double h = (1 - z) * n + z * run.HPrev[j];
            AssertClose(n, run.Gates[2 * H + j], "gru", "Gates[n]");
            AssertClose(h, run.HNew[j], "gru", "HNew");
        }
    }

    [Fact]
    public void GruTf_TwoStageForward_MatchesReference()
    {
        var run = new CellRun<GruTfCell>(seed: 3);
        run.Forward();
        for (int j = 0; j < H; j++)
        {
            double r = Sigmoid(run.XProj[j] + run.HProj[j]);
            double z = Sigmoid(run.XProj[H + j] + run.HProj[H + j]);
            double n = Math.Tanh(run.XProj[2 * H + j] + run.RProj[j]);
            AssertClose(r * run.HPrev[j], run.RInput[j], "gru-tf", "RInput");
            AssertClose(z * run.HPrev[j] + (1 - z) * n, run.HNew[j], "gru-tf", "HNew");
        }
    }

    [Fact]
    public void BuiltInInfo_DescribesTheSpecs()
    {
        Assert.Equal(["i", "f", "g", "o"], LstmCell.Info.Gates.Select(g => g.Name));
        Assert.Equal(1f, LstmCell.Info.Gates[1].BiasInit);
        Assert.Equal(Recurrence.Expression, GruTfCell.Info.Gates[2].Recurrence);
        Assert.Equal("r * h", GruTfCell.Info.RecurrentInput);
        Assert.Null(GruCell.Info.RecurrentInput);
        Assert.Equal(0, IndRnnCell.Info.RecurrentGates);
        Assert.Equal(1f, IndRnnCell.Info.Parameters[0].InitHigh);
        Assert.Matches("^[0-9a-f]{16}$", LstmCell.Info.SpecHash);
        Assert.NotEqual(LstmCell.Info.SpecHash, CifgLstmCell.Info.SpecHash);
    }

    [Fact] public void Rnn_Backward_MatchesFiniteDifferences() => CheckGradients<RnnCell>();

    [Fact] public void RnnRelu_Backward_MatchesFiniteDifferences() => CheckGradients<RnnReluCell>();

    [Fact] public void Lstm_Backward_MatchesFiniteDifferences() => CheckGradients<LstmCell>();

    [Fact] public void Gru_Backward_MatchesFiniteDifferences() => CheckGradients<GruCell>();

    [Fact] public void GruTf_Backward_MatchesFiniteDifferences() => CheckGradients<GruTfCell>();

    [Fact] public void Mgu_Backward_MatchesFiniteDifferences() => CheckGradients<MguCell>();

    [Fact] public void LstmPeephole_Backward_MatchesFiniteDifferences() => CheckGradients<LstmPeepholeCell>();

    [Fact] public void IndRnn_Backward_MatchesFiniteDifferences() => CheckGradients<IndRnnCell>();

    [Fact] public void CifgLstm_Backward_MatchesFiniteDifferences() => CheckGradients<CifgLstmCell>();

    /// <summary>
    /// Every operator and function of the language, both recurrences, two states, a parameter and c', in a spec
    /// compiled here and loaded, then checked like the built-in cells.
    /// </summary>
    [Fact]
    public void EveryConstruct_Backward_MatchesFiniteDifferences()
    {
        const string source = """
            using SimdRnn.Cells;

            namespace Exotic;

            [RecurrentCell("exotic")]
            [Gate("a", Activation.HardSigmoid)]
            [Gate("b", Activation.Identity, PreActivation = "x_b - h_b / (2 + a * a)")]
            [Gate("e", Activation.Sigmoid, PreActivation = "x_e + exp(-c') * q", RecurrentInput = "a * h + m")]
            [Gate("r", Activation.Relu, PreActivation = "x_r + 0.5 * h_r + 3")]
            [State("m", "a * m + (1 - a) * tanh(b)")]
            [State("c", "sigmoid(c + b) / (1 + exp(b)) + r")]
            [Parameter("q", InitLow = -1f, InitHigh = 1f)]
            [Output("h", "e * m - c / 2 + hard_sigmoid(h_e) - -r")]
            public partial class ExoticCell;
            """;
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        Assert.True(emit.Success, "exotic cell does not compile:\n" + string.Join("\n", emit.Diagnostics));
        var type = System.Reflection.Assembly.Load(stream.ToArray()).GetType("Exotic.ExoticCell", throwOnError: true)!;
        var check = typeof(NumericTests).GetMethod(nameof(CheckGradients), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        try
        {
            check.MakeGenericMethod(type).Invoke(null, null);
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
        }
    }

    private static void CheckGradients<TCell>() where TCell : ICell
    {
        var name = TCell.Info.Name;
        for (int seed = 10; seed < 13; seed++)
        {
            var run = new CellRun<TCell>(seed);
            var random = new Random(seed + 100);
            var w1 = Vector(random, H);
            var w2 = Vector(random, TCell.Info.StateCount * H);
            var w3 = Vector(random, TCell.Info.RecurrentInput is null ? 0 : H);

            double Loss()
            {
                run.Forward();
                double loss = 0;
                for (int i = 0; i < w1.Length; i++) loss += w1[i] * run.HNew[i];
                for (int i = 0; i < w2.Length; i++) loss += w2[i] * run.StateNew[i];
                for (int i = 0; i < w3.Length; i++) loss += w3[i] * run.RInput[i];
                return loss;
            }

            const double accumulated = 0.25;
            Loss();
            run.Backward(w1, w2, w3, dParamsBefore: accumulated);

            var dParams = run.DParams.Select(v => v - accumulated).ToArray();
            Compare(name, "dXProj", run.XProj, run.DXProj, Loss);
            // A cell that shares the projections' gradient writes only dXProj; the engine reads it as dHProj.
            Compare(name, "dHProj", run.HProj, TCell.Info.SharedProjectionGradient ? run.DXProj : run.DHProj, Loss);
            Compare(name, "dRProj", run.RProj, run.DRProj, Loss);
            Compare(name, "dHPrev", run.HPrev, run.DHPrev, Loss);
            Compare(name, "dStatePrev", run.StatePrev, run.DStatePrev, Loss);
            Compare(name, "dParams", run.Params, dParams, Loss);
        }
    }

    private static void Compare(string cell, string tensor, double[] input, double[] analytic, Func<double> loss)
    {
        const double epsilon = 1e-6;
        Assert.True(input.Length == analytic.Length, $"{cell} {tensor}: {analytic.Length} adjoints for {input.Length} inputs");
        double worst = 0;
        for (int i = 0; i < input.Length; i++)
        {
            double saved = input[i];
            input[i] = saved + epsilon;
            double plus = loss();
            input[i] = saved - epsilon;
            double minus = loss();
            input[i] = saved;
            double numeric = (plus - minus) / (2 * epsilon);
            double error = Math.Abs(numeric - analytic[i]) / Math.Max(1, Math.Abs(numeric));
            worst = Math.Max(worst, error);
            Assert.True(error < 1e-6, $"{cell} {tensor}[{i}]: backward {analytic[i]:R}, finite difference {numeric:R}");
        }

        loss();
        Assert.True(worst < 1e-6, $"{cell} {tensor}: largest relative difference {worst:E2}");
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static void AssertClose(double expected, double actual, string cell, string tensor) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"{cell} {tensor}: expected {expected:R}, generated {actual:R}");

    private static double[] Vector(Random random, int length) => [.. Enumerable.Range(0, length).Select(_ => (random.NextDouble() * 2) - 1)];

    /// <summary>All buffers of one step of a cell, in double, with random inputs.</summary>
    [Fact] public void Lstm_InPlace_GivesTheSeparateBuffersResults() => CheckInPlace<LstmCell>();

    [Fact] public void Gru_InPlace_GivesTheSeparateBuffersResults() => CheckInPlace<GruCell>();

    [Fact] public void GruTf_InPlace_GivesTheSeparateBuffersResults() => CheckInPlace<GruTfCell>();

    [Fact] public void LstmPeephole_InPlace_GivesTheSeparateBuffersResults() => CheckInPlace<LstmPeepholeCell>();

    [Fact] public void Mgu_InPlace_GivesTheSeparateBuffersResults() => CheckInPlace<MguCell>();

    [Fact] public void IndRnn_InPlace_GivesTheSeparateBuffersResults() => CheckInPlace<IndRnnCell>();

    /// <summary>
    /// What <see cref="CellInfo.GatesOverwriteXProj"/> promises the engine: forward writing the gates over the input
    /// projections, then backward writing their gradients over the gates, gives the bits of separate buffers.
    /// </summary>
    private static void CheckInPlace<TCell>() where TCell : ICell
    {
        Assert.True(TCell.Info.GatesOverwriteXProj, $"{TCell.Info.Name}: the generator did not allow the gates over the projections");
        var separate = new CellRun<TCell>(seed: 11);
        var inPlace = new CellRun<TCell>(seed: 11, inPlace: true);
        var random = new Random(12);
        var dHNew = Vector(random, H);
        var dStateNew = Vector(random, TCell.Info.StateCount * H);
        var dRInput = Vector(random, TCell.Info.RecurrentInput is null ? 0 : H);
        foreach (var run in new[] { separate, inPlace })
        {
            run.Forward();
        }

        Assert.Equal(separate.Gates, inPlace.Gates);
        Assert.Equal(separate.StateNew, inPlace.StateNew);
        Assert.Equal(separate.HNew, inPlace.HNew);
        Assert.Equal(separate.RInput, inPlace.RInput);
        foreach (var run in new[] { separate, inPlace })
        {
            run.Backward(dHNew, dStateNew, dRInput, dParamsBefore: 0);
        }

        Assert.Equal(separate.DXProj, inPlace.DXProj);
        Assert.Equal(separate.DHProj, inPlace.DHProj);
        Assert.Equal(separate.DRProj, inPlace.DRProj);
        Assert.Equal(separate.DHPrev, inPlace.DHPrev);
        Assert.Equal(separate.DStatePrev, inPlace.DStatePrev);
        Assert.Equal(separate.DParams, inPlace.DParams);
    }

    /// <summary>A step's buffers; <paramref name="inPlace"/>: the gates and dXProj share the input projections' array, as in training.</summary>
    private sealed class CellRun<TCell> where TCell : ICell
    {
        public CellRun(int seed, bool inPlace = false)
        {
            var info = TCell.Info;
            var random = new Random(seed);
            XProj = Vector(random, info.GateCount * H);
            HProj = Vector(random, info.OutputRecurrentGates * H);
            RProj = Vector(random, info.ExpressionRecurrentGates * H);
            HPrev = Vector(random, H);
            StatePrev = Vector(random, info.StateCount * H);
            Params = Vector(random, info.ParameterCount * H);
            Gates = inPlace ? XProj : new double[info.GateCount * H];
            StateNew = new double[info.StateCount * H];
            HNew = new double[H];
            RInput = new double[H];
            DXProj = inPlace ? XProj : new double[XProj.Length];
            DHProj = new double[HProj.Length];
            DRProj = new double[RProj.Length];
            DHPrev = new double[H];
            DStatePrev = new double[StatePrev.Length];
            DParams = new double[Params.Length];
        }

        public double[] XProj { get; }
        public double[] HProj { get; }
        public double[] RProj { get; }
        public double[] HPrev { get; }
        public double[] StatePrev { get; }
        public double[] Params { get; }
        public double[] Gates { get; }
        public double[] StateNew { get; }
        public double[] HNew { get; }
        public double[] RInput { get; }
        public double[] DXProj { get; }
        public double[] DHProj { get; }
        public double[] DRProj { get; }
        public double[] DHPrev { get; }
        public double[] DStatePrev { get; }
        public double[] DParams { get; }

        /// <summary>Stage 1 then the step, as the engine runs a two-stage cell (RProj stays an independent input here).</summary>
        public void Forward()
        {
            var step = Step();
            TCell.ForwardRecurrentInput<ScalarLanes<double>, double>(in step, 1, 0, H);
            TCell.Forward<ScalarLanes<double>, double>(in step, 1, 0, H);
        }

        /// <summary>Stage A then the backward step, with the loss's adjoints as incoming adjoints.</summary>
        public void Backward(double[] dHNew, double[] dStateNew, double[] dRInput, double dParamsBefore)
        {
            // Poison every output so a missing write shows.
            foreach (var buffer in new[] { DXProj, DHProj, DRProj, DHPrev, DStatePrev }.Where(b => b != Gates))
            {
                Array.Fill(buffer, double.NaN);
            }

            Array.Fill(DParams, dParamsBefore);
            var step = Step();
            step.dHNew = dHNew;
            step.dStateNew = dStateNew;
            step.dRInput = dRInput.Length == 0 ? new double[H] : dRInput;
            TCell.BackwardRecurrentInput<ScalarLanes<double>, double>(in step, 1, 0, H);
            TCell.Backward<ScalarLanes<double>, double>(in step, 1, 0, H);
        }

        private CellStep<double> Step() => new()
        {
            Hidden = H,
            XProj = XProj,
            HProj = HProj,
            RProj = RProj,
            HPrev = HPrev,
            StatePrev = StatePrev,
            Params = Params,
            Gates = Gates,
            StateNew = StateNew,
            HNew = HNew,
            RInput = RInput,
            dXProj = DXProj,
            dHProj = DHProj,
            dRProj = DRProj,
            dHPrev = DHPrev,
            dStatePrev = DStatePrev,
            dParams = DParams,
        };
    }
}
