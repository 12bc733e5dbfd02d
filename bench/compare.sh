#!/usr/bin/env bash
# Training throughput of SimdRnn and the libtorch peer (../shared/peers/torchsharp), side by side in one run:
# for each configuration, alternating rounds of `simdrnn bench` and the peer, then the medians and their ratio as a
# Markdown table row. Each peer round trains 4 short epochs and counts its fastest after the first (which
# includes warm-up): on a shared 2-core host libtorch's epochs are bimodal, e.g. 1,683, 2,014, 5,251, 5,218 and
# 5,327 samples/s in one lstm-128 run (Zen 5; not malloc trimming, not OpenMP's wait policy: both tried), so a
# fixed epoch measured whichever mode it fell in. The best epoch is the peer's figure most favourable to it.
#   bench/compare.sh [rounds=3] [threads=2]
# It first prints the CPU, the SIMD path (DOTNET_EnableAVX512=0 runs the Vector256 path on an AVX-512 machine)
# and the load average.
# On the Vector256 path the peer is held to AVX2 as well, as it would be on an AVX2-only machine: libtorch picks
# the instruction set of each of its three libraries on its own (ATen's kernels, oneDNN, which runs its LSTM
# forward and backward, and MKL's GEMM), so all three are capped; `ONEDNN_VERBOSE=1` shows `brgemm:avx2`.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
threads=${2:-2}
simdrnn=${SIMDRNN:-src/Cli/bin/Release/net10.0/simdrnn}
peer=${PEER:-../shared/peers/torchsharp/run.sh}
[ -x "$simdrnn" ] || dotnet build src/Cli -c Release >/dev/null
data=$("$simdrnn" data path)
"$simdrnn" data fetch >/dev/null

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

machine=$("$simdrnn" bench --peak | head -1)
peer_isa=()
if [[ $machine == *Vector256* ]]; then
  peer_isa=(ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2)
fi
echo "$machine; $(uptime | sed -E 's/.*(load average.*)/\1/')${peer_isa[*]:+; peer: ${peer_isa[*]}}"
echo "| cell | hidden | batch | threads | SimdRnn samples/s | libtorch samples/s | ratio | SimdRnn GFLOP/s | fraction of peak |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for config in "lstm 128 128" "gru 128 128" "rnn 128 128" "lstm 256 256"; do
  set -- $config
  cell=$1 hidden=$2 batch=$3
  ours=() theirs=() gflops=() fraction=()
  for ((round = 1; round <= rounds; round++)); do
    json=$("$simdrnn" bench --cell "$cell" --hidden "$hidden" --batch "$batch" --threads "$threads" --seconds 10 --json 2>/dev/null)
    ours+=("$(sed -E 's/.*"samples_per_second":([0-9.eE+-]+).*/\1/' <<<"$json")")
    gflops+=("$(sed -E 's/.*"gflops":([0-9.eE+-]+).*/\1/' <<<"$json")")
    fraction+=("$(sed -E 's/.*"peak_fraction":([0-9.eE+-]+).*/\1/' <<<"$json")")
    best=$(env "${peer_isa[@]}" "$peer" "$data" --cell "$cell" --hidden "$hidden" --batch "$batch" --threads "$threads" --epochs 4 --limit $((batch * 100)) 2>/dev/null |
      sed -nE '/^epoch=[2-9]/s/.*samples_per_s=([0-9.]+).*/\1/p' | sort -g | tail -1) || best=
    [ -n "$best" ] || { echo "compare.sh: the peer ($peer) failed or printed no epoch after the first for $cell-$hidden, round $round" >&2; exit 1; }
    theirs+=("$best")
  done
  o=$(printf '%s\n' "${ours[@]}" | median)
  t=$(printf '%s\n' "${theirs[@]}" | median)
  g=$(printf '%s\n' "${gflops[@]}" | median)
  f=$(printf '%s\n' "${fraction[@]}" | median)
  awk -v c="$cell" -v h="$hidden" -v b="$batch" -v n="$threads" -v o="$o" -v t="$t" -v g="$g" -v f="$f" \
    'BEGIN { printf "| %s | %d | %d | %d | %.0f | %.0f | %.2fx | %.1f | %.0f%% |\n", c, h, b, n, o, t, o / t, g, 100 * f }'
done
