#!/usr/bin/env bash
# The hot-path microbenchmarks of BASE (a git ref, default origin/main or main) and of the working tree, run one after
# the other on this machine with the same settings, then compared: FAIL (exit 1) when the working tree allocates more
# on a hot path than BASE or than bench/baseline/alloc.json, or is slower than BASE by more than --max-slowdown
# (default 25 %). The bench workflow runs this on every pull request; run it locally the same way:
#   bench/scripts/compare-pr.sh                  # against main
#   bench/scripts/compare-pr.sh HEAD~3 '*Keccak*'   # against a ref, only the benchmarks matching a filter
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
base_ref="${1:-}"
filter="${2:-*}"
max_slowdown="${MAX_SLOWDOWN:-25}"
if [ -z "$base_ref" ]; then
  if git -C "$root" rev-parse --verify -q origin/main >/dev/null; then base_ref=origin/main; else base_ref=main; fi
fi
git -C "$root" rev-parse --verify -q "$base_ref^{commit}" >/dev/null || { echo "compare-pr: '$base_ref' is not a commit of this repository: give a branch, tag or hash" >&2; exit 2; }
work="$(mktemp -d /tmp/fastload-bench-XXXXXX)"
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add -q --detach "$work/base" "$base_ref"
# The base tree gets the working tree's native deps (nothing native is built by the benchmarks themselves).
[ -e "$root/native/.deps" ] && [ ! -e "$work/base/native/.deps" ] && ln -s "$root/native/.deps" "$work/base/native/.deps"

run() { # tree, artifacts folder
  dotnet build "$1/bench/FastLoad.Benchmarks.csproj" -c Release --nologo -v q -clp:ErrorsOnly
  # In-process (no per-benchmark project build), the short job, hot-path benchmarks only, JSON for the comparison.
  (cd "$1" && dotnet bench/bin/Release/net10.0/FastLoad.Benchmarks.dll --filter "$filter" --anyCategories hot-path \
     --inProcess --job short --exporters json --artifacts "$2" >"$2.log" 2>&1) || { echo "compare-pr: the benchmarks failed in $1 (see $2.log)" >&2; exit 2; }
}
echo "compare-pr: base $base_ref ($(git -C "$root" rev-parse --short "$base_ref")), head: the working tree; filter $filter"
run "$work/base" "$work/base-results"
run "$root" "$work/head-results"
dotnet "$root/bench/bin/Release/net10.0/FastLoad.Benchmarks.dll" compare "$work/base-results" "$work/head-results" \
  --max-slowdown "$max_slowdown" --alloc-baseline "$root/bench/baseline/alloc.json"
