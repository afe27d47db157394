#!/usr/bin/env bash
# commit_latency_under_compaction.sh BEFORE_BIN AFTER_BIN — commit latency percentiles of two
# stratadb binaries under a sustained insert load that keeps flushes, LSM compactions and
# Raft log compactions (every 100 000 entries: a memtable flush + checkpoint) running.
#
# Each binary gets a fresh data directory and sysbench oltp_insert (autocommit INSERTs: one
# Raft commit each) for TIME seconds; runs are interleaved A B B A so machine drift hits both.
# sysbench's latency histogram gives p50 / p99 / p99.9 per run. Not a test: figures for
# docs/performance.md.
#
# Tunables: THREADS [8] TIME [60]
set -euo pipefail
BEFORE=${1:?before binary}
AFTER=${2:?after binary}
THREADS=${THREADS:-8} TIME=${TIME:-60}
WORK=$(mktemp -d /tmp/commit-latency-XXXX)
PORT=24306
trap 'kill $(cat $WORK/*.pid 2>/dev/null) 2>/dev/null || true; sleep 1' EXIT

sb() {  # sb PORT ACTION [ARGS...]
  local port=$1 action=$2
  shift 2
  sysbench oltp_insert --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$port" --mysql-user=root \
    --mysql-password=sb --mysql-db=sbtest --tables=1 --table-size=1000 \
    --threads="$THREADS" "$@" "$action"
}

percentiles() {  # sysbench --histogram output on stdin → "p50 p99 p99.9" in ms
  awk '/^ +[0-9.]+ \|/ { v[n] = $1; c[n] = $NF; total += $NF; n++ }
       END { split("0.5 0.99 0.999", q, " "); out = "";
             for (i = 1; i <= 3; i++) { want = q[i] * total; acc = 0;
               for (j = 0; j < n; j++) { acc += c[j]; if (acc >= want) { out = out sprintf("%.2f ", v[j]); break } } }
             print out }'
}

run() {  # run NAME BIN → "tps p50 p99 p99.9 log_compactions"
  local name=$1 bin=$2 dir="$WORK/$1-$RANDOM"
  "$bin" start --data-dir "$dir" --port $PORT --admin-port $((PORT + 2000)) --raft-port $((PORT + 1000)) \
    --root-password sb --log-level warn > "$dir.out" 2>&1 &
  echo $! > "$WORK/$name.pid"
  for _ in $(seq 100); do mariadb -h127.0.0.1 -P$PORT -uroot -psb -e "select 1" >/dev/null 2>&1 && break; sleep 0.2; done
  mariadb -h127.0.0.1 -P$PORT -uroot -psb -e "CREATE DATABASE sbtest"
  sb $PORT prepare > "$dir.prepare.log" 2>&1
  sb $PORT run --time="$TIME" --histogram=on --report-interval=0 > "$dir.run.log" 2>&1
  local tps p compactions
  tps=$(awk '/transactions:/ { gsub(/[(]/, "", $3); print $3 }' "$dir.run.log")
  p=$(percentiles < "$dir.run.log")
  compactions=$(curl -s "localhost:$((PORT + 2000))/metrics" | awk '/^stratadb_lsm_compactions_total/ { print $2 }')
  kill "$(cat "$WORK/$name.pid")"; wait "$(cat "$WORK/$name.pid")" 2>/dev/null || true
  rm -f "$WORK/$name.pid"
  echo "$tps $p $compactions"
}

echo "# sysbench oltp_insert, threads=$THREADS time=${TIME}s, $(nproc) cores; latency in ms"
printf "%-8s %10s %8s %8s %8s %12s\n" build tps p50 p99 p99.9 lsm_compactions
for pair in "before $BEFORE" "after $AFTER" "after $AFTER" "before $BEFORE"; do
  set -- $pair
  printf "%-8s %10s %8s %8s %8s %12s\n" "$1" $(run "$1" "$2")
done
echo "logs: $WORK"
