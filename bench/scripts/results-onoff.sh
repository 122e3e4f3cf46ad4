#!/bin/bash
# Results on vs off at --max against the null sink (in its own process), alternating rounds.
# Usage: bench/scripts/results-onoff.sh [duration=15s] [rounds=3] [extra run flags, e.g. --signers 1]
set -u
cd "$(dirname "$0")/../.."
FASTLOAD=./fastload
DURATION=${1:-15s}
ROUNDS=${2:-3}
shift $(( $# > 2 ? 2 : $# ))
PORT=19545
# Wallets derive from the funder key; the sink needs no funds, so anvil's public dev key will do.
export FASTLOAD_FUNDER_KEY=${FASTLOAD_FUNDER_KEY:-0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80}
OUT=$(mktemp -d)
$FASTLOAD sink --port $PORT --quiet > "$OUT/sink.log" 2>&1 &
SINK=$!
trap 'kill $SINK 2>/dev/null; rm -rf "$OUT"' EXIT
sleep 3
for i in $(seq 1 "$ROUNDS"); do
  for mode in off on; do
    if [ $mode = off ]; then results="--no-results"; else results="--out $OUT/run-$i.duckdb"; fi
    line=$($FASTLOAD run --rpc http://127.0.0.1:$PORT --max --duration "$DURATION" --wallets 1000 --quiet "$@" $results 2>&1 | grep -E "^  rate|WARNING")
    echo "round $i results $mode: $line"
  done
done
