#!/usr/bin/env bash
# Measures the scoring service on loopback with wrk (Debian's package; it
# shares the cores with the service): single assigns through the layered
# model beside the bare baseline (/v1/bare: same decoding, a canned answer of
# the same size), at 16 and 64 connections, and accounts/s through the batch
# endpoint. Usage: examples/scoringservice/bench.sh [seconds] (default 30).
# Needs wrk (apt-get install -y wrk). Writes its work files to $OUT
# (default a temporary directory) and prints the figures.
set -euo pipefail
{ # read whole before it runs, so that editing the file mid-run is harmless
cd "$(dirname "$0")"
DUR=${1:-30}
OUT=${OUT:-$(mktemp -d)}
PORT=${PORT:-18080}
ADMIN=${ADMIN:-18081}
N=${N:-20000}
MODEL=${MODEL:-} # an existing model file: skips the fit
BATCH=${BATCH:-1000}

echo "== build"
go build -o "$OUT/scoringservice" .
if [ -n "$MODEL" ]; then
	cp "$MODEL" "$OUT/model.json"
else
	echo "== fit ($N generated accounts)"
	"$OUT/scoringservice" fit -n "$N" -seed 1 -out "$OUT/model.json"
fi
# SAMPLE=-lean sends accounts without histories (the CRM record's own fields).
"$OUT/scoringservice" sample -n 1 ${SAMPLE:-} > "$OUT/one.json"
"$OUT/scoringservice" sample -n "$BATCH" ${SAMPLE:-} > "$OUT/batch.jsonl"
echo "request: $(wc -c < "$OUT/one.json") bytes; batch: $BATCH accounts, $(wc -c < "$OUT/batch.jsonl") bytes"

echo "== serve"
"$OUT/scoringservice" serve -model "$OUT/model.json" -addr "127.0.0.1:$PORT" -admin "127.0.0.1:$ADMIN" 2> "$OUT/serve.log" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break
	sleep 0.1
done
URL="http://127.0.0.1:$PORT"
# The answers must be 200s, of the same size, and the batch free of error lines.
a=$(curl -s -o "$OUT/assign.out" -w '%{http_code} %{size_download}' -H 'Content-Type: application/json' --data-binary @"$OUT/one.json" "$URL/v1/assign")
b=$(curl -s -o "$OUT/bare.out" -w '%{http_code} %{size_download}' -H 'Content-Type: application/json' --data-binary @"$OUT/one.json" "$URL/v1/bare")
echo "assign answer: $a; bare answer: $b"
curl -s -H 'Content-Type: application/x-ndjson' --data-binary @"$OUT/batch.jsonl" "$URL/v1/assign/batch" > "$OUT/batch.out"
echo "batch answer: $(wc -l < "$OUT/batch.out") lines, $(grep -c '"error"' "$OUT/batch.out" || true) error lines"

run() { # name connections path body content-type [timeout]
	echo "-- $1: $2 connections, $DUR s, load: $(cut -d' ' -f1-3 /proc/loadavg)"
	BODY=$4 CTYPE=$5 wrk -t2 -c"$2" -d"${DUR}s" --timeout "${6:-5s}" -s wrk.lua "$URL$3" | grep '^RESULT' | sed "s/^RESULT/$1 c=$2/"
}
echo "== wrk"
# ROUNDS > 1 repeats bare and assign, interleaved, to show the run-to-run noise.
for c in 16 64; do
	for _ in $(seq "${ROUNDS:-1}"); do
		run bare "$c" /v1/bare "$OUT/one.json" application/json
		run assign "$c" /v1/assign "$OUT/one.json" application/json
	done
done
run batch 4 /v1/assign/batch "$OUT/batch.jsonl" application/x-ndjson 60s
echo "(batch: accounts/s = rps × $BATCH)"
echo "== server errors logged: $(grep -c '"level":"ERROR"' "$OUT/serve.log" || true)"
kill -INT "$SERVER"
wait "$SERVER" || true
trap - EXIT
echo "work files in $OUT"
exit
}
