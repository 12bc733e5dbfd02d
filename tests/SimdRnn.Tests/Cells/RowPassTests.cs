using System.Reflection;
using FsCheck;
using FsCheck.Fluent;
using SimdRnn.Cells;
using SimdRnn.Kernels;
using Xunit;

namespace SimdRnn.Tests.Cells;

/// <summary>
/// A generated pass over a step's rows at once (as the layers call it) is, bit for bit, the pass run on each row
/// alone (<see cref="CellStep{T}.Row"/>, one row at a time, as the layers called it before): every buffer's rows lie
/// where the engine puts them, and the elementwise parameters' gradient gathers the rows in row order. On the
/// scalar lanes and on each vector width, for any number of rows and any whole number of vectors per row.
/// </summary>
public sealed class RowPassTests
{
    // Every cell type of the engine (StepGraphTests checks that this is every built-in cell).
    [Theory]
    [MemberData(nameof(StepGraphTests.CellTypes), MemberType = typeof(StepGraphTests))]
    public void PassOverRows_IsEachRowsPass(string typeName)
    {
        var type = typeof(CellCatalog).Assembly.GetType(typeName)!;
        var check = typeof(RowPassTests).GetMethod(nameof(Agrees), BindingFlags.NonPublic | BindingFlags.Static)!;
        var cases =
            from rows in Gen.Choose(1, 7)
            from vectors in Gen.Choose(1, 3)
            from lanes in Gen.Elements(0, 1, 2, 3)
            from seed in ArbMap.Default.GeneratorFor<int>()
            select (rows, vectors, lanes, seed);
        var property = Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var lanesType = c.lanes switch { 0 => typeof(ScalarLanes<float>), 1 => typeof(Lanes128), 2 => typeof(Lanes256), _ => typeof(Lanes512) };
            int count = c.lanes switch { 0 => 1, 1 => 4, 2 => 8, _ => 16 };
            return (bool)check.MakeGenericMethod(type, lanesType).Invoke(null, [c.rows, c.vectors * count + (c.lanes == 0 ? 2 : 0), c.seed])!;
        });
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }

    private static bool Agrees<TCell, TLanes>(int rows, int hidden, int seed)
        where TCell : ICell
        where TLanes : struct, ILanes<TLanes, float>
    {
        var info = TCell.Info;
        Buffers together = new(info, rows, hidden, seed), alone = new(info, rows, hidden, seed);

        var all = together.Step();
        TCell.ForwardRecurrentInput<TLanes, float>(in all, rows, 0, hidden);
        TCell.Forward<TLanes, float>(in all, rows, 0, hidden);
        TCell.BackwardRecurrentInput<TLanes, float>(in all, rows, 0, hidden);
        TCell.Backward<TLanes, float>(in all, rows, 0, hidden);

        // The layers' order: each pass over every row before the next pass.
        var each = alone.Step();
        for (int r = 0; r < rows; r++) { var row = each.Row(info, r); TCell.ForwardRecurrentInput<TLanes, float>(in row, 1, 0, hidden); }
        for (int r = 0; r < rows; r++) { var row = each.Row(info, r); TCell.Forward<TLanes, float>(in row, 1, 0, hidden); }
        for (int r = 0; r < rows; r++) { var row = each.Row(info, r); TCell.BackwardRecurrentInput<TLanes, float>(in row, 1, 0, hidden); }
        for (int r = 0; r < rows; r++) { var row = each.Row(info, r); TCell.Backward<TLanes, float>(in row, 1, 0, hidden); }

        foreach (var ((name, expected), (_, got)) in alone.Outputs().Zip(together.Outputs()))
        {
            for (int i = 0; i < expected.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(got[i]))
                {
                    throw new Xunit.Sdk.XunitException($"{info.Name}, {typeof(TLanes).Name}, {rows} rows of {hidden}: {name}[{i}] is {got[i]} over the rows, {expected[i]} row by row");
                }
            }
        }

        return true;
    }

    private sealed class Buffers
    {
        private readonly int hidden;
        private readonly float[] xProj, hProj, rProj, hPrev, statePrev, parameters;
        private readonly float[] gates, stateNew, hNew, rInput;
        private readonly float[] dHNew, dStateNew, dRInput;
        private readonly float[] dXProj, dHProj, dRProj, dHPrev, dStatePrev, dParams;

        /// <summary>The same random inputs for the same seed; each row-sized buffer holds <paramref name="rows"/> rows.</summary>
        public Buffers(CellInfo info, int rows, int hidden, int seed)
        {
            this.hidden = hidden;
            var random = new Random(seed);
            float[] Random(int length) => [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 4 - 2))];
            int perRow = rows * hidden;
            xProj = Random(info.GateCount * perRow);
            hProj = Random(info.OutputRecurrentGates * perRow);
            rProj = Random(info.ExpressionRecurrentGates * perRow);
            hPrev = Random(perRow);
            statePrev = Random(info.StateCount * perRow);
            parameters = Random(info.ParameterCount * hidden);
            dHNew = Random(perRow);
            dStateNew = Random(info.StateCount * perRow);
            dRInput = Random(perRow);
            dParams = Random(info.ParameterCount * hidden);   // accumulated into, so not zero
            gates = new float[xProj.Length];
            stateNew = new float[statePrev.Length];
            hNew = new float[perRow];
            rInput = new float[perRow];
            dXProj = new float[xProj.Length];
            dHProj = new float[hProj.Length];
            dRProj = new float[rProj.Length];
            dHPrev = new float[perRow];
            dStatePrev = new float[statePrev.Length];
        }

        public CellStep<float> Step() => new()
        {
            Hidden = hidden,
            XProj = xProj, HProj = hProj, RProj = rProj, HPrev = hPrev, StatePrev = statePrev, Params = parameters,
            Gates = gates, StateNew = stateNew, HNew = hNew, RInput = rInput,
            dHNew = dHNew, dStateNew = dStateNew, dRInput = dRInput,
            dXProj = dXProj, dHProj = dHProj, dRProj = dRProj, dHPrev = dHPrev, dStatePrev = dStatePrev, dParams = dParams,
        };

        public IEnumerable<(string Name, float[] Values)> Outputs() =>
        [
            ("Gates", gates), ("StateNew", stateNew), ("HNew", hNew), ("RInput", rInput),
            ("dXProj", dXProj), ("dHProj", dHProj), ("dRProj", dRProj), ("dHPrev", dHPrev), ("dStatePrev", dStatePrev), ("dParams", dParams),
        ];
    }
}
