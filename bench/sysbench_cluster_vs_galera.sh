#!/usr/bin/env bash
# sysbench_cluster_vs_galera.sh [BUILD_DIR] — a 3-node StrataDB cluster and a 3-node MariaDB
# Galera cluster (Debian galera-4), side by side on this machine, in the same run (issue 18).
#
# Galera: three mariadbd on loopback with ../shared/tools/mariadb-peer.cnf's settings (flush at
# every commit, no binlog) plus wsrep (libgalera_smm.so, rsync SST, ROW format, interleaved
# auto-increment locks); node 1 bootstraps, nodes 2 and 3 join with an SST.
# StrataDB: `stratadb start` on node 1, then nodes 2 and 3 with --join; every node a voter.
# sysbench's clients all connect to one node of each cluster (Galera's node 1, StrataDB's
# leader), so neither pays for certification conflicts or forwarding; every commit is
# replicated to the other two nodes before it is acknowledged in both.
# Runs are interleaved (A B B A) so machine drift hits both; the ratio is StrataDB/Galera
# (geometric mean of the two pairs).
#
# Tunables: TABLES [4] TABLE_SIZE [50000] THREADS [8] TIME [20] PS_MODE [auto]
#           TESTS ["oltp_point_select oltp_read_write oltp_write_only oltp_insert"]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
SHARED=${SHARED:-$ROOT/../shared}
export TABLES=${TABLES:-4} TABLE_SIZE=${TABLE_SIZE:-50000} THREADS=${THREADS:-8} TIME=${TIME:-20}
export TESTS=${TESTS:-"oltp_point_select oltp_read_write oltp_write_only oltp_insert"} PS_MODE=${PS_MODE:-auto}
WORK=$(mktemp -d /tmp/sysbench-galera-XXXX)
chmod 755 "$WORK"
GPORT=24306 SPORT=25306   # Galera: SQL GPORT+i, group 24567+10i; StrataDB: SQL SPORT+i
trap 'kill $(cat $WORK/*.pid 2>/dev/null) 2>/dev/null || true; sleep 2; kill -9 $(cat $WORK/*.pid 2>/dev/null) 2>/dev/null || true' EXIT

wait_sql() {  # wait_sql PORT USER [PASSWORD]
  for _ in $(seq 300); do
    mariadb -h127.0.0.1 -P"$1" -u"$2" ${3:+-p"$3"} -e "select 1" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "server on port $1 did not come up (logs: $WORK)" >&2
  exit 1
}

# --- Galera ---------------------------------------------------------------------------
GROUP="gcomm://127.0.0.1:24567,127.0.0.1:24577,127.0.0.1:24587"
for i in 1 2 3; do
  dir="$WORK/galera$i"
  mkdir -p "$dir/data"
  chmod 777 "$dir/data"   # rsync's SST daemon on a joiner runs as nobody
  sed -e "s|/tmp/mariadb-peer|$dir|g" -e "s|^port=.*|port=$((GPORT + i))|" \
      -e "s|^innodb_buffer_pool_size=.*|innodb_buffer_pool_size=512M|" "$SHARED/tools/mariadb-peer.cnf" > "$dir/my.cnf"
  cat >> "$dir/my.cnf" <<EOF
wsrep_on=ON
wsrep_provider=/usr/lib/galera/libgalera_smm.so
wsrep_cluster_name=bench
wsrep_cluster_address=$GROUP
wsrep_node_address=127.0.0.1:$((24567 + 10 * (i - 1)))
wsrep_provider_options="base_port=$((24567 + 10 * (i - 1)));ist.recv_addr=127.0.0.1:$((24568 + 10 * (i - 1)))"
wsrep_sst_receive_address=127.0.0.1:$((24569 + 10 * (i - 1)))
wsrep_sst_method=rsync
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
EOF
done
mariadb-install-db --defaults-file="$WORK/galera1/my.cnf" --auth-root-authentication-method=normal > "$WORK/galera1-install.log" 2>&1
mariadbd --defaults-file="$WORK/galera1/my.cnf" --wsrep-new-cluster > "$WORK/galera1.out" 2>&1 &
echo $! > "$WORK/galera1.pid"
wait_sql $((GPORT + 1)) root
mariadb -h127.0.0.1 -P$((GPORT + 1)) -uroot -e "CREATE USER IF NOT EXISTS 'sb'@'%' IDENTIFIED BY 'sb'; GRANT ALL ON *.* TO 'sb'@'%';"
for i in 2 3; do
  mariadbd --defaults-file="$WORK/galera$i/my.cnf" > "$WORK/galera$i.out" 2>&1 &
  echo $! > "$WORK/galera$i.pid"
  wait_sql $((GPORT + i)) sb sb
done
size=$(mariadb -h127.0.0.1 -P$((GPORT + 1)) -usb -psb -N -e "SHOW STATUS LIKE 'wsrep_cluster_size'" | awk '{print $2}')
[ "$size" = 3 ] || { echo "galera cluster size $size, not 3 (logs: $WORK)" >&2; exit 1; }

# --- StrataDB -------------------------------------------------------------------------
start_strata() {  # start_strata I [--join ADDR]
  local i=$1; shift
  "$BUILD/stratadb" start --data-dir "$WORK/strata$i" --port $((SPORT + i)) --admin-port $((SPORT + 100 + i)) \
    --raft-port $((SPORT + 200 + i)) --root-password sb --log-level warn "$@" > "$WORK/strata$i.out" 2>&1 &
  echo $! > "$WORK/strata$i.pid"
  wait_sql $((SPORT + i)) root sb
}
start_strata 1
start_strata 2 --join 127.0.0.1:$((SPORT + 101))
start_strata 3 --join 127.0.0.1:$((SPORT + 101))
voters=0
for _ in $(seq 300); do
  voters=$(curl -s "http://127.0.0.1:$((SPORT + 101))/status" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["raft"]; print(sum(m["role"] in ("leader","follower") for m in r["members"]) if r["role"]=="leader" else 0)' 2>/dev/null || echo 0)
  [ "$voters" = 3 ] && break
  sleep 0.2
done
[ "$voters" = 3 ] || { echo "stratadb cluster has $voters voters, not 3 (logs: $WORK)" >&2; exit 1; }

source "$ROOT/bench/sysbench_lib.sh"
export SYSBENCH_ERRORS=1  # cells are TPS/errors-per-second

echo "# sysbench $(sysbench --version | awk '{print $2}'), 3-node clusters on loopback, tables=$TABLES size=$TABLE_SIZE threads=$THREADS time=${TIME}s ps_mode=$PS_MODE, $(nproc) cores"
echo "galera   $(sysbench_prepare galera $((GPORT + 1)) sb)"
echo "stratadb $(sysbench_prepare strata $((SPORT + 1)) root)"
echo "# columns: TPS/errors-per-second; ratio = StrataDB/Galera TPS"
printf "%-20s %16s %16s %16s %16s %8s\n" test galera_1 strata_1 strata_2 galera_2 ratio
pair() {  # pair TEST LABEL
  local t=$1 g1 s1 s2 g2 ratio
  g1=$(sysbench_run galera $((GPORT + 1)) sb "$t"); s1=$(sysbench_run strata $((SPORT + 1)) root "$t")
  s2=$(sysbench_run strata $((SPORT + 1)) root "$t"); g2=$(sysbench_run galera $((GPORT + 1)) sb "$t")
  ratio=$(awk -v a="${s1%/*}" -v b="${g1%/*}" -v c="${s2%/*}" -v d="${g2%/*}" \
    'BEGIN{ if (b>0 && d>0 && a>0 && c>0) printf "%.2f", sqrt((a/b)*(c/d)); else print "n/a" }')
  printf "%-20s %16s %16s %16s %16s %8s\n" "$2" "$g1" "$s1" "$s2" "$g2" "$ratio"
}
for t in $TESTS; do pair "$t" "$t"; done
# Galera reads its local copy (wsrep_sync_wait = 0); StrataDB's default read is
# linearizable (a ReadIndex heartbeat round per transaction). Its leader lease
# (strata_read_consistency = lease, docs/operations.md) is the closer match.
if [[ " $TESTS " == *" oltp_point_select "* ]]; then
  strata_sql() { mariadb -h127.0.0.1 -P$((SPORT + 1)) -uroot -psb -e "$1"; }
  strata_sql "SET GLOBAL strata_read_consistency = 'lease'"
  pair oltp_point_select "point_select/lease"
  strata_sql "SET GLOBAL strata_read_consistency = 'linearizable'"
fi
echo "logs: $WORK"
