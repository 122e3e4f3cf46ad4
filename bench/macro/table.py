#!/usr/bin/env python3
"""Prints the markdown tables of a macro benchmark JSON (bench/results/macro-*.json), for the README.

    python3 bench/macro/table.py bench/results/macro-2026-11-29-1900-full.json
"""
from __future__ import annotations

import json
import sys


def rate(x: float) -> str:
    return f"{x:,.0f}"


def pair_row(label: str, pair: dict) -> str:
    a = " / ".join(rate(r["a"]["rate"]) for r in pair["rounds"])
    b = " / ".join(rate(r["b"]["rate"]) for r in pair["rounds"])
    return (f"| {label} | {pair['a']}: {a} | {pair['b']}: {b} | {rate(pair['median_a'])} | {rate(pair['median_b'])} | "
            f"**{pair['ratio_of_medians']:.2f}** ({pair['min_ratio']:.2f}–{pair['max_ratio']:.2f}) |")


def markdown(report: dict) -> str:
    s = report["sections"]
    m = report["machine"]
    lines = [
        f"Run {report['date']} on {m['host']} ({m['cpu']}, {m['cores']} cores, .NET {m['dotnet_runtime']}, "
        f"commit {m['commit']}), profile {report['profile']}, load average (1 min) "
        + ", ".join(f"{k} {v:.1f}" for k, v in report["load_average_1m"].items())
        + (f"; {report['note']}" if report.get("note") else "") + ".",
        f"Command: `{report['command']}`",
    ]
    if any(k in s for k in ("signing", "send", "live", "anvil")):
        lines += ["", "| pair (A vs B) | A per round | B per round | median A | median B | A / B (range of rounds) |",
                  "| --- | --- | --- | ---: | ---: | ---: |"]
    if "signing" in s:
        lines.append(pair_row("signing, 1 thread (tx/s vs signs/s)", s["signing"]["one_thread"]))
        lines.append(pair_row(f"signing, all {m['cores']} cores", s["signing"]["all_cores"]))
    if "send" in s:
        lines.append(pair_row(f"send ceiling into the sink ({s['send']['in_flight']} requests in flight)", s["send"]["pair"]))
    if "live" in s:
        lines.append(pair_row("live `run --max` into the sink vs signing alone", s["live"]["pair"]))
    if "anvil" in s:
        lines.append(pair_row("anvil, accepted tx/s", s["anvil"]["pair"]))
    if "anvil" in s:
        a = s["anvil"]
        lines += ["", "| against anvil (medians) | FastLoad | ethers | FastLoad / ethers |", "| --- | ---: | ---: | ---: |",
                  f"| accepted tx/s | {rate(a['pair']['median_a'])} | {rate(a['pair']['median_b'])} | {a['pair']['ratio_of_medians']:.2f} |",
                  f"| included tx/s (first send to last inclusion) | {rate(a['included_rate']['fastload'])} | "
                  f"{rate(a['included_rate']['ethers'])} | {a['included_rate']['ratio']:.2f} |",
                  f"| CPU-s per 1k txs (whole generator process) | {a['cpu_s_per_1k']['fastload']:.3f} | "
                  f"{a['cpu_s_per_1k']['ethers']:.3f} | {a['cpu_s_per_1k']['ratio']:.2f} |"]
    if "send" in s:
        g = s["send"]["gc_run"]
        lines += ["", f"Replay of {g['txs']:,} txs into the sink with its results file: {rate(g['rate'])} tx/s, "
                      f"{rate(g['first_second_sent'])} sent in the first second, GCs in the whole process "
                      f"gen0 {g['gen0_total']} / gen1 {g['gen1_total']} / gen2 {g['gen2_total']} "
                      f"({g['gen0_after_first_second']} gen0 after the first second)."]
    if "signing" in s:
        lines += [f"Signing scales {s['signing']['scaling']:.2f}× from 1 to {m['cores']} threads "
                  f"(the C loop, one process per core: {s['signing']['c_scaling']:.2f}×)."]
    if "models" in s:
        lines += ["", f"Replay of {s['models']['txs']:,} txs into the sink (with results) per compile model (medians):", "",
                  "| model | command | tx/s | sent in the first second | in the second | process CPU-s | process wall s | gen0 GCs |",
                  "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for name, v in s["models"]["variants"].items():
            lines.append(f"| {name} | `{v['command']}` | {rate(v['median_rate'])} | {rate(v['median_first_second_sent'])} | "
                         f"{rate(v['median_second_second_sent'])} | "
                         f"{v['median_cpu_s']:.2f} | {v['median_wall_s']:.2f} | {v['median_gen0_total']:g} |")
    if "defaults" in s:
        d = s["defaults"]
        lines += ["", f"Replay of {d['txs']:,} txs into the sink, one setting varied from the defaults (medians):", "",
                  "| batch | connections | pipelining | in flight | tx/s | process CPU-s per 1M txs |",
                  "| ---: | ---: | ---: | ---: | ---: | ---: |"]
        for r in d["sending"]:
            lines.append(f"| {r['batch']} | {r['connections']} | {r['pipelining']} | {r['connections'] * r['pipelining']} | "
                         f"{rate(r['rate'])} | {r['cpu_s_per_1m']:.2f} |")
        lines += ["", "| `run --max` into the sink | " + " | ".join(f"`--signers {r['signers']}`" for r in d["signers"]) + " |",
                  "| --- |" + " ---: |" * len(d["signers"]),
                  "| tx/s (steady, from 1 s in) | " + " | ".join(rate(r["rate"]) for r in d["signers"]) + " |"]
    if report["targets"]:
        lines += ["", "| target | measured | goal | |", "| --- | ---: | ---: | --- |"]
    for t in report["targets"]:
        lines.append(f"| {t['name']} | {t['value']:g} | {'≥' if t['at_least'] else '≤'} {t['goal']:g} | "
                     f"{'met' if t['pass'] else 'not met'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: bench/macro/table.py bench/results/macro-….json", file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[1]) as f:
        print(markdown(json.load(f)))
