#!/usr/bin/env bash
# native/install.sh - provision the native parts NuGet cannot give into native/.deps/
# (libsecp256k1 and libduckdb come from NuGet packages Secp256k1.Net and DuckDB.NET.Bindings.Full:
# `dotnet build` restores them and copies them to runtimes/linux-x64/native/ next to the assemblies)
#
#   native/.deps/bin/anvil, cast         from npm @foundry-rs/{anvil,cast}-linux-amd64
#   native/.deps/bin/sign_loop           C baseline, built from native/bench/sign_loop.c (cc, -ldl; it dlopens
#                                        the package's libsecp256k1.so at run time, so no library or header is
#                                        needed to build it)
#   chromium (system, /usr/bin)          only with --with-chromium: headless browser the
#                                        report tests render HTML in (Debian package chromium)
#   native/.deps/hardhat/                only with --with-hardhat: npm hardhat 2.x, the exact tree of
#                                        native/hardhat/package-lock.json (`npm ci`), and a copy of
#                                        native/hardhat/hardhat.config.js; needs Node.js >= 20
#                                        (apt-get install nodejs when node is missing)
#   native/.deps/bin/hardhat-node        only with --with-hardhat: runs `hardhat node` with that config
#   prometheus (system, /usr/bin)        only with --with-prometheus: the Prometheus server the metrics tests
#                                        scrape a live run with (Debian package prometheus, 2.42 on bookworm;
#                                        the tests start their own on a free loopback port, never the service)
#   wrk (system, /usr/bin)               only with --with-wrk: the HTTP load tool the macro benchmark
#                                        (bench/macro/run.sh) compares FastLoad's send path with (Debian package wrk)
#   native/.deps/ethers/                 only with --with-ethers: npm ethers 6.x, for the macro benchmark's
#                                        ethers.js flood script (bench/macro/ethers-flood.mjs); needs Node.js >= 18
#
# Idempotent: a run whose stamp (pinned versions) matches and whose outputs
# exist only prints "native: ok (...)". Change a pin below to re-install.
#
# Usage: native/install.sh [--quiet|-q] [--force|-f] [--with-chromium] [--with-hardhat] [--with-prometheus] [--with-wrk] [--with-ethers] [--help|-h]
#   --quiet          print nothing on success (errors still go to stderr)
#   --force          ignore the stamp and re-check/re-install every part
#   --with-chromium  also make sure `chromium` is on PATH (apt-get install chromium when
#                    it is not; needs root); test.sh passes it, ./fastload does not
#   --with-hardhat   also install hardhat (the integration tests' second node; its own stamp,
#                    native/.deps/hardhat/.stamp); test.sh passes it, ./fastload does not
#   --with-prometheus  also make sure `prometheus` is on PATH (apt-get install prometheus when it
#                    is not; needs root); test.sh passes it, ./fastload does not
#   --with-wrk       also make sure `wrk` is on PATH (apt-get install wrk when it is not; needs root);
#                    bench/macro/run.sh passes it
#   --with-ethers    also install npm ethers (pinned below) into native/.deps/ethers (its own stamp);
#                    bench/macro/run.sh passes it
set -Eeuo pipefail

# ---------------------------------------------------------------- pins ------
CHROMIUM_DEB_PKG=chromium             # not pinned: whatever the distribution has (bookworm-security)
PROMETHEUS_DEB_PKG=prometheus         # not pinned: whatever the distribution has (bookworm: 2.42)
WRK_DEB_PKG=wrk                       # not pinned: whatever the distribution has (bookworm: 4.1.0)
ETHERS_VERSION=6.17.0                 # latest 6.x on npm (2026-11-29); only for the macro benchmark's JS comparison
ETHERS_NODE_MIN_MAJOR=18              # the oldest Node.js ethers 6 supports
ANVIL_NPM_PKG=@foundry-rs/anvil-linux-amd64
CAST_NPM_PKG=@foundry-rs/cast-linux-amd64
FOUNDRY_VERSION=1.7.1
HARDHAT_VERSION=2.29.1                # latest 2.x on npm (2026-11-29); the exact tree is native/hardhat/package-lock.json
NODE_MIN_MAJOR=20                     # hardhat 2.29's EDR (@nomicfoundation/edr 0.12) needs Node.js >= 20
NODE_DEB_PKG=nodejs                   # not pinned: whatever apt has (Debian bookworm: 18, too old; NodeSource: 20+)
STAMP_FORMAT=2                        # 2: libsecp256k1/libduckdb moved to NuGet
# ---------------------------------------------------------------------------

ME=native/install.sh
QUIET=0
FORCE=0
WITH_CHROMIUM=0
WITH_HARDHAT=0
WITH_PROMETHEUS=0
WITH_WRK=0
WITH_ETHERS=0
for arg in "$@"; do
    case "$arg" in
        -q|--quiet) QUIET=1 ;;
        -f|--force) FORCE=1 ;;
        --with-chromium) WITH_CHROMIUM=1 ;;
        --with-hardhat) WITH_HARDHAT=1 ;;
        --with-prometheus) WITH_PROMETHEUS=1 ;;
        --with-wrk) WITH_WRK=1 ;;
        --with-ethers) WITH_ETHERS=1 ;;
        -h|--help) awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) printf '%s: unknown argument %q (try --help)\n' "$ME" "$arg" >&2; exit 2 ;;
    esac
done

NATIVE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
DEPS="$NATIVE_DIR/.deps"
LEGACY_LIB="$DEPS/lib"            # stamp format 1 only (copies of the libraries now from NuGet); removed on the slow path
BIN="$DEPS/bin"
NPM_DIR="$DEPS/npm"
LOGS="$DEPS/logs"
STAMP="$DEPS/.stamp"
SIGN_SRC="$NATIVE_DIR/bench/sign_loop.c"
SIGN_BIN="$BIN/sign_loop"
HARDHAT_SRC="$NATIVE_DIR/hardhat"
HARDHAT_DIR="$DEPS/hardhat"
HARDHAT_BIN="$BIN/hardhat-node"
HARDHAT_STAMP="$HARDHAT_DIR/.stamp"

PART=setup
die() { printf '%s: %s\n' "$ME" "$*" >&2; exit 1; }
say() { if [ "$QUIET" = 0 ]; then printf 'native: %s\n' "$*" >&2; fi; }
# shellcheck disable=SC2154  # rc is assigned inside the trap string
trap 'rc=$?; printf "%s: unexpected failure (exit %s) at line %s while doing: %s; re-run with bash -x %s to see why\n" "$ME" "$rc" "$LINENO" "$PART" "$ME" >&2; exit "$rc"' ERR

expected_stamp() {
    printf 'format=%s\nanvil=%s@%s\ncast=%s@%s\n' \
        "$STAMP_FORMAT" "$ANVIL_NPM_PKG" "$FOUNDRY_VERSION" "$CAST_NPM_PKG" "$FOUNDRY_VERSION"
}

ok_line() {
    local hh=""
    [ "$WITH_HARDHAT" = 0 ] || hh=", hardhat $HARDHAT_VERSION"
    [ "$QUIET" = 1 ] || printf 'native: ok (anvil %s, sign_loop%s; libsecp256k1 and libduckdb come from NuGet with dotnet build)\n' "$FOUNDRY_VERSION" "$hh"
}

outputs_present() {
    [ -x "$BIN/anvil" ] && [ -x "$BIN/cast" ] \
        && [ -x "$SIGN_BIN" ] && ! [ "$SIGN_SRC" -nt "$SIGN_BIN" ]
}

fast_path_ok() {
    [ "$FORCE" = 0 ] && [ -f "$STAMP" ] && outputs_present \
        && [ "$(cat "$STAMP")" = "$(expected_stamp)" ]
}

# apt_install_or_die PACKAGE WHAT LOGNAME: installs a Debian package (root, apt-get; one retry after
# apt-get update), logging to native/.deps/logs/LOGNAME, or dies with one line saying what to do.
apt_install_or_die() {
    local pkg="$1" what="$2" log="$DEPS/logs/$3"
    [ "$(id -u)" -eq 0 ] || die "cannot install $what: run as root or 'sudo apt-get install $pkg'"
    command -v apt-get >/dev/null 2>&1 || die "cannot install $what: apt-get not found; install it by other means"
    mkdir -p "$DEPS/logs"
    : >"$log"
    apt_get_install() {
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            -o Dpkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0 "$pkg" >>"$log" 2>&1
    }
    if ! apt_get_install; then
        say "apt-get install $pkg failed; running apt-get update and retrying"
        if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq >>"$log" 2>&1 && apt_get_install; }; then
            local why
            why="$(grep -m 1 -E '^(E|Err):' "$log")" || why=""
            die "cannot install $what: apt-get failed${why:+ ($why)} (log: native/.deps/logs/${log##*/}); try 'apt-get update && apt-get install $pkg' by hand"
        fi
    fi
}

# ------------------------------------------------- chromium, prometheus, wrk -----
# System packages, present or not: not part of the stamp, checked before the fast path so a stamped tree still gets
# them. chromium (the report tests), prometheus (the metrics tests; its service is never started here, the tests run
# their own server with a generated config), wrk (the macro benchmark, bench/macro/run.sh).

# ensure_apt_tool COMMAND PACKAGE FOR SIZE HINT: when COMMAND is not on PATH, apt-get install PACKAGE, or stop with
# one line (HINT: how to get it by hand).
ensure_apt_tool() {
    local cmd="$1" pkg="$2" for="$3" size="$4" hint="$5"
    command -v "$cmd" >/dev/null 2>&1 && return 0
    PART="$cmd"
    say "installing $pkg with apt-get (for $for; $size)"
    apt_install_or_die "$pkg" "$cmd (Debian package $pkg, for $for)" "apt-$cmd.log"
    command -v "$cmd" >/dev/null 2>&1 || die "$cmd: $pkg installed but '$cmd' is not on PATH; $hint"
    say "$cmd: $({ "$cmd" --version 2>&1 || true; } | head -n 1)"
}
[ "$WITH_CHROMIUM" = 0 ] || ensure_apt_tool chromium "$CHROMIUM_DEB_PKG" "the report tests" "a few minutes the first time" "install Chromium by hand"
[ "$WITH_PROMETHEUS" = 0 ] || ensure_apt_tool prometheus "$PROMETHEUS_DEB_PKG" "the metrics tests" "about 20 MB" "install Prometheus 2.x by hand"
[ "$WITH_WRK" = 0 ] || ensure_apt_tool wrk "$WRK_DEB_PKG" "bench/macro/run.sh" "under 1 MB" "install wrk 4.x by hand (https://github.com/wg/wrk)"

# --------------------------------------------------------------- ethers -----
# Only with --with-ethers (the macro benchmark's ethers.js flood script), with its own stamp like hardhat.
ETHERS_DIR="$DEPS/ethers"
ETHERS_STAMP="$ETHERS_DIR/.stamp"
ethers_ok() {
    [ "$FORCE" = 0 ] && [ -f "$ETHERS_DIR/node_modules/ethers/package.json" ] \
        && [ "$(cat "$ETHERS_STAMP" 2>/dev/null)" = "ethers@$ETHERS_VERSION" ]
}
if [ "$WITH_ETHERS" = 1 ] && ! ethers_ok; then
    PART="ethers ($ETHERS_VERSION)"
    command -v node >/dev/null 2>&1 || die "cannot install ethers: node not found; install Node.js $ETHERS_NODE_MIN_MAJOR+ ('apt-get install nodejs npm')"
    node_v="$(v="$(node --version 2>/dev/null)"; v="${v#v}"; printf '%s' "${v%%.*}")"
    [ -n "$node_v" ] && [ "$node_v" -ge "$ETHERS_NODE_MIN_MAJOR" ] 2>/dev/null \
        || die "ethers $ETHERS_VERSION needs Node.js >= $ETHERS_NODE_MIN_MAJOR but 'node --version' is $(node --version 2>&1 | head -n 1); install a newer Node.js"
    command -v npm >/dev/null 2>&1 || die "cannot install ethers: npm not found; install npm (Debian package npm)"
    mkdir -p "$ETHERS_DIR" "$LOGS"
    if command -v flock >/dev/null 2>&1; then exec 8>"$DEPS/.lock-ethers"; flock 8; fi
    if ! ethers_ok; then
        say "installing npm ethers@$ETHERS_VERSION into native/.deps/ethers"
        rm -f "$ETHERS_STAMP"
        printf '{\n  "name": "fastload-ethers",\n  "private": true,\n  "description": "generated by native/install.sh --with-ethers",\n  "dependencies": { "ethers": "%s" }\n}\n' "$ETHERS_VERSION" >"$ETHERS_DIR/package.json"
        log="$LOGS/npm-ethers.log"
        if ! (cd "$ETHERS_DIR" && npm install --no-audit --no-fund --ignore-scripts --no-package-lock --no-progress --no-update-notifier --loglevel=error) >"$log" 2>&1; then
            why="$(grep -E '^npm (error|ERR!)' "$log" | grep -v -E '^npm (error|ERR!) (code|errno|syscall|A complete log)' | head -n 1 | sed -E 's/^npm (error|ERR!) *//')" || why=""
            die "cannot install ethers: npm install failed${why:+: $why} (log: native/.deps/logs/${log##*/}); check that the npm registry is reachable"
        fi
        got="$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$ETHERS_DIR/node_modules/ethers/package.json" | head -n 1)"
        [ "$got" = "$ETHERS_VERSION" ] || die "npm installed ethers@${got:-nothing}, expected $ETHERS_VERSION; rm -rf native/.deps/ethers and re-run $ME"
        printf 'ethers@%s\n' "$ETHERS_VERSION" >"$ETHERS_STAMP"
    fi
fi

# -------------------------------------------------------------- hardhat -----
# Only with --with-hardhat (the tests' second node), with its own stamp: ./fastload never needs it.
# Checked before the fast path so a stamped tree still gets it.
hardhat_stamp() {
    printf 'hardhat@%s lock %s\n' "$HARDHAT_VERSION" "$(sha256sum "$HARDHAT_SRC/package-lock.json" 2>/dev/null | cut -d ' ' -f 1)"
}
hardhat_ok() {
    [ "$FORCE" = 0 ] && [ -x "$HARDHAT_BIN" ] && [ -f "$HARDHAT_DIR/node_modules/hardhat/internal/cli/cli.js" ] \
        && cmp -s "$HARDHAT_SRC/hardhat.config.js" "$HARDHAT_DIR/hardhat.config.js" \
        && [ "$(cat "$HARDHAT_STAMP" 2>/dev/null)" = "$(hardhat_stamp)" ]
}
node_major() {
    local v
    v="$(node --version 2>/dev/null)" || return 0
    v="${v#v}"
    printf '%s\n' "${v%%.*}"
}
if [ "$WITH_HARDHAT" = 1 ] && ! hardhat_ok; then
    PART="Node.js (for hardhat $HARDHAT_VERSION)"
    mkdir -p "$BIN" "$LOGS"
    if ! command -v node >/dev/null 2>&1; then
        say "installing $NODE_DEB_PKG with apt-get (Node.js, for hardhat)"
        apt_install_or_die "$NODE_DEB_PKG" "Node.js (Debian package $NODE_DEB_PKG, for hardhat)" apt-nodejs.log
        command -v node >/dev/null 2>&1 || die "Node.js: $NODE_DEB_PKG installed but 'node' is not on PATH; install Node.js $NODE_MIN_MAJOR+ by hand"
    fi
    node_v="$(node_major)"
    [ -n "$node_v" ] && [ "$node_v" -ge "$NODE_MIN_MAJOR" ] 2>/dev/null \
        || die "hardhat $HARDHAT_VERSION needs Node.js >= $NODE_MIN_MAJOR but 'node --version' is $(node --version 2>&1 | head -n 1) (Debian bookworm's nodejs is 18); install Node.js $NODE_MIN_MAJOR+ (e.g. from NodeSource) and re-run $ME"

    PART="hardhat ($HARDHAT_VERSION, native/hardhat/package-lock.json)"
    for f in package.json package-lock.json hardhat.config.js; do
        [ -f "$HARDHAT_SRC/$f" ] || die "hardhat: native/hardhat/$f is missing (restore it from git)"
    done
    grep -q "\"hardhat\": \"$HARDHAT_VERSION\"" "$HARDHAT_SRC/package.json" \
        || die "hardhat: native/hardhat/package.json does not pin hardhat $HARDHAT_VERSION (HARDHAT_VERSION in $ME); pin it there and regenerate the lock: cd native/hardhat && npm install --package-lock-only --ignore-scripts"
    if command -v flock >/dev/null 2>&1; then exec 9>"$DEPS/.lock"; flock 9; fi
    if [ "$(cat "$HARDHAT_STAMP" 2>/dev/null)" != "$(hardhat_stamp)" ] || [ ! -f "$HARDHAT_DIR/node_modules/hardhat/internal/cli/cli.js" ]; then
        command -v npm >/dev/null 2>&1 || die "cannot install hardhat: npm not found; install npm (Debian package npm, or Node.js from NodeSource, which includes it)"
        say "installing hardhat $HARDHAT_VERSION with npm ci (about 300 MB, half a minute the first time)"
        mkdir -p "$HARDHAT_DIR"
        rm -f "$HARDHAT_STAMP"
        cp -f "$HARDHAT_SRC/package.json" "$HARDHAT_SRC/package-lock.json" "$HARDHAT_DIR/"
        log="$LOGS/npm-hardhat.log"
        if ! (cd "$HARDHAT_DIR" && npm ci --no-audit --no-fund --ignore-scripts --no-progress --no-update-notifier --loglevel=error) >"$log" 2>&1; then
            why="$(grep -E '^npm (error|ERR!)' "$log" | grep -v -E '^npm (error|ERR!) (code|errno|syscall|A complete log)' | head -n 1 | sed -E 's/^npm (error|ERR!) *//')" || why=""
            die "cannot install hardhat: npm ci failed${why:+: $why} (log: native/.deps/logs/${log##*/}); check that the npm registry is reachable"
        fi
    fi
    got="$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$HARDHAT_DIR/node_modules/hardhat/package.json" | head -n 1)"
    [ "$got" = "$HARDHAT_VERSION" ] || die "npm installed hardhat@${got:-nothing}, expected $HARDHAT_VERSION; rm -rf native/.deps/hardhat and re-run $ME"
    ls "$HARDHAT_DIR"/node_modules/@nomicfoundation/edr-linux-x64-gnu/*.node >/dev/null 2>&1 \
        || die "hardhat: no EDR binary for linux-x64 (@nomicfoundation/edr-linux-x64-gnu) after npm ci; rm -rf native/.deps/hardhat and re-run $ME"
    cp -f "$HARDHAT_SRC/hardhat.config.js" "$HARDHAT_DIR/hardhat.config.js.tmp.$$"
    mv -f "$HARDHAT_DIR/hardhat.config.js.tmp.$$" "$HARDHAT_DIR/hardhat.config.js"
    cat >"$HARDHAT_BIN.tmp.$$" <<'EOF'
#!/bin/sh
# Generated by native/install.sh --with-hardhat: 'hardhat node' with native/hardhat/hardhat.config.js
# (installed in ../hardhat). Usage: hardhat-node --hostname 127.0.0.1 --port PORT
dir="$(cd "$(dirname "$0")/../hardhat" && pwd)" || exit 1
HARDHAT_DISABLE_TELEMETRY_PROMPT=true
export HARDHAT_DISABLE_TELEMETRY_PROMPT
cd "$dir" || exit 1
exec node "$dir/node_modules/hardhat/internal/cli/cli.js" node --config "$dir/hardhat.config.js" "$@"
EOF
    chmod +x "$HARDHAT_BIN.tmp.$$"
    mv -f "$HARDHAT_BIN.tmp.$$" "$HARDHAT_BIN"
    out="$(cd "$HARDHAT_DIR" && HARDHAT_DISABLE_TELEMETRY_PROMPT=true node node_modules/hardhat/internal/cli/cli.js --version 2>&1)" || true
    out="${out%%$'\n'*}"
    [ "$out" = "$HARDHAT_VERSION" ] || die "hardhat: 'hardhat --version' printed '${out:-nothing}', expected $HARDHAT_VERSION; rm -rf native/.deps/hardhat and re-run $ME"
    hardhat_stamp >"$HARDHAT_STAMP.tmp.$$"
    mv -f "$HARDHAT_STAMP.tmp.$$" "$HARDHAT_STAMP"
    hardhat_ok || [ "$FORCE" = 1 ] || die "internal: hardhat outputs missing after install; re-run with --force"
fi

# ------------------------------------------------------------ fast path -----
if fast_path_ok; then ok_line; exit 0; fi

# ------------------------------------------------------------ slow path -----
PART="creating $DEPS"
mkdir -p "$BIN" "$NPM_DIR" "$LOGS"

# Serialise concurrent runs (e.g. two builds at once); re-check after waiting.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$DEPS/.lock"
    flock 9
    if fast_path_ok; then ok_line; exit 0; fi
fi

# Put $1 (symlinks resolved) at $2 as a regular file, atomically. With a third
# argument "link", hard-link when possible (npm files, same tree) instead of copying.
place() {
    local src dst="$2" tmp
    src="$(readlink -f "$1")"
    if [ ! -L "$dst" ] && [ -f "$dst" ] && { [ "$src" -ef "$dst" ] || cmp -s "$src" "$dst"; }; then return 0; fi
    tmp="$dst.tmp.$$"
    rm -f "$tmp"
    if [ "${3:-}" != link ] || ! ln "$src" "$tmp" 2>/dev/null; then cp -f "$src" "$tmp"; fi
    rm -f "$dst"
    mv -f "$tmp" "$dst"
}

# Leftovers of an interrupted run.
rm -f "$BIN"/*.tmp.* "$DEPS"/.stamp.tmp.*
# ... and of the stamp-format-1 layout: copies of the Debian libsecp256k1 and npm's libduckdb, which nothing
# reads any more (the engine loads the NuGet packages' libraries).
rm -rf "$LEGACY_LIB" "$NPM_DIR/node_modules/@duckdb"

# Version field of an installed npm package (empty if not installed).
npm_installed_version() {
    local pj="$NPM_DIR/node_modules/$1/package.json"
    [ -f "$pj" ] || return 0
    sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$pj" | head -n 1
}

# ---- 1. npm packages: anvil, cast ----
PART="npm packages ($ANVIL_NPM_PKG@$FOUNDRY_VERSION, $CAST_NPM_PKG@$FOUNDRY_VERSION)"
ANVIL_SRC="$NPM_DIR/node_modules/$ANVIL_NPM_PKG/bin/anvil"
CAST_SRC="$NPM_DIR/node_modules/$CAST_NPM_PKG/bin/cast"
if [ "$(npm_installed_version "$ANVIL_NPM_PKG")" != "$FOUNDRY_VERSION" ] \
    || [ "$(npm_installed_version "$CAST_NPM_PKG")" != "$FOUNDRY_VERSION" ] \
    || [ ! -f "$ANVIL_SRC" ] || [ ! -f "$CAST_SRC" ]; then
    npm_how="install Node.js + npm ('apt-get install nodejs npm') and make the npm registry reachable, or run: npm install --prefix native/.deps/npm $ANVIL_NPM_PKG@$FOUNDRY_VERSION $CAST_NPM_PKG@$FOUNDRY_VERSION"
    [ "$(uname -s)/$(uname -m)" = "Linux/x86_64" ] \
        || die "cannot install anvil/cast: the pinned npm packages are linux-x64 only, this is $(uname -s)/$(uname -m)"
    command -v npm >/dev/null 2>&1 || die "cannot install anvil/cast (npm packages $ANVIL_NPM_PKG, $CAST_NPM_PKG): npm not found; $npm_how"
    say "installing npm packages $ANVIL_NPM_PKG@$FOUNDRY_VERSION $CAST_NPM_PKG@$FOUNDRY_VERSION"
    cat >"$NPM_DIR/package.json" <<EOF
{
  "name": "fastload-native-deps",
  "private": true,
  "description": "generated by native/install.sh - do not edit; pins live in the script",
  "dependencies": {
    "$ANVIL_NPM_PKG": "$FOUNDRY_VERSION",
    "$CAST_NPM_PKG": "$FOUNDRY_VERSION"
  }
}
EOF
    log="$LOGS/npm.log"
    if ! (cd "$NPM_DIR" && npm install --no-audit --no-fund --ignore-scripts --no-package-lock \
            --no-progress --no-update-notifier --loglevel=error) >"$log" 2>&1; then
        why="$(grep -E '^npm (error|ERR!)' "$log" | grep -v -E '^npm (error|ERR!) (code|errno|syscall|A complete log)' | head -n 1 | sed -E 's/^npm (error|ERR!) *//')" || why=""
        die "cannot install anvil/cast: npm install failed${why:+: $why} (log: native/.deps/logs/${log##*/}); check the pins in $ME and that the npm registry is reachable"
    fi
    for p in "$ANVIL_NPM_PKG:$FOUNDRY_VERSION" "$CAST_NPM_PKG:$FOUNDRY_VERSION"; do
        got="$(npm_installed_version "${p%%:*}")"
        [ "$got" = "${p##*:}" ] || die "npm installed ${p%%:*}@${got:-nothing}, expected ${p##*:} (log: native/.deps/logs/${log##*/})"
    done
fi

# ---- 2. anvil + cast ----
PART="anvil/cast ($ANVIL_NPM_PKG@$FOUNDRY_VERSION, $CAST_NPM_PKG@$FOUNDRY_VERSION)"
for tool in anvil cast; do
    src="$ANVIL_SRC"; [ "$tool" = cast ] && src="$CAST_SRC"
    [ -f "$src" ] || die "$tool: npm package has no bin/$tool; rm -rf native/.deps/npm and re-run $ME"
    chmod +x "$src"
    place "$src" "$BIN/$tool" link
    chmod +x "$BIN/$tool"
    out="$("$BIN/$tool" --version 2>&1)" || true
    out="${out%%$'\n'*}"
    case "$out" in
        "$tool Version: $FOUNDRY_VERSION"*) ;;
        *) die "$tool: '$BIN/$tool --version' printed '${out:-nothing}', expected '$tool Version: $FOUNDRY_VERSION'; rm -rf native/.deps/npm and re-run $ME" ;;
    esac
done

# ---- 3. sign_loop C baseline ----
PART="sign_loop (native/bench/sign_loop.c)"
[ -f "$SIGN_SRC" ] || die "sign_loop: $SIGN_SRC is missing (restore it from git)"
# Also rebuilt when the stamp changes: a format-1 binary was linked against the Debian library (-lsecp256k1).
if [ ! -x "$SIGN_BIN" ] || [ "$SIGN_SRC" -nt "$SIGN_BIN" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$(expected_stamp)" ]; then
    CC="${CC:-cc}"
    command -v "$CC" >/dev/null 2>&1 || die "cannot build sign_loop: no C compiler '$CC' found; install one with 'apt-get install gcc libc6-dev' (or set CC)"
    say "compiling native/bench/sign_loop.c"
    log="$LOGS/sign_loop.log"
    if ! "$CC" -O2 -Wall -o "$SIGN_BIN.tmp.$$" "$SIGN_SRC" -ldl >"$log" 2>&1; then
        rm -f "$SIGN_BIN.tmp.$$"
        die "cannot build sign_loop: '$CC -O2 -o native/.deps/bin/sign_loop native/bench/sign_loop.c -ldl' failed (log: native/.deps/logs/${log##*/}); needs a working C compiler and libc headers (apt-get install gcc libc6-dev)"
    fi
    mv -f "$SIGN_BIN.tmp.$$" "$SIGN_BIN"
fi

# ---- stamp ----
PART="writing $STAMP"
expected_stamp >"$STAMP.tmp.$$"
mv -f "$STAMP.tmp.$$" "$STAMP"
outputs_present || die "internal: outputs missing after install; re-run with --force"
ok_line
