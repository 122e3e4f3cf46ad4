#!/usr/bin/env python3
"""FastLoad's macro benchmark: FastLoad beside what it is measured against, in alternating pairs on one machine.

Run it through bench/macro/run.sh, which provisions wrk, ethers and the C sign loop and builds FastLoad first.
Each section runs its pair A B A B ... (one round = one A and one B, adjacent in time), then prints the medians and
their ratio, and everything (every round's figures, commands, the machine) goes into one JSON file under
bench/results/ (bench/macro/table.py turns that file into the README's markdown table).

Sections (--only picks some, comma-separated):
  signing  FastLoad's full-tx signing (`fastload demo`) on 1 thread and on every core, against the plain C loop
           native/.deps/bin/sign_loop over the same libsecp256k1 file (one process per core for "every core")
  send     `fastload run --replay FILE --max` into `fastload sink` against wrk posting the same 100-call batch body
           to the same sink with the same requests in flight (connections x pipelining); then one replay with its
           results file, for the gen0 GC count and the first second's rate
  live     `fastload run --max` (signing while sending) into the sink against signing alone (`fastload demo`)
  models   (only when asked, with two or more --variant NAME=COMMAND) the replay of `send`, with its results file,
           under each fastload build or runtime setting, order rotating each round: for choosing a compile model
  defaults (only when asked) the replay into the sink with batch, connections and pipelining each varied alone from
           FastLoad's defaults, and `run --max` into the sink with 1, cores and 2 x cores signers: the README's
           "Defaults and why" figures
  anvil    against a freshly started anvil each time: `fastload run --max --count N` against
           bench/macro/ethers-flood.mjs (ethers 6: presign, then batches of the same size and concurrency)
Only the Python standard library is used.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DLL = ROOT / "src/Runner/bin/Release/net10.0/fastload.dll"
JIT_SECP = ROOT / "src/Runner/bin/Release/net10.0/runtimes/linux-x64/native/libsecp256k1.so"
SIGN_LOOP = ROOT / "native/.deps/bin/sign_loop"
ANVIL = ROOT / "native/.deps/bin/anvil"
ETHERS_FLOOD = ROOT / "bench/macro/ethers-flood.mjs"
WRK_SCRIPT = ROOT / "bench/macro/batch.lua"
# anvil's first dev account (public, from its default mnemonic): funder of every run here.
DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

# How much of each section a run does. "quick" is for CI and development (under 3 minutes in all).
PROFILES = {
    "quick": dict(rounds=3, anvil_rounds=1, sign_seconds=1.5, replay_txs=200_000, wrk_seconds=2, live_seconds=4,
                  gc_replay_txs=200_000, anvil_txs=5_000, anvil_wallets=200, models_txs=500_000, defaults_txs=200_000),
    "full": dict(rounds=7, anvil_rounds=3, sign_seconds=4, replay_txs=1_000_000, wrk_seconds=5, live_seconds=8,
                 gc_replay_txs=1_000_000, anvil_txs=30_000, anvil_wallets=500, models_txs=1_000_000, defaults_txs=500_000),
}
BATCH, CONNECTIONS, PIPELINING = 100, 2, 4  # FastLoad's defaults; wrk and the ethers script get the same


class BenchError(Exception):
    """A step failed: one line saying which and why (the harness stops, exit 1)."""


class UsageError(Exception):
    """A bad option: one line saying which and how to fix it (exit 2)."""


# ------------------------------------------------------------------ processes -----

_children: list[subprocess.Popen] = []


def measure(cmd: list[str], timeout: float, env: dict | None = None, what: str = "") -> dict:
    """Runs cmd to completion; returns its stdout, stderr, wall seconds and CPU seconds (user + sys, from wait4)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
                            start_new_session=True)
    _children.append(proc)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise BenchError(f"{what or cmd[0]} took longer than {timeout:.0f} s: {' '.join(cmd)}")
    finally:
        _children.remove(proc)
    # communicate() has reaped the process; its rusage came with it into the children's totals, so read those.
    return {"out": out, "err": err, "rc": proc.returncode, "wall_s": time.monotonic() - start, "cmd": cmd}


def measure_cpu(cmd: list[str], timeout: float, env: dict | None = None, what: str = "") -> dict:
    """measure() plus the CPU seconds this one process (and any children it waited for) used."""
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = measure(cmd, timeout, env, what)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def check(result: dict, what: str, ok_codes=(0,)) -> dict:
    if result["rc"] not in ok_codes:
        tail = (result["err"].strip() or result["out"].strip()).splitlines()[-3:]
        raise BenchError(f"{what} exited {result['rc']}: {' | '.join(tail)}  (command: {' '.join(result['cmd'])})")
    return result


def start_background(cmd: list[str], ready: re.Pattern | None, what: str, timeout: float = 30) -> tuple[subprocess.Popen, str]:
    """Starts a server; waits for a stdout line matching ready (returns the match's group 1) or exits with its error."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
                            start_new_session=True)
    _children.append(proc)
    if ready is None:
        return proc, ""
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        m = ready.search(line)
        if m:
            return proc, m.group(1)
    stop(proc)
    raise BenchError(f"{what} did not start: {' | '.join(lines[-3:]) or 'no output'} (command: {' '.join(cmd)})")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc in _children:
        _children.remove(proc)


def stop_all(*_args) -> None:
    for proc in list(_children):
        stop(proc)
    if _args:  # called as a signal handler
        sys.exit(130)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_rpc(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise BenchError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


# ------------------------------------------------------------------ parsing -----

def number(text: str) -> float:
    return float(text.replace(",", ""))


def parse(pattern: str, result: dict, what: str) -> re.Match:
    m = re.search(pattern, result["out"] + result["err"], re.S)
    if not m:
        tail = (result["out"] + result["err"]).strip().splitlines()[-4:]
        raise BenchError(f"{what}: output not understood (wanted /{pattern}/): {' | '.join(tail)}")
    return m


def parse_run_summary(result: dict, what: str) -> dict:
    """The figures of `fastload run`'s summary ("Run complete" block)."""
    m = parse(r"duration\s+([\d.,]+) s of sending.*?rate\s+([\d,]+) tx/s sent.*?([\d,]+) tx/s accepted"
              r".*?sent\s+([\d,]+)\s+accepted ([\d,]+)\s+errors ([\d,]+)", result, what)
    return {"duration_s": number(m.group(1)), "sent_rate": number(m.group(2)), "accepted_rate": number(m.group(3)),
            "sent": int(number(m.group(4))), "accepted": int(number(m.group(5))), "errors": int(number(m.group(6)))}


def json_line(result: dict, what: str) -> dict:
    for line in reversed(result["out"].splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise BenchError(f"{what}: no JSON line in its output: {' | '.join((result['out'] + result['err']).splitlines()[-3:])}")


# ------------------------------------------------------------------ the harness -----

class Harness:
    def __init__(self, args):
        self.args = args
        self.p = dict(PROFILES["quick" if args.quick else "full"])
        if args.rounds is not None:
            if args.rounds < 1:
                raise UsageError(f"--rounds {args.rounds}: give at least 1")
            self.p["rounds"] = args.rounds
        self.fastload = args.fastload.split() if args.fastload else ["dotnet", str(DLL)]
        # The libsecp256k1 the measured build loads: next to the AOT binary, or in the JIT build's runtimes folder.
        exe = Path(self.fastload[0])
        self.secp = exe.parent / "libsecp256k1.so" if exe.name == "fastload" and exe.is_file() else JIT_SECP
        self.cores = os.cpu_count() or 1
        self.work = Path(args.work_dir or Path(tempfile.gettempdir()) / f"fastload-macro-{os.getuid()}")
        self.work.mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ, FASTLOAD_FUNDER_KEY=DEV_KEY, DOTNET_CLI_TELEMETRY_OPTOUT="1")
        self.sink_url = ""
        self.sections: dict = {}

    def say(self, text: str) -> None:
        print(text, flush=True)

    # ---- pairs ----

    def pairs(self, name: str, a_name: str, b_name: str, run_a, run_b, rounds: int, unit: str) -> dict:
        """Runs A then B, `rounds` times; each returns a dict with at least 'rate'. Returns the pair's record."""
        rows = []
        for r in range(rounds):
            a = run_a(r)
            b = run_b(r)
            ratio = a["rate"] / b["rate"] if b["rate"] else float("nan")
            rows.append({"a": a, "b": b, "ratio": ratio})
            self.say(f"  {name} round {r + 1}/{rounds}: {a_name} {a['rate']:>12,.0f}   {b_name} {b['rate']:>12,.0f} {unit}"
                     f"   ratio {ratio:.3f}")
        med_a = statistics.median(x["a"]["rate"] for x in rows)
        med_b = statistics.median(x["b"]["rate"] for x in rows)
        ratios = [x["ratio"] for x in rows]
        return {"name": name, "a": a_name, "b": b_name, "unit": unit, "rounds": rows,
                "median_a": med_a, "median_b": med_b, "ratio_of_medians": med_a / med_b if med_b else None,
                "median_ratio": statistics.median(ratios), "min_ratio": min(ratios), "max_ratio": max(ratios)}

    # ---- signing ----

    def demo(self, threads: int, seconds: float, guess: float) -> dict:
        """`fastload demo` for about `seconds` of signing (count from the last rate seen on these threads)."""
        count = max(20_000, int(guess * seconds))
        res = check(measure_cpu(self.fastload + ["demo", "--threads", str(threads), "--count", str(count)],
                                timeout=120 + seconds * 10, env=self.env, what="fastload demo"), "fastload demo")
        m = parse(r"Signed ([\d,]+) txs .*? in ([\d.]+) s: ([\d,]+) tx/s", res, "fastload demo")
        return {"rate": number(m.group(3)), "txs": int(number(m.group(1))), "seconds": float(m.group(2)),
                "threads": threads, "cpu_s": res["cpu_s"]}

    def sign_loop(self, processes: int, seconds: float) -> dict:
        """`processes` copies of the C loop at once, each on the engine's libsecp256k1; their rates summed."""
        procs = [subprocess.Popen([str(SIGN_LOOP), str(seconds), str(self.secp)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(processes)]
        rates = []
        for proc in procs:
            out, err = proc.communicate(timeout=seconds + 60)
            if proc.returncode != 0:
                raise BenchError(f"sign_loop exited {proc.returncode}: {err.strip()}")
            rates.append(json.loads(out.strip().splitlines()[-1])["signs_per_sec"])
        return {"rate": sum(rates), "processes": processes, "seconds": seconds, "per_process": rates}

    def section_signing(self) -> dict:
        secs, rounds = self.p["sign_seconds"], self.p["rounds"]
        self.say(f"signing: fastload demo vs native/.deps/bin/sign_loop on {self.secp.relative_to(ROOT)} "
                 f"({rounds} rounds, ~{secs} s each)")
        guess = {1: 20_000.0, self.cores: 20_000.0 * self.cores}
        self.demo(1, 0.5, 20_000)  # first start of the build (disk cache), not measured

        def fl(threads):
            def run(_r):
                d = self.demo(threads, secs, guess[threads])
                guess[threads] = d["rate"]
                return d
            return run

        one = self.pairs("signing, 1 thread", "fastload demo --threads 1", "C sign_loop x1", fl(1),
                         lambda _r: self.sign_loop(1, secs), rounds, "tx/s")
        every = self.pairs(f"signing, {self.cores} threads", f"fastload demo --threads {self.cores}",
                           f"C sign_loop x{self.cores}", fl(self.cores),
                           lambda _r: self.sign_loop(self.cores, secs), rounds, "tx/s")
        scaling = statistics.median(x["a"]["rate"] for x in every["rounds"]) / statistics.median(
            x["a"]["rate"] for x in one["rounds"])
        c_scaling = every["median_b"] / one["median_b"]
        self.say(f"  fastload {self.cores} threads / 1 thread: {scaling:.2f}   (C loop: {c_scaling:.2f})")
        return {"one_thread": one, "all_cores": every, "scaling": scaling, "c_scaling": c_scaling,
                "library": str(self.secp.relative_to(ROOT))}

    # ---- the sink, presigned files, replay ----

    def start_sink(self) -> None:
        if self.sink_url:
            return
        self.sink, port = start_background(self.fastload + ["sink", "--port", "0", "--quiet"],
                                           re.compile(r"sink listening on (http://\S+)"), "fastload sink")
        self.sink_url = port.rstrip("/")

    def presigned(self, count: int) -> Path:
        """A presigned file of `count` transfers over 1,000 wallets for chain 31337, made once and kept in the work dir."""
        path = self.work / f"replay-{count}.bin"
        if path.exists():
            with open(path, "rb") as f:
                header = json.loads(f.readline())
            if header.get("count") == count and header.get("format", "").endswith("/3"):
                return path
        self.say(f"  presigning {count:,} txs into {path} (once; kept for later runs)")
        tmp = path.with_suffix(".tmp")
        check(measure(self.fastload + ["presign", "--count", str(count), "--out", str(tmp), "--wallets", "1000"],
                      timeout=600, env=self.env, what="fastload presign"), "fastload presign")
        tmp.replace(path)
        return path

    def batch_body(self, presigned: Path) -> Path:
        """The first BATCH calls of a presigned file as one JSON-RPC batch, byte for byte as FastLoad's sender frames it."""
        body_path = presigned.with_suffix(".batch.json")
        with open(presigned, "rb") as f:
            f.readline()
            f.read(4)  # header CRC
            records, _length = struct.unpack("<II", f.read(8))
            calls = []
            for _ in range(min(BATCH, records)):
                f.read(4 + 8 + 32)  # wallet, nonce, tx hash
                (n,) = struct.unpack("<H", f.read(2))
                calls.append(f.read(n))
        if len(calls) < BATCH:
            raise BenchError(f"{presigned}: its first block holds {len(calls)} calls, fewer than a batch of {BATCH}")
        body_path.write_bytes(b"[" + b",".join(calls) + b"]")
        return body_path

    def replay(self, path: Path, results: Path | None = None, fastload: list[str] | None = None,
               batch: int = BATCH, connections: int = CONNECTIONS, pipelining: int = PIPELINING) -> dict:
        cmd = (fastload or self.fastload) + ["run", "--rpc", self.sink_url, "--replay", str(path), "--max", "--batch", str(batch),
                               "--connections", str(connections), "--pipelining", str(pipelining), "--quiet"]
        cmd += ["--out", str(results)] if results else ["--no-results"]
        res = check(measure_cpu(cmd, timeout=600, env=self.env, what="fastload run --replay"), "fastload run --replay")
        summary = parse_run_summary(res, "fastload run --replay")
        if summary["accepted"] != summary["sent"] or summary["errors"]:
            raise BenchError(f"replay into the sink: {summary['errors']} errors of {summary['sent']:,} sent")
        return dict(summary, rate=summary["accepted_rate"], cpu_s=res["cpu_s"], wall_s=res["wall_s"])

    def wrk(self, body: Path, seconds: float) -> dict:
        env = dict(self.env, MACRO_BODY=str(body), MACRO_PIPELINE=str(PIPELINING))
        cmd = ["wrk", "-t", str(min(CONNECTIONS, self.cores)), "-c", str(CONNECTIONS), "-d", f"{seconds}s",
               "-s", str(WRK_SCRIPT), self.sink_url + "/"]
        res = check(measure_cpu(cmd, timeout=seconds + 60, env=env, what="wrk"), "wrk")
        totals = json_line(res, "wrk")
        if totals["status_errors"] or totals["socket_errors"]:
            raise BenchError(f"wrk: {totals['status_errors']} non-2xx answers and {totals['socket_errors']} socket errors")
        requests_per_s = totals["requests"] / (totals["duration_us"] / 1e6)
        return dict(totals, rate=requests_per_s * BATCH, requests_per_s=requests_per_s, cpu_s=res["cpu_s"])

    def results_query(self, results: Path, sql: str) -> list[dict]:
        res = check(measure(self.fastload + ["query", str(results), sql, "--format", "json"], timeout=120,
                            env=self.env, what="fastload query"), "fastload query")
        return [json.loads(line) for line in res["out"].splitlines() if line.startswith("{")]

    def replay_with_results(self, path: Path, fastload: list[str] | None = None) -> dict:
        """One replay writing its results file: gen0/1/2 GCs (so far, per second) and the first second's rate."""
        results = self.work / f"replay-{os.getpid()}.duckdb"
        results.unlink(missing_ok=True)
        run = self.replay(path, results, fastload)
        samples = self.results_query(results, "select t_s, sent, gc0, gc1, gc2 from samples order by t_s")
        seconds = self.results_query(results, "select count(*) filter (where sent_us < 1000000) as first, "
                                     "count(*) filter (where sent_us >= 1000000 and sent_us < 2000000) as second "
                                     "from tx_log")[0]
        results.unlink(missing_ok=True)
        if not samples:
            raise BenchError("replay with results: the results file has no samples")
        first = samples[0]
        return {"txs": run["sent"], "rate": run["accepted_rate"], "cpu_s": run["cpu_s"], "wall_s": run["wall_s"],
                "first_second_sent": seconds["first"], "second_second_sent": seconds["second"],
                "gen0_total": samples[-1]["gc0"], "gen1_total": samples[-1]["gc1"], "gen2_total": samples[-1]["gc2"],
                "gen0_after_first_second": samples[-1]["gc0"] - first["gc0"], "samples": samples}

    def section_send(self) -> dict:
        rounds, txs = self.p["rounds"], self.p["replay_txs"]
        self.start_sink()
        path = self.presigned(txs)
        body = self.batch_body(path)
        in_flight = CONNECTIONS * PIPELINING
        self.say(f"send: run --replay ({txs:,} txs) --max into fastload sink {self.sink_url} vs wrk posting a "
                 f"{BATCH}-call batch, {CONNECTIONS} connections x {PIPELINING} pipelined = {in_flight} in flight")
        pair = self.pairs("send ceiling", "fastload replay", "wrk", lambda _r: self.replay(path),
                          lambda _r: self.wrk(body, self.p["wrk_seconds"]), rounds, "tx/s")
        gc_path = self.presigned(self.p["gc_replay_txs"])
        gc = self.replay_with_results(gc_path)
        self.say(f"  replay of {gc['txs']:,} txs with its results file: {gc['rate']:,.0f} tx/s, first second "
                 f"{gc['first_second_sent']:,} sent, gen0 GCs {gc['gen0_total']} in the whole process "
                 f"({gc['gen0_after_first_second']} after the first second)")
        return {"pair": pair, "in_flight": in_flight, "batch_body_bytes": body.stat().st_size, "gc_run": gc}

    # ---- live ----

    def live_run(self, seconds: float, signers: int | None = None) -> dict:
        """`run --max` into the sink. Its rate is the steady one, from the results file: txs sent from 1 s after
        sending began to 0.25 s before it ended. The summary's rate would flatter it: the signers fill the ring
        (up to 32k txs) before the clock starts, and those go out in the first second."""
        results = self.work / f"live-{os.getpid()}.duckdb"
        results.unlink(missing_ok=True)
        cmd = self.fastload + ["run", "--rpc", self.sink_url, "--max", "--duration", f"{seconds}s", "--wallets", "1000",
                               "--batch", str(BATCH), "--connections", str(CONNECTIONS), "--pipelining",
                               str(PIPELINING), "--quiet", "--out", str(results)]
        cmd += ["--signers", str(signers)] if signers else []
        res = check(measure_cpu(cmd, timeout=seconds + 120, env=self.env, what="fastload run --max"),
                    "fastload run --max")
        summary = parse_run_summary(res, "fastload run --max")
        end_us = int((summary["duration_s"] - 0.25) * 1e6)
        steady = self.results_query(results, f"select count(*) as n from tx_log where sent_us >= 1000000 "
                                             f"and sent_us < {end_us}")[0]["n"]
        results.unlink(missing_ok=True)
        window = end_us / 1e6 - 1
        if window <= 0.5:
            raise BenchError(f"live run: sending lasted {summary['duration_s']:.2f} s, too short for a steady window")
        return dict(summary, rate=steady / window, summary_rate=summary["accepted_rate"], cpu_s=res["cpu_s"])

    def section_live(self) -> dict:
        rounds, secs = self.p["rounds"], self.p["live_seconds"]
        self.start_sink()
        self.say(f"live: run --max --duration {secs}s into the sink (tx/s from 1 s in to the end) vs fastload demo "
                 f"--threads {self.cores} (signing alone, about as long)")
        guess = [20_000.0 * self.cores]

        def sign_alone(_r):
            d = self.demo(self.cores, secs, guess[0])
            guess[0] = d["rate"]
            return d

        return {"pair": self.pairs("live", "fastload run --max", "signing alone", lambda _r: self.live_run(secs),
                                   sign_alone, rounds, "tx/s")}

    # ---- compile models (--variant) ----

    def section_models(self) -> dict:
        """The same replay (with its results file) under each --variant's fastload command, rotating the order every
        round: tx/s over the sending span, txs sent in the first second, process CPU and wall time, gen0 GCs."""
        variants = self.variants
        rounds, txs = self.p["rounds"], self.p["models_txs"]
        self.start_sink()
        path = self.presigned(txs)
        self.say(f"models: run --replay ({txs:,} txs) --max into the sink (with results) under {len(variants)} "
                 f"variants, order rotating, {rounds} rounds")
        runs: dict[str, list] = {name: [] for name, _ in variants}
        for r in range(rounds):
            order = variants[r % len(variants):] + variants[:r % len(variants)]
            for name, cmd in order:
                g = self.replay_with_results(path, cmd)
                g.pop("samples")
                runs[name].append(g)
                self.say(f"  round {r + 1}/{rounds} {name:>12}: {g['rate']:>10,.0f} tx/s, first second "
                         f"{g['first_second_sent']:>9,} sent, second {g['second_second_sent']:>9,}, CPU {g['cpu_s']:.2f} s, wall {g['wall_s']:.2f} s, "
                         f"gen0 {g['gen0_total']}")
        summary = {}
        for name, cmd in variants:
            rs = runs[name]
            summary[name] = {"command": " ".join(cmd), "runs": rs,
                             **{f"median_{k}": statistics.median(x[k] or 0 for x in rs)
                                for k in ("rate", "first_second_sent", "second_second_sent", "cpu_s", "wall_s", "gen0_total")}}
            m = summary[name]
            self.say(f"  median {name:>12}: {m['median_rate']:>10,.0f} tx/s, first second {m['median_first_second_sent']:>9,.0f},"
                     f" second {m['median_second_second_sent']:>9,.0f},"
                     f" CPU {m['median_cpu_s']:.2f} s, wall {m['median_wall_s']:.2f} s, gen0 {m['median_gen0_total']:g}")
        return {"txs": txs, "variants": summary}

    # ---- defaults: each sending setting varied alone ----

    DEFAULT_SWEEPS = [("batch", [10, 50, 100, 200]), ("connections", [1, 2, 4]), ("pipelining", [1, 2, 4, 8])]

    def section_defaults(self) -> dict:
        """The replay into the sink (no results file) with one of batch, connections, pipelining varied from
        FastLoad's defaults, the settings' order rotating each round; then `run --max` into the sink with 1, the
        cores' count and twice that many signers. Medians of tx/s and process CPU-s per 1M txs."""
        rounds, txs = self.p["rounds"], self.p["defaults_txs"]
        self.start_sink()
        path = self.presigned(txs)
        base = {"batch": BATCH, "connections": CONNECTIONS, "pipelining": PIPELINING}
        configs = []
        for name, values in self.DEFAULT_SWEEPS:
            for v in values:
                c = dict(base, **{name: v})
                if c not in configs:
                    configs.append(c)
        self.say(f"defaults: run --replay ({txs:,} txs) --max into the sink, {len(configs)} settings "
                 f"(batch, connections, pipelining varied alone from {base}), order rotating, {rounds} rounds")
        runs: list[list] = [[] for _ in configs]
        for r in range(rounds):
            order = list(range(len(configs)))
            order = order[r % len(order):] + order[:r % len(order)]
            for i in order:
                g = self.replay(path, None, None, **configs[i])
                runs[i].append({"rate": g["rate"], "cpu_s": g["cpu_s"]})
            self.say(f"  round {r + 1}/{rounds} done")
        sending = []
        for c, rs in zip(configs, runs):
            row = dict(c, rate=statistics.median(x["rate"] for x in rs),
                       cpu_s_per_1m=statistics.median(x["cpu_s"] for x in rs) * 1e6 / txs, runs=rs)
            sending.append(row)
            self.say(f"  batch {c['batch']:>3} connections {c['connections']} pipelining {c['pipelining']}: "
                     f"{row['rate']:>10,.0f} tx/s, {row['cpu_s_per_1m']:.2f} CPU-s per 1M txs")
        signer_counts = sorted({1, self.cores, 2 * self.cores})
        secs = self.p["live_seconds"]
        self.say(f"defaults: run --max --duration {secs}s into the sink with --signers {signer_counts}, {rounds} rounds")
        live: dict[int, list] = {n: [] for n in signer_counts}
        for r in range(rounds):
            for n in signer_counts[r % len(signer_counts):] + signer_counts[:r % len(signer_counts)]:
                g = self.live_run(secs, n)
                live[n].append({"rate": g["rate"], "cpu_s": g["cpu_s"]})
        signers = []
        for n in signer_counts:
            row = {"signers": n, "rate": statistics.median(x["rate"] for x in live[n]), "runs": live[n]}
            signers.append(row)
            self.say(f"  --signers {n}: {row['rate']:>10,.0f} tx/s (steady, from 1 s in)")
        return {"txs": txs, "sending": sending, "signers": signers}

    # ---- anvil ----

    def start_anvil(self) -> tuple[subprocess.Popen, str]:
        port = free_port()
        proc, _ = start_background([str(ANVIL), "--host", "127.0.0.1", "--port", str(port), "--chain-id", "31337",
                                    "--gas-limit", "1000000000", "--block-time", "1", "--silent"], None, "anvil")
        wait_for_rpc(port)
        return proc, f"http://127.0.0.1:{port}"

    def anvil_fastload(self, txs: int, wallets: int) -> dict:
        anvil, url = self.start_anvil()
        results = self.work / f"anvil-{os.getpid()}.duckdb"
        results.unlink(missing_ok=True)
        try:
            cmd = self.fastload + ["run", "--rpc", url, "--max", "--count", str(txs), "--wallets", str(wallets),
                                   "--batch", str(BATCH), "--connections", str(CONNECTIONS), "--pipelining",
                                   str(PIPELINING), "--quiet", "--out", str(results)]
            res = check(measure_cpu(cmd, timeout=600, env=self.env, what="fastload run (anvil)"), "fastload run (anvil)")
        finally:
            stop(anvil)
        summary = parse_run_summary(res, "fastload run (anvil)")
        inc = self.results_query(results, "select count(*) as included, max(seen_us) as last_us from tx_inclusions")[0]
        results.unlink(missing_ok=True)
        included_rate = inc["included"] / (inc["last_us"] / 1e6) if inc["last_us"] else 0.0
        return {"rate": summary["accepted_rate"], "sent": summary["sent"], "accepted": summary["accepted"],
                "errors": summary["errors"], "included": inc["included"], "included_rate": included_rate,
                "cpu_s": res["cpu_s"], "cpu_s_per_1k": res["cpu_s"] / (summary["sent"] / 1000), "wall_s": res["wall_s"]}

    def anvil_ethers(self, txs: int, wallets: int) -> dict:
        anvil, url = self.start_anvil()
        try:
            cmd = ["node", str(ETHERS_FLOOD), "--rpc", url, "--count", str(txs), "--wallets", str(wallets),
                   "--batch", str(BATCH), "--concurrency", str(CONNECTIONS * PIPELINING)]
            res = check(measure_cpu(cmd, timeout=900, env=self.env, what="ethers-flood.mjs"), "ethers-flood.mjs")
        finally:
            stop(anvil)
        r = json_line(res, "ethers-flood.mjs")
        return {"rate": r["accepted_rate"], "sent": r["sent"], "accepted": r["accepted"], "errors": r["errors"],
                "included": r["included"], "included_rate": r["included_rate"], "presign_rate": r["presign_rate"],
                "cpu_s": res["cpu_s"], "cpu_s_per_1k": res["cpu_s"] / (r["sent"] / 1000), "wall_s": res["wall_s"],
                "tool": r["tool"]}

    def section_anvil(self) -> dict:
        rounds, txs, wallets = self.p["anvil_rounds"], self.p["anvil_txs"], self.p["anvil_wallets"]
        self.say(f"anvil: fastload run --max --count {txs:,} vs ethers-flood.mjs (presign, then batches of {BATCH}, "
                 f"{CONNECTIONS * PIPELINING} in flight), {wallets} wallets, a fresh anvil (1 s blocks) for each run")
        pair = self.pairs("anvil accepted", "fastload", "ethers", lambda _r: self.anvil_fastload(txs, wallets),
                          lambda _r: self.anvil_ethers(txs, wallets), rounds, "tx/s")
        rows = pair["rounds"]
        extra = {}
        for key in ("included_rate", "cpu_s_per_1k"):
            a = statistics.median(x["a"][key] for x in rows)
            b = statistics.median(x["b"][key] for x in rows)
            extra[key] = {"fastload": a, "ethers": b, "ratio": a / b if b else None}
            self.say(f"  {key}: fastload {a:,.3f}   ethers {b:,.3f}   ratio {extra[key]['ratio']:.3f}")
        return {"pair": pair, **extra}

    # ---- the whole run ----

    def run(self) -> dict:
        only = self.args.only.split(",") if self.args.only else ["signing", "send", "live", "anvil"]
        unknown = [s for s in only if s not in ("signing", "send", "live", "anvil", "models", "defaults")]
        if unknown:
            raise UsageError(f"--only: unknown section {', '.join(unknown)} (signing, send, live, anvil, models, defaults)")
        self.variants = []
        for v in self.args.variant or []:
            name, sep, cmd = v.partition("=")
            if not sep or not name or not cmd.strip():
                raise UsageError(f"--variant {v!r}: give NAME=COMMAND, e.g. r2r='dotnet /tmp/r2r/fastload.dll'")
            self.variants.append((name, cmd.split()))
        if "models" in only and len(self.variants) < 2:
            raise UsageError("the models section compares at least two --variant NAME=COMMAND")
        started = time.monotonic()
        loads = {"before": os.getloadavg()[0]}
        for name in only:
            t0 = time.monotonic()
            self.sections[name] = getattr(self, f"section_{name}")()
            self.sections[name]["seconds"] = round(time.monotonic() - t0, 1)
            loads[f"after_{name}"] = os.getloadavg()[0]
        return {
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "command": "bench/macro/run.sh " + " ".join(sys.argv[1:]),
            "profile": "quick" if self.args.quick else "full",
            "settings": self.p | {"batch": BATCH, "connections": CONNECTIONS, "pipelining": PIPELINING},
            "fastload": " ".join(self.fastload),
            "machine": machine(),
            "load_average_1m": loads,
            "note": self.args.note,
            "seconds": round(time.monotonic() - started, 1),
            "sections": self.sections,
            "targets": targets(self.sections),
        }


def machine() -> dict:
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    dotnet = subprocess.run(["dotnet", "--list-runtimes"], capture_output=True, text=True).stdout
    runtime = next((line.split()[1] for line in dotnet.splitlines() if line.startswith("Microsoft.NETCore.App")), "")
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return {"host": platform.node(), "cpu": model, "cores": os.cpu_count(), "kernel": platform.release(),
            "dotnet_runtime": runtime, "commit": commit + ("+changes" if dirty else "")}


# The targets: name, value (from the sections), comparison, goal.
def targets(s: dict) -> list[dict]:
    found = []

    def add(name, value, goal, at_least=True):
        if value is not None:
            found.append({"name": name, "value": round(value, 3), "goal": goal, "at_least": at_least,
                          "pass": value >= goal if at_least else value <= goal})

    if "send" in s:
        add("replay into sink / wrk", s["send"]["pair"]["ratio_of_medians"], 0.8)
        add("gen0 GCs in the replay (whole process)", s["send"]["gc_run"]["gen0_total"], 5, at_least=False)
    if "live" in s:
        add("live --max into sink / signing alone", s["live"]["pair"]["ratio_of_medians"], 0.9)
    if "signing" in s:
        add("1-thread signing / C loop", s["signing"]["one_thread"]["ratio_of_medians"], 0.95)
        add("all-core signing / 1 thread", s["signing"]["scaling"], 1.8)
    if "anvil" in s:
        add("CPU-s per 1k txs on anvil, fastload / ethers", s["anvil"]["cpu_s_per_1k"]["ratio"], 0.15, at_least=False)
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description="FastLoad macro benchmark (use bench/macro/run.sh)")
    ap.add_argument("--quick", action="store_true", help="CI size: fewer, shorter rounds (under 3 minutes)")
    ap.add_argument("--rounds", type=int, help="pairs per section (default: quick 3, full 7)")
    ap.add_argument("--only", help="sections to run, comma-separated: signing,send,live,anvil (default), models, defaults")
    ap.add_argument("--out", help="JSON file to write (default bench/results/macro-<date>-<profile>.json)")
    ap.add_argument("--note", default="", help="a note stored in the JSON, e.g. 'machine shared with 4 other jobs'")
    ap.add_argument("--fastload", help="command to run fastload with (default: dotnet src/Runner/bin/Release/net10.0/fastload.dll)")
    ap.add_argument("--variant", action="append", help="for --only models: NAME=COMMAND running a fastload build "
                    "(repeat; e.g. aot=/tmp/aot/fastload, tc0='env DOTNET_TieredCompilation=0 dotnet …/fastload.dll')")
    ap.add_argument("--work-dir", help="where presigned files are kept between runs (default: $TMPDIR/fastload-macro-UID)")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, stop_all)
    signal.signal(signal.SIGINT, stop_all)
    try:
        harness = Harness(args)
        report = harness.run()
    except BenchError as e:
        print(f"bench/macro: {e}", file=sys.stderr)
        return 1
    except UsageError as e:
        print(f"bench/macro: {e}", file=sys.stderr)
        return 2
    finally:
        stop_all()
    out = Path(args.out) if args.out else ROOT / "bench/results" / (
        f"macro-{dt.datetime.now().strftime('%Y-%m-%d-%H%M')}-{report['profile']}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print()
    sys.path.insert(0, str(Path(__file__).parent))
    import table
    print(table.markdown(report))
    print(f"\nwritten: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}  ({report['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
