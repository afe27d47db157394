#!/usr/bin/env bash
# sysbench_vs_mariadb.sh [BUILD_DIR] — StrataDB and MariaDB side by side, same machine, same run.
#
# Starts a throwaway MariaDB (Debian's mariadbd with ../shared/tools/mariadb-peer.cnf settings:
# 1 GiB buffer pool, flush at every commit, no binlog) and a fresh `stratadb start`, then runs
# ../shared/tools/run-sysbench.sh against each, interleaved (A B B A) so machine drift hits
# both, and prints TPS per test and the StrataDB/MariaDB ratio (geometric mean of the pairs).
#
# Tunables: TABLES [4] TABLE_SIZE [100000] THREADS [8] TIME [20]
#           TESTS ["oltp_point_select oltp_write_only oltp_insert"] PS_MODE [auto]
#           STRATA_USER [sb: made with CREATE USER / GRANT; root for builds before accounts]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
SHARED=${SHARED:-$ROOT/../shared}
export TABLES=${TABLES:-4} TABLE_SIZE=${TABLE_SIZE:-100000} THREADS=${THREADS:-8} TIME=${TIME:-20}
export TESTS=${TESTS:-"oltp_point_select oltp_write_only oltp_insert"} PS_MODE=${PS_MODE:-auto}
SUSER=${STRATA_USER:-sb}
WORK=$(mktemp -d /tmp/sysbench-vs-XXXX)
MPORT=23306 SPORT=23307
trap 'kill $(cat $WORK/*.pid 2>/dev/null) 2>/dev/null || true; sleep 1' EXIT

# --- MariaDB peer ---------------------------------------------------------------------
mkdir -p "$WORK/maria/data"
sed -e "s|/tmp/mariadb-peer|$WORK/maria|g" -e "s|^port=.*|port=$MPORT|" "$SHARED/tools/mariadb-peer.cnf" > "$WORK/maria.cnf"
mariadb-install-db --defaults-file="$WORK/maria.cnf" --auth-root-authentication-method=normal > "$WORK/maria-install.log" 2>&1
mariadbd --defaults-file="$WORK/maria.cnf" > "$WORK/maria.out" 2>&1 &
echo $! > "$WORK/maria.pid"
for _ in $(seq 100); do mariadb -h127.0.0.1 -P$MPORT -uroot -e "select 1" >/dev/null 2>&1 && break; sleep 0.2; done
mariadb -h127.0.0.1 -P$MPORT -uroot -e "CREATE USER IF NOT EXISTS 'sb'@'%' IDENTIFIED BY 'sb'; GRANT ALL ON *.* TO 'sb'@'%';"

# --- StrataDB -------------------------------------------------------------------------
"$BUILD/stratadb" start --data-dir "$WORK/strata" --port $SPORT --admin-port $((SPORT + 2000)) --raft-port $((SPORT + 1000)) \
  --root-password sb --log-level warn > "$WORK/strata.out" 2>&1 &
echo $! > "$WORK/strata.pid"
for _ in $(seq 100); do mariadb -h127.0.0.1 -P$SPORT -uroot -psb -e "select 1" >/dev/null 2>&1 && break; sleep 0.2; done
# The same non-root account on both sides (CREATE USER / GRANT).
[ "$SUSER" = root ] || mariadb -h127.0.0.1 -P$SPORT -uroot -psb -e "CREATE USER IF NOT EXISTS 'sb'@'%' IDENTIFIED BY 'sb'; GRANT ALL ON *.* TO 'sb'@'%';"

source "$ROOT/bench/sysbench_lib.sh"

echo "# sysbench $(sysbench --version | awk '{print $2}'), tables=$TABLES size=$TABLE_SIZE threads=$THREADS time=${TIME}s ps_mode=$PS_MODE, $(nproc) cores"
echo "mariadb  $(sysbench_prepare maria $MPORT sb)"
echo "stratadb $(sysbench_prepare strata $SPORT $SUSER)"
printf "%-20s %12s %12s %12s %12s %8s\n" test maria_1 strata_1 strata_2 maria_2 ratio
for t in $TESTS; do
  m1=$(sysbench_run maria $MPORT sb "$t"); s1=$(sysbench_run strata $SPORT $SUSER "$t")
  s2=$(sysbench_run strata $SPORT $SUSER "$t"); m2=$(sysbench_run maria $MPORT sb "$t")
  ratio=$(awk -v a="$s1" -v b="$m1" -v c="$s2" -v d="$m2" 'BEGIN{ if (b>0 && d>0 && a>0 && c>0) printf "%.2f", sqrt((a/b)*(c/d)); else print "n/a" }')
  printf "%-20s %12s %12s %12s %12s %8s\n" "$t" "$m1" "$s1" "$s2" "$m2" "$ratio"
done
echo "logs: $WORK"
