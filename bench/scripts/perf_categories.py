#!/usr/bin/env python3
"""Sorts the samples of a `perf record -g` of a FastLoad send (a replay into the sink) into the parts of the send path,
by thread name and the frames on each sample's stack, and prints a markdown table of shares.

    python3 bench/scripts/perf_categories.py perf.data

JIT frames resolve only when the process ran with DOTNET_PerfMapEnabled=1 (and DOTNET_EnableWriteXorExecute=0, or
perf sees the code as `memfd:doublemapper`). The first rule that matches a sample wins, in the order below.
"""
import collections
import subprocess
import sys

RULES = [
    ("JIT compiler (tier-up, OSR)", lambda comm, stack, leaf: comm.startswith(".NET Tiered") or "libclrjit" in leaf),
    ("inclusion tracker (Add, Grow)", lambda comm, stack, leaf: "InclusionTracker" in stack),
    ("recording (RunRecorder, NodeStats, histograms)",
     lambda comm, stack, leaf: "RunRecorder" in stack or "LatencyHistogram" in stack or "NodeStats" in stack),
    ("response parsing (JsonRpcResponseReader, Utf8JsonReader)",
     lambda comm, stack, leaf: "JsonRpcResponseReader" in stack or "Utf8JsonReader" in stack),
    ("replay feeder (file read, CRC, copies into the ring, its waits)",
     lambda comm, stack, leaf: comm.startswith("fastload-replay") or "ReplayFeeder" in stack
     or "PresignedFileReader" in stack or "Crc32C" in stack),
    ("thread-pool idle spinning (sched_yield)",
     lambda comm, stack, leaf: "LowLevelSpinWaiter" in stack or "LowLevelLifoSemaphore" in stack or "sched_yield" in leaf),
    ("request write (batch body, PipeWriter, sendto)",
     lambda comm, stack, leaf: "WriteRequest" in stack or "SendHoldingLock" in stack or "PipeWriter" in stack
     or "tcp_sendmsg" in stack),
    ("NodeSender loop (ring reads, batch building)", lambda comm, stack, leaf: "NodeSender" in stack),
    ("response read (recvfrom, HTTP framing)",
     lambda comm, stack, leaf: "tcp_recvmsg" in stack or "PipelinedHttpConnection" in stack),
    ("socket engine (epoll)", lambda comm, stack, leaf: "epoll" in stack or "SocketAsyncEngine" in stack),
    ("runtime (libcoreclr: stubs, GC, type loading)", lambda comm, stack, leaf: "libcoreclr" in leaf),
    ("kernel, other (scheduling, page faults)", lambda comm, stack, leaf: "[kernel" in leaf),
]


def samples(path: str):
    text = subprocess.run(["perf", "script", "-i", path, "-F", "comm,ip,sym,dso"], capture_output=True, text=True,
                          check=True).stdout
    for block in text.split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines()]
        if lines:
            yield lines[0], lines[1:]


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: perf_categories.py PERF.DATA")
    counts = collections.Counter()
    for comm, frames in samples(sys.argv[1]):
        stack, leaf = " ".join(frames), frames[0] if frames else ""
        counts[next((name for name, rule in RULES if rule(comm, stack, leaf)), "other")] += 1
    total = sum(counts.values())
    print(f"{total} samples\n\n| part of the send path | share of the process's samples |\n| --- | ---: |")
    for name, count in counts.most_common():
        print(f"| {name} | {100 * count / total:.1f} % |")


if __name__ == "__main__":
    main()
