using SimdRnn.Cells;
using SimdRnn.Kernels;
using Xunit;

namespace SimdRnn.Generators.Tests;

/// <summary>
/// The generated code indexes whole vectors (<c>j += TLanes.Count</c>): the 256- and 512-bit lanes must give what
/// the scalar lanes give, element for element, up to the vector math's approximation.
/// </summary>
public class VectorLanesTests
{
    private const int H = 32;

    public static TheoryData<string> Cells => [.. BuiltIn.Keys];

    private static readonly Dictionary<string, Action> BuiltIn = new()
    {
        ["rnn"] = Run<RnnCell>,
        ["rnn-relu"] = Run<RnnReluCell>,
        ["lstm"] = Run<LstmCell>,
        ["gru"] = Run<GruCell>,
        ["gru-tf"] = Run<GruTfCell>,
        ["mgu"] = Run<MguCell>,
        ["lstm-peephole"] = Run<LstmPeepholeCell>,
        ["indrnn"] = Run<IndRnnCell>,
        ["cifg-lstm"] = Run<CifgLstmCell>,
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public void VectorLanes_MatchScalarLanes(string cell) => BuiltIn[cell]();

    private static void Run<TCell>() where TCell : ICell
    {
        var info = TCell.Info;
        Buffers scalar = new(info), v128 = new(info), v256 = new(info), v512 = new(info);

        Step<TCell, ScalarLanes<float>>(scalar);
        Step<TCell, Lanes128>(v128);
        Step<TCell, Lanes256>(v256);
        Step<TCell, Lanes512>(v512);
        foreach (var (name, expected) in scalar.Outputs())
        {
            foreach (var (lanes, buffers) in new[] { ("Lanes128", v128), ("Lanes256", v256), ("Lanes512", v512) })
            {
                var got = buffers.Outputs().Single(o => o.Name == name).Values;
                for (int i = 0; i < expected.Length; i++)
                {
                    Assert.True(Math.Abs(expected[i] - got[i]) <= 1e-4f, $"{info.Name} {name}[{i}]: scalar {expected[i]}, {lanes} {got[i]}");
                }
            }
        }
    }

    private static void Step<TCell, TLanes>(Buffers b)
        where TCell : ICell
        where TLanes : struct, ILanes<TLanes, float>
    {
        var step = new CellStep<float>
        {
            Hidden = H,
            XProj = b.XProj, HProj = b.HProj, RProj = b.RProj, HPrev = b.HPrev, StatePrev = b.StatePrev, Params = b.Params,
            Gates = b.Gates, StateNew = b.StateNew, HNew = b.HNew, RInput = b.RInput,
            dHNew = b.DHNew, dStateNew = b.DStateNew, dRInput = b.DRInput,
            dXProj = b.DXProj, dHProj = b.DHProj, dRProj = b.DRProj, dHPrev = b.DHPrev, dStatePrev = b.DStatePrev, dParams = b.DParams,
        };
        TCell.ForwardRecurrentInput<TLanes, float>(in step, 1, 0, H);
        TCell.Forward<TLanes, float>(in step, 1, 0, H);
        TCell.BackwardRecurrentInput<TLanes, float>(in step, 1, 0, H);
        TCell.Backward<TLanes, float>(in step, 1, 0, H);
    }

    private sealed class Buffers
    {
        public readonly float[] XProj, HProj, RProj, HPrev, StatePrev, Params;
        public readonly float[] Gates, StateNew, HNew, RInput;
        public readonly float[] DHNew, DStateNew, DRInput;
        public readonly float[] DXProj, DHProj, DRProj, DHPrev, DStatePrev, DParams;

        /// <summary>The same random inputs for every instance of a cell.</summary>
        public Buffers(CellInfo info)
        {
            var random = new Random(7);
            float[] Random(int length) => [.. Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 4) - 2))];
            XProj = Random(info.GateCount * H);
            HProj = Random(info.OutputRecurrentGates * H);
            RProj = Random(info.ExpressionRecurrentGates * H);
            HPrev = Random(H);
            StatePrev = Random(info.StateCount * H);
            Params = Random(info.ParameterCount * H);
            DHNew = Random(H);
            DStateNew = Random(info.StateCount * H);
            DRInput = Random(H);
            Gates = new float[info.GateCount * H];
            StateNew = new float[info.StateCount * H];
            HNew = new float[H];
            RInput = new float[H];
            DXProj = new float[XProj.Length];
            DHProj = new float[HProj.Length];
            DRProj = new float[RProj.Length];
            DHPrev = new float[H];
            DStatePrev = new float[StatePrev.Length];
            DParams = new float[Params.Length];
        }

        public IEnumerable<(string Name, float[] Values)> Outputs() =>
        [
            ("Gates", Gates), ("StateNew", StateNew), ("HNew", HNew), ("RInput", RInput),
            ("dXProj", DXProj), ("dHProj", DHProj), ("dRProj", DRProj), ("dHPrev", DHPrev), ("dStatePrev", DStatePrev), ("dParams", DParams),
        ];
    }
}
