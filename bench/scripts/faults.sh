#!/usr/bin/env bash
# The fault table of the README: for each fault, a run through `fastload sink --upstream ANVIL --faults SPEC`
# (a fault-injecting proxy in front of a real anvil), then the chain is checked directly (not through the proxy).
#
#   bench/scripts/faults.sh [RATE] [DURATION] [WALLETS]      defaults: 200 tx/s, 10s, 50 wallets
#
# Prints one Markdown row per fault: what FastLoad reported, whether rows = txs sent, the nonce gaps left on chain
# (wallets whose latest nonce != pending nonce, and txs queued in anvil's pool after it drained), and whether
# sending stopped on time. Traffic stays on loopback; each run is bounded by --duration and a 3-minute timeout.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
rate="${1:-200}"; duration="${2:-10s}"; wallets="${3:-50}"
"$root/native/install.sh" --quiet
dotnet build "$root/src/Runner/FastLoad.Runner.csproj" -c Release --nologo -v quiet >/dev/null
fastload=(dotnet "$root/src/Runner/bin/Release/net10.0/fastload.dll")
anvil="$root/native/.deps/bin/anvil"
export FASTLOAD_FUNDER_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80  # anvil's public dev account
work="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
rpc() { curl -s -X POST -H 'content-type: application/json' --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":$3}" "http://127.0.0.1:$1"; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

faults=(
  "none|"
  "per-tx error, geth texts|tx-error:nonce-too-low:geth:2%,tx-error:underpriced:geth:1%,tx-error:txpool-full:geth:1%"
  "per-tx error, reth texts|tx-error:nonce-too-low:reth:2%,tx-error:insufficient-funds:reth:1%"
  "per-tx error, hardhat texts|tx-error:nonce-too-low:hardhat:2%,tx-error:replacement-underpriced:hardhat:1%"
  "HTTP 429 (Retry-After: 1)|429:5%:retry-after=1"
  "HTTP 500|500:5%"
  "HTTP 503|503:5%"
  "reset before the request is read|reset-before:3%"
  "reset after it was forwarded|reset-after:3%"
  "response cut mid-body|cut:3%"
  "slow response (500 ms)|slow:5%:delay=500ms"
  "malformed JSON (after forwarding)|malformed:3%"
  "batch reply missing ids|missing-ids:5%"
  "batch reply with extra ids|extra-ids:5%"
  "all of the above, 1 % each|429:1%:retry-after=1,500:1%,503:1%,reset-before:1%,reset-after:1%,cut:1%,slow:1%:delay=500ms,malformed:1%,missing-ids:1%,extra-ids:1%,tx-error:nonce-too-low:geth:1%"
)

echo "| fault | spec | sent | rows | accepted | included | lost answers (landed / in pool / not found) | refused | resyncs | gap re-sends | wallets with a gap | queued after | send span | exit |"
echo "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
n=0
for entry in "${faults[@]}"; do
  name="${entry%%|*}"; spec="${entry#*|}"; n=$((n + 1))
  ap="$(free_port)"
  "$anvil" --port "$ap" --block-time 1 --silent >/dev/null 2>&1 & pids+=($!); anvil_pid=$!
  for _ in $(seq 50); do rpc "$ap" eth_chainId '[]' >/dev/null 2>&1 && break; sleep 0.1; done
  sp="$(free_port)"
  if [ -n "$spec" ]; then "${fastload[@]}" sink --port "$sp" --upstream "http://127.0.0.1:$ap" --faults "$spec" --fault-seed "$n" >"$work/sink$n.log" 2>&1 &
  else "${fastload[@]}" sink --port "$sp" --upstream "http://127.0.0.1:$ap" >"$work/sink$n.log" 2>&1 &
  fi
  pids+=($!); sink_pid=$!
  for _ in $(seq 100); do rpc "$sp" eth_chainId '[]' 2>/dev/null | grep -q result && break; sleep 0.1; done
  out="$work/run$n.duckdb"
  set +e
  timeout 180 "${fastload[@]}" run --rpc "http://127.0.0.1:$sp" --rate "$rate" --duration "$duration" --wallets "$wallets" \
    --seed "faults-$n" --ws none --no-live --out "$out" >"$work/run$n.log" 2>&1
  code=$?
  set -e
  # Let anvil mine what it holds, then read the chain directly.
  for _ in $(seq 50); do rpc "$ap" txpool_status '[]' | grep -q '"pending":"0x0"' && break; sleep 0.2; done
  queued="$(rpc "$ap" txpool_status '[]' | python3 -c 'import json,sys; r=json.load(sys.stdin)["result"]; print(int(r["queued"],16)+int(r["pending"],16))')"
  gaps=0
  while read -r addr; do
    [ -n "$addr" ] || continue
    l="$(rpc "$ap" eth_getTransactionCount "[\"$addr\",\"latest\"]" | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["result"],16))')"
    p="$(rpc "$ap" eth_getTransactionCount "[\"$addr\",\"pending\"]" | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["result"],16))')"
    [ "$l" = "$p" ] || gaps=$((gaps + 1))
  done < <("${fastload[@]}" query "$out" "SELECT address FROM wallets" --format csv 2>/dev/null | tail -n +2)
  row="$("${fastload[@]}" query "$out" "SELECT sent, (SELECT count(*) FROM tx_log), accepted, included, errors, round(duration_s, 2), gap_repairs,
      (SELECT count(*) FILTER (resolution = 'landed') || ' / ' || count(*) FILTER (resolution = 'in_pool') || ' / ' || count(*) FILTER (resolution = 'not_found') FROM txs WHERE outcome IN ('connection_lost', 'no_answer'))
    FROM runs" --format csv | tail -n 1)"
  IFS=, read -r sent rows accepted included refused span repairs lost <<<"$row"
  resyncs="$(grep -oE 'nonce resyncs [0-9,]+' "$work/run$n.log" | grep -oE '[0-9,]+$' || echo '?')"
  echo "| $name | \`${spec:-none}\` | $sent | $rows | $accepted | $included | $lost | $refused | $resyncs | $repairs | $gaps | $queued | $span s | $code |"
  kill "$sink_pid" "$anvil_pid" 2>/dev/null || true
  wait "$sink_pid" "$anvil_pid" 2>/dev/null || true
done
