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

echo "== peak memory of the Go side (one fit per process; KiB)"
# Baseline: the same binary with the benchmark skipped (no data read).
base=$(STRATA_BENCH_DIR= /usr/bin/time -f '%M' "$out/cluster.test" -test.run '^$' \
	-test.bench '^BenchmarkLloyd$' -test.benchtime 1x 2>&1 >/dev/null | tail -1)
echo "Baseline 0 0 0 $base" | tee "$out/peak-rss.txt"
for s in $(echo "$shapes" | tr , ' '); do
	n=${s%%x*}; r=${s#*x}; d=${r%%x*}; k=${r#*x}
	for alg in Lloyd Auto Elkan; do
		kb=$(/usr/bin/time -f '%M' "$out/cluster.test" -test.run '^$' \
			-test.bench "^Benchmark$alg$/^n=$n$/^d=$d$/^k=$k$" -test.benchtime 1x 2>&1 >/dev/null | tail -1)
		echo "$alg $n $d $k $kb" | tee -a "$out/peak-rss.txt"
	done
done
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
