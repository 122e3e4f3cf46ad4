#!/usr/bin/env bash
# Gathers the shard files of a sharded FastLoad run and prints the merged report (fastload report over all of them:
# rates summed per second, latency percentiles over the union of the txs), with an HTML page beside the files.
#
#   deploy/gather.sh --dir results/run1               the files are in a local folder already (one machine, or copied)
#   deploy/gather.sh --k8s [--namespace NS] [--pvc fastload-results] [--to DIR]
#                                                     copy them off the Job's volume (deploy/k8s/) first
#
# FASTLOAD names the fastload to use ("dotnet /path/fastload.dll" works too); default: fastload on PATH, else this
# repository's ./fastload.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "gather.sh: $*" >&2; exit 2; }

mode="" dir="" namespace="" pvc="fastload-results" to=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) mode=dir; dir="${2:-}"; shift 2 || usage ;;
    --k8s) mode=k8s; shift ;;
    --namespace|-n) namespace="${2:-}"; shift 2 || usage ;;
    --pvc) pvc="${2:-}"; shift 2 || usage ;;
    --to) to="${2:-}"; shift 2 || usage ;;
    -h|--help) usage ;;
    *) die "unknown argument '$1': give --dir DIR, or --k8s [--namespace NS] [--pvc NAME] [--to DIR]" ;;
  esac
done
[ -n "$mode" ] || usage

if [ -n "${FASTLOAD:-}" ]; then
  read -r -a fastload <<<"$FASTLOAD"
elif command -v fastload >/dev/null 2>&1; then
  fastload=(fastload)
else
  fastload=("$here/../fastload")
fi

if [ "$mode" = k8s ]; then
  command -v kubectl >/dev/null 2>&1 || die "kubectl is not on PATH: install it, or copy the files yourself and use --dir"
  ns=(); [ -n "$namespace" ] && ns=(--namespace "$namespace")
  dir="${to:-results/k8s-$(date -u +%Y%m%d-%H%M%S)}"
  mkdir -p "$dir"
  # The Job's pods have ended; a short-lived pod mounts the same volume, read-only, to copy the files from.
  pod="fastload-gather-$$"
  overrides=$(cat <<JSON
{"apiVersion":"v1","spec":{"containers":[{"name":"gather","image":"busybox:1.36","command":["sleep","600"],
 "volumeMounts":[{"name":"results","mountPath":"/results","readOnly":true}]}],
 "volumes":[{"name":"results","persistentVolumeClaim":{"claimName":"$pvc","readOnly":true}}]}}
JSON
)
  trap 'kubectl "${ns[@]}" delete pod "$pod" --wait=false >/dev/null 2>&1 || true' EXIT
  kubectl "${ns[@]}" run "$pod" --image=busybox:1.36 --restart=Never --overrides="$overrides" >/dev/null
  kubectl "${ns[@]}" wait --for=condition=Ready "pod/$pod" --timeout=120s >/dev/null
  for f in $(kubectl "${ns[@]}" exec "$pod" -- sh -c 'ls /results/*.duckdb 2>/dev/null'); do
    kubectl "${ns[@]}" cp "$pod:$f" "$dir/$(basename "$f")" >/dev/null
  done
fi

[ -d "$dir" ] || die "--dir $dir is not a folder"
shopt -s nullglob
files=("$dir"/*.duckdb)
[ ${#files[@]} -gt 0 ] || die "no .duckdb files in $dir: give the folder the shards wrote their --out files to"
echo "${#files[@]} results file(s) in $dir" >&2
exec "${fastload[@]}" report "${files[@]}" --html "$dir/merged.html"
