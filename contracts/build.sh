#!/usr/bin/env bash
# contracts/build.sh - compile contracts/*.sol into contracts/build/NAME.bin + NAME.abi with solc-js from npm
# (pinned below; solc-js is the compiler built to WebAssembly, so it runs offline once installed).
#
# Installs solc into native/.deps/solc/ when missing (npm, needs Node.js; idempotent: a matching stamp skips it).
# The compiled files are committed; a test compiles again into a temporary folder and checks they match.
#
# Usage: contracts/build.sh [--out DIR] [--install-only] [--quiet|-q] [--help|-h]
#   --out DIR        write the .bin/.abi files into DIR instead of contracts/build/
#   --install-only   only make sure solc is installed
#   --quiet          print nothing on success
set -Eeuo pipefail

SOLC_NPM_VERSION=0.8.37

ME=contracts/build.sh
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
ROOT="$(dirname "$HERE")"
OUT="$HERE/build"
INSTALL_ONLY=0
QUIET=0
while [ $# -gt 0 ]; do
    case "$1" in
        --out) [ $# -ge 2 ] || { echo "$ME: --out needs a folder" >&2; exit 2; }; OUT="$2"; shift ;;
        --install-only) INSTALL_ONLY=1 ;;
        -q|--quiet) QUIET=1 ;;
        -h|--help) awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) printf '%s: unknown argument %q (try --help)\n' "$ME" "$1" >&2; exit 2 ;;
    esac
    shift
done
say() { if [ "$QUIET" = 0 ]; then printf 'contracts: %s\n' "$*" >&2; fi; }

SOLC_DIR="$ROOT/native/.deps/solc"
STAMP="$SOLC_DIR/.stamp"
MODULE="$SOLC_DIR/node_modules/solc"
command -v node >/dev/null 2>&1 || { echo "$ME: node (Node.js) is not installed: apt-get install nodejs" >&2; exit 1; }
if [ "$(cat "$STAMP" 2>/dev/null)" != "solc@$SOLC_NPM_VERSION" ] || [ ! -f "$MODULE/soljson.js" ]; then
    command -v npm >/dev/null 2>&1 || { echo "$ME: npm is not installed: apt-get install npm" >&2; exit 1; }
    say "installing solc $SOLC_NPM_VERSION from npm into native/.deps/solc"
    mkdir -p "$SOLC_DIR"
    [ -f "$SOLC_DIR/package.json" ] || echo '{"private":true}' >"$SOLC_DIR/package.json"
    if ! npm install --prefix "$SOLC_DIR" --no-audit --no-fund --silent --save-exact "solc@$SOLC_NPM_VERSION" >"$SOLC_DIR/npm.log" 2>&1; then
        echo "$ME: npm install solc@$SOLC_NPM_VERSION failed (log: native/.deps/solc/npm.log)" >&2
        exit 1
    fi
    echo "solc@$SOLC_NPM_VERSION" >"$STAMP"
fi
[ "$INSTALL_ONLY" = 1 ] && { say "solc $SOLC_NPM_VERSION ready"; exit 0; }

mkdir -p "$OUT"
if [ "$QUIET" = 1 ]; then
    node "$HERE/compile.js" "$MODULE" "$OUT" >/dev/null
else
    node "$HERE/compile.js" "$MODULE" "$OUT"
fi
