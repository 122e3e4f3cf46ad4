#!/usr/bin/env bash
# The allocation-only quick form of the microbenchmarks (CI runs it after the tests): every hot-path benchmark
# in-process, bytes per operation against bench/baseline/alloc.json; exit 1 when any allocates more.
# Refresh the baseline after a deliberate change: bench/scripts/alloc-check.sh --write-baseline bench/baseline/alloc.json
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
dotnet build "$root/bench/FastLoad.Benchmarks.csproj" -c Release --nologo -v q -clp:ErrorsOnly
cd "$root"
exec dotnet bench/bin/Release/net10.0/FastLoad.Benchmarks.dll alloc-check --baseline bench/baseline/alloc.json "$@"
