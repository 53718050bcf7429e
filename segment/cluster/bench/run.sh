#!/bin/sh
# Side-by-side k-means speed benchmark of strata and scikit-learn.
# See segment/cluster/BENCHMARKS.md. Run from anywhere:
#
#   segment/cluster/bench/run.sh
#
# Environment: STRATA_BENCH_DIR (data and results; default /tmp/strata-bench),
# COUNT (passes per benchmark, default 3), STRATA_BENCH_ITERS (default 50),
# SHAPES (default all four, e.g. SHAPES=100000x8x8).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
export STRATA_BENCH_DIR="${STRATA_BENCH_DIR:-/tmp/strata-bench}"
count="${COUNT:-3}"
shapes="${SHAPES:-100000x8x8,1000000x16x16,1000000x64x64,200000x16x256}"
out="$STRATA_BENCH_DIR/results"
mkdir -p "$out"
cd "$root"

echo "== data (generated once, deterministic) in $STRATA_BENCH_DIR"
go run ./segment/cluster/bench/gen -dir "$STRATA_BENCH_DIR" -shapes "$shapes"

echo "== load before: $(cat /proc/loadavg)"
go test -c -o "$out/cluster.test" ./segment/cluster/
# One regexp per shape level, anchored (n=100000 must not match n=1000000).
pat=$(echo "$shapes" | awk -F, '{for (i = 1; i <= NF; i++) {split($i, s, "x"); printf "%s^n=%s$", (i > 1 ? "|" : ""), s[1]}}')

echo "== strata (Go), $count passes"
"$out/cluster.test" -test.run '^$' -test.bench "^Benchmark(Lloyd|Hamerly|Elkan|Auto|KernelLloyd)$/($pat)/" \
	-test.benchtime 1x -test.count "$count" | tee "$out/strata.txt"

echo "== scikit-learn, $count passes"
/usr/bin/python3 "$here/sklearn_bench.py" -count "$count" -shapes "$shapes" | tee "$out/sklearn.txt"

echo "== memory of the Go side (bench/memfit: one fit per process)"
# memfit streams the data into the matrix (one copy), then reports the
# process's resident set before reading (the Go runtime's baseline), its peak
# (VmHWM), and the fit's own heap (runtime/metrics, sampled every ms) and
# allocation (MemStats.TotalAlloc), in bytes and as multiples of the data.
go build -o "$out/memfit" ./segment/cluster/bench/memfit
: > "$out/memory.txt"
for s in $(echo "$shapes" | tr , ' '); do
	for alg in Lloyd Hamerly Auto Elkan; do
		"$out/memfit" -dir "$STRATA_BENCH_DIR" -shape "$s" -alg "$alg" -iters "${STRATA_BENCH_ITERS:-50}" | tee -a "$out/memory.txt"
	done
done
# peak-rss.txt for compare.py: "Alg n d k KiB", and the baseline.
awk '{ split($1, p, "/"); alg = substr(p[1], 16); sub("n=", "", p[2]); sub("d=", "", p[3]); sub("k=", "", p[4]); sub("-.*", "", p[4])
	if (NR == 1) printf "Baseline 0 0 0 %d\n", $7 / 1024
	printf "%s %s %s %s %d\n", alg, p[2], p[3], p[4], $9 / 1024 }' "$out/memory.txt" > "$out/peak-rss.txt"
cat "$out/peak-rss.txt"
echo "== load after: $(cat /proc/loadavg)"

echo "== benchstat"
if command -v benchstat >/dev/null 2>&1 || [ -x "$(go env GOPATH)/bin/benchstat" ]; then
	PATH="$PATH:$(go env GOPATH)/bin" benchstat -ignore pkg,cpu \
		sklearn="$out/sklearn.txt" strata="$out/strata.txt" | tee "$out/benchstat.txt"
else
	echo "benchstat not found: go install golang.org/x/perf/cmd/benchstat@latest"
fi

echo "== summary"
/usr/bin/python3 "$here/compare.py" "$out/strata.txt" "$out/sklearn.txt" "$out/peak-rss.txt" | tee "$out/summary.md"
