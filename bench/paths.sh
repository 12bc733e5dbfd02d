#!/usr/bin/env bash
# The newer training paths against the last-step classifier's, in GFLOP/s of the same formula (TrainingFlops),
# alternating rounds of `simdrnn bench` in one run: a per-step head (a character model over a text file),
# bidirectional layers, and (bench --lengths) sequences of mixed lengths against one fixed length.
#   bench/paths.sh [rounds=3] [text-file=fortunes from /usr/share/games/fortunes]
# Prints the CPU and SIMD path, then one line per path: the medians and the ratio to the base path.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
text=${2:-}
simdrnn=${SIMDRNN:-src/Cli/bin/Release/net10.0/simdrnn}
[ -x "$simdrnn" ] || dotnet build src/Cli -c Release >/dev/null
"$simdrnn" data fetch >/dev/null
if [ -z "$text" ]; then
  text=$(mktemp --suffix .txt)
  trap 'rm -f "$text"' EXIT
  cat /usr/share/games/fortunes/*.u8 > "$text" 2>/dev/null || { echo "no text file given and no fortunes (apt install fortunes)" >&2; exit 1; }
fi

median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
gflops() { "$simdrnn" bench --seconds 6 --json "$@" 2>/dev/null | sed -E 's/.*"gflops":([0-9.eE+-]+).*/\1/'; }

"$simdrnn" bench --peak | head -1
base=() perstep=() bidirectional=()
for ((round = 1; round <= rounds; round++)); do
  base+=("$(gflops)")
  perstep+=("$(gflops --data-format text --train "$text" --steps 28)")
  bidirectional+=("$(gflops --bidirectional)")
done
b=$(printf '%s\n' "${base[@]}" | median)
for name in perstep bidirectional; do
  declare -n values=$name
  v=$(printf '%s\n' "${values[@]}" | median)
  awk -v n="$name" -v v="$v" -v b="$b" 'BEGIN { printf "%-14s %6.1f GFLOP/s against %6.1f for the last-step classifier: %.3f\n", n, v, b, v / b }'
done
"$simdrnn" bench --lengths 1-28 --seconds 30 2>/dev/null
