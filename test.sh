#!/usr/bin/env bash
# Runs every test: provisions native parts (anvil; chromium for the report tests; hardhat, the second node; libsecp256k1 and
# libduckdb come from NuGet with the build) first, then the xunit suite (unit, generator, vectors, integration against real anvil and hardhat nodes). Extra args go to dotnet test,
# e.g. ./test.sh --filter "FullyQualifiedName~Vectors".
set -uo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
"$root/native/install.sh" --with-chromium --with-hardhat --with-prometheus || exit 1
mkdir -p "$root/TestResults"
log="$root/TestResults/test.log"
dotnet test "$root/tests/FastLoad.Tests.csproj" -c Release --nologo "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# One plain closing line: "N passed, N failed".
summary="$(grep -E '(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+' "$log" | tail -n 1)"
if [ -n "$summary" ]; then
  failed="$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$summary")"
  passed="$(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$summary")"
  skipped="$(sed -E 's/.*Skipped: +([0-9]+),.*/\1/' <<<"$summary")"
  echo "tests: $passed passed, $failed failed, $skipped skipped"
else
  echo "tests: 0 passed, 1 failed (no test summary: the build or the test host failed, see above)"
  [ "$rc" -ne 0 ] || rc=1
fi
exit "$rc"
