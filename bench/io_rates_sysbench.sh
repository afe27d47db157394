#!/usr/bin/env bash
# io_rates_sysbench.sh [BUILD_DIR] — foreground point-select latency beside a heavy write
# load, with the background I/O buckets off vs on (docs/performance.md, "I/O rate limits").
#
# Starts one fresh `stratadb start`, prepares the sysbench tables, then runs phases in the
# order of MODES (default "off auto auto off", so machine drift hits both sides). Each
# phase sets the mode through the admin API (POST /config/io — the same runtime path an
# operator uses), starts bench/bulk_load.py (LOAD_THREADS connections inserting
# BATCH-row statements of ROW_BYTES-byte rows: memtable flushes and compactions), waits
# WARMUP s, runs sysbench oltp_point_select for TIME s, and prints its TPS, mean and p99
# latency, the loader's MiB/s and the flush/compaction MiB written during the phase.
#
# Modes: off = every class unlimited (-1), auto = the tuner (0), fixed<N> = N MiB/s.
# Tunables: TABLES [4] TABLE_SIZE [100000] THREADS [4] TIME [30] WARMUP [5]
#           LOAD_THREADS [2] BATCH [500] ROW_BYTES [1024] MODES ["off auto auto off"]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
SHARED=${SHARED:-$ROOT/../shared}
TABLES=${TABLES:-4} TABLE_SIZE=${TABLE_SIZE:-100000} THREADS=${THREADS:-4} TIME=${TIME:-30}
WARMUP=${WARMUP:-5} LOAD_THREADS=${LOAD_THREADS:-2} BATCH=${BATCH:-500} ROW_BYTES=${ROW_BYTES:-1024}
MODES=${MODES:-"off auto auto off"}
WORK=$(mktemp -d /tmp/io-rates-bench-XXXX)
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SPORT=$(port) APORT=$(port) RPORT=$(port)
trap 'kill $(cat $WORK/*.pid 2>/dev/null) 2>/dev/null || true; sleep 1; rm -rf "$WORK/data"' EXIT

"$BUILD/stratadb" start --data-dir "$WORK/data" --port "$SPORT" --admin-port "$APORT" --raft-port "$RPORT" \
  --root-password sb --log-level warn > "$WORK/strata.out" 2>&1 &
echo $! > "$WORK/strata.pid"
for _ in $(seq 100); do mariadb --no-defaults -h127.0.0.1 -P"$SPORT" -uroot -psb -e "select 1" >/dev/null 2>&1 && break; sleep 0.2; done

COMMON=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$SPORT" --mysql-user=root --mysql-password=sb
        --mysql-db=sbtest --tables="$TABLES" --table-size="$TABLE_SIZE")
mariadb --no-defaults -h127.0.0.1 -P"$SPORT" -uroot -psb -e "CREATE DATABASE sbtest"
start=$(date +%s)
sysbench oltp_common "${COMMON[@]}" --threads="$TABLES" prepare > "$WORK/prepare.log" 2>&1
echo "# prepare: $TABLES x $TABLE_SIZE rows in $(( $(date +%s) - start )) s"

set_mode() {  # set_mode MODE
  local v
  case $1 in off) v=-1 ;; auto) v=0 ;; fixed*) v=${1#fixed} ;; *) echo "bad mode $1" >&2; exit 2 ;; esac
  curl -s -f -X POST -d '' "http://127.0.0.1:$APORT/config/io?flush_rate_mb=$v&compaction_rate_mb=$v&snapshot_rate_mb=$v" > /dev/null
}
metric() {  # metric CLASS → bytes written by that class so far
  curl -s "http://127.0.0.1:$APORT/metrics" | awk -v c="$1" '$1 == "stratadb_io_bytes_total{class=\""c"\"}" {print $2}'
}

echo "# sysbench $(sysbench --version | awk '{print $2}') oltp_point_select threads=$THREADS time=${TIME}s; load: $LOAD_THREADS x $BATCH rows x $ROW_BYTES B; $(nproc) cores"
printf "%-8s %9s %9s %9s %10s %9s %11s %11s\n" mode tps avg_ms p99_ms load_MiB/s load_fail flush_MiB compact_MiB
i=0
for mode in $MODES; do
  i=$((i + 1))
  set_mode "$mode"
  f0=$(metric flush) c0=$(metric compaction)
  /usr/bin/python3 "$ROOT/bench/bulk_load.py" "$SPORT" sb $((WARMUP + TIME)) "$LOAD_THREADS" "$BATCH" "$ROW_BYTES" > "$WORK/load-$i.log" 2>&1 &
  echo $! > "$WORK/load.pid"
  sleep "$WARMUP"
  # The tuner's decisions over the phase, every 2 s (rates-<phase>.log).
  (while kill -0 "$(cat "$WORK/load.pid" 2>/dev/null)" 2>/dev/null; do
     curl -s "http://127.0.0.1:$APORT/config/io"; echo; sleep 2; done > "$WORK/rates-$i.log") &
  sysbench oltp_point_select "${COMMON[@]}" --threads="$THREADS" --time="$TIME" --percentile=99 \
    --histogram=off run > "$WORK/ps-$i.log" 2>&1 || echo "warning: sysbench failed, see $WORK/ps-$i.log" >&2
  wait "$(cat "$WORK/load.pid")" || echo "warning: loader failed, see $WORK/load-$i.log" >&2
  rm -f "$WORK/load.pid"
  f1=$(metric flush) c1=$(metric compaction)
  curl -s "http://127.0.0.1:$APORT/config/io" > "$WORK/rates-$i.json"
  awk -v mode="$mode" -v f="$(( (${f1%.*} - ${f0%.*}) / 1048576 ))" -v c="$(( (${c1%.*} - ${c0%.*}) / 1048576 ))" \
      -v loadrate="$(sed -n 's/.*mib_per_s=\([0-9.]*\).*/\1/p' "$WORK/load-$i.log")" \
      -v fails="$(sed -n 's/.*failed_batches=\([0-9]*\).*/\1/p' "$WORK/load-$i.log")" '
    /transactions:/ { gsub(/[()]/, ""); tps = $3 }
    /^ *avg:/ { avg = $2 }
    /99th percentile:/ { p99 = $3 }
    END { printf "%-8s %9s %9s %9s %10s %9s %11s %11s\n", mode, tps, avg, p99, loadrate, fails, f, c }' "$WORK/ps-$i.log"
done
echo "logs and per-phase /config/io: $WORK"
