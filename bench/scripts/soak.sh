#!/usr/bin/env bash
# Memory soak: one long fixed-rate run against a local anvil, then FastLoad's memory over the run from the results
# file's per-second samples (rss_mb, managed_heap_mb). Exits 1 if memory still climbs after the first minute.
#
# Usage: bench/scripts/soak.sh [DURATION=10m] [RATE=2000] [extra `fastload run` flags...]
#   SOAK_MAX_SLOPE   most MB/min that RSS and the managed heap may climb after the first minute (default 1.0):
#                    the least-squares slope over the samples from 60 s on. 1 MB/min is 9 MB over the last 9 minutes
#                    of a 10-minute run, against 27 MB/min measured before the fix; sampling noise stays well under it.
#   SOAK_OUT         results file (default results/soak-<time>.duckdb; kept)
#   SOAK_WALLETS     wallets (default 500)
# The anvil is started like `fastload run` starts its own (1 s blocks, 1G gas limit, chain 31337) on a free loopback
# port, and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10m}
RATE=${2:-2000}
shift $(( $# > 2 ? 2 : $# ))
MAX_SLOPE=${SOAK_MAX_SLOPE:-1.0}
OUT=${SOAK_OUT:-results/soak-$(date -u +%Y%m%dT%H%M%SZ).duckdb}
WALLETS=${SOAK_WALLETS:-500}
DEV_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 # anvil's first dev account

native/install.sh --quiet
ANVIL=${FASTLOAD_ANVIL:-native/.deps/bin/anvil}
mkdir -p "$(dirname "$OUT")"

# A free loopback port: nothing answers a connect there.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=
for _ in $(seq 50); do
  candidate=$(( 20000 + RANDOM % 40000 ))
  if ! port_in_use "$candidate"; then PORT=$candidate; break; fi
done
[ -n "$PORT" ] || { echo "soak: no free loopback port found" >&2; exit 2; }

"$ANVIL" --host 127.0.0.1 --port "$PORT" --block-time 1 --gas-limit 1000000000 --chain-id 31337 --silent > /dev/null 2>&1 &
ANVIL_PID=$!
trap 'kill $ANVIL_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do port_in_use "$PORT" && break; sleep 0.1; done
port_in_use "$PORT" || { echo "soak: anvil did not start on port $PORT" >&2; exit 2; }

echo "soak: $DURATION at $RATE tx/s against anvil on 127.0.0.1:$PORT, results in $OUT"
FASTLOAD_FUNDER_KEY=$DEV_KEY ./fastload run --rpc "http://127.0.0.1:$PORT" --rate "$RATE" --duration "$DURATION" \
  --wallets "$WALLETS" --no-live --quiet --out "$OUT" "$@"

# One row per second (the process figures are the same in every node's row).
SERIES="(SELECT t_s, any_value(rss_mb) AS rss, any_value(managed_heap_mb) AS heap FROM samples GROUP BY t_s)"
echo
echo "Memory (MiB) at 1 min, every 5 min and at the end:"
./fastload query "$OUT" "
  SELECT t_s, round(rss, 1) AS rss_mb, round(heap, 1) AS managed_heap_mb FROM $SERIES
  WHERE t_s = 60 OR t_s % 300 = 0 OR t_s = (SELECT max(t_s) FROM samples) ORDER BY t_s"
echo "After the first minute (slope: least squares over every second, MB/min):"
./fastload query "$OUT" "
  SELECT 'rss' AS series, round(min(rss), 1) AS min_mb, round(max(rss), 1) AS max_mb, round(60 * regr_slope(rss, t_s), 3) AS slope_mb_per_min
  FROM $SERIES WHERE t_s >= 60
  UNION ALL
  SELECT 'managed_heap', round(min(heap), 1), round(max(heap), 1), round(60 * regr_slope(heap, t_s), 3)
  FROM $SERIES WHERE t_s >= 60"
echo "Whole run: RSS $(./fastload query "$OUT" --format csv "SELECT round(min(rss), 1) || ' to ' || round(max(rss), 1) || ' MiB, managed heap ' || round(min(heap), 1) || ' to ' || round(max(heap), 1) || ' MiB' FROM $SERIES" | tail -1 | tr -d '"')"

# Verdict: both slopes at most MAX_SLOPE (a run shorter than 2 minutes has too few samples to judge).
verdict=$(./fastload query "$OUT" --format csv "
  SELECT CASE WHEN count(*) < 60 THEN 'short'
              WHEN 60 * regr_slope(rss, t_s) <= $MAX_SLOPE AND 60 * regr_slope(heap, t_s) <= $MAX_SLOPE THEN 'flat'
              ELSE 'climbing' END
  FROM $SERIES WHERE t_s >= 60" | tail -1)
case "$verdict" in
  flat) echo "PASS: memory is flat after the first minute (both slopes <= $MAX_SLOPE MB/min)" ;;
  short) echo "soak: fewer than 60 samples after the first minute; run at least 2m to judge" >&2; exit 2 ;;
  *) echo "FAIL: memory climbs after the first minute (a slope > $MAX_SLOPE MB/min)"; exit 1 ;;
esac
