#!/usr/bin/env bash
# bench/macro/run.sh [--quick] [--rounds N] [--only signing,send,live,anvil] [--note TEXT] [--out FILE]
# FastLoad's macro benchmark, one command: provisions what it compares against (native/install.sh --with-wrk
# --with-ethers: wrk, npm ethers, the C sign loop, anvil), builds FastLoad (Release, when sources changed), then runs
# bench/macro/macro.py: each pair A B A B ..., medians and ratios printed as a table and written as JSON under
# bench/results/ (bench/macro/table.py FILE prints that table again). --quick: under 3 minutes, for CI and development.
# It measures the build ./fastload runs: the Native AOT binary by default, the JIT build with FASTLOAD_JIT=1.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
case " $* " in *" -h "*|*" --help "*) exec python3 "$root/bench/macro/macro.py" --help ;; esac
command -v python3 >/dev/null 2>&1 || { echo "bench/macro/run.sh: python3 not found; install Python 3.9+ (apt-get install python3)" >&2; exit 3; }
"$root/native/install.sh" --quiet --with-wrk --with-ethers
"$root/fastload" --version >/dev/null   # builds when sources changed (see ./fastload), and says which build it ran
exec python3 "$root/bench/macro/macro.py" --fastload "$(cat "$root/src/Runner/bin/launched")" "$@"
