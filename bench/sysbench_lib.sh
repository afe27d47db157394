# Shared by the sysbench comparison scripts (sourced; they set WORK and SHARED first): one
# sysbench run or prepare through ../shared/tools/run-sysbench.sh, its output kept in $WORK.

# sysbench_run NAME PORT USER TEST → TPS, or "TPS/errors-per-second" with SYSBENCH_ERRORS=1
sysbench_run() {
  local out="$WORK/$1-$4-$RANDOM" fields='$2'
  [ "${SYSBENCH_ERRORS:-0}" = 1 ] && fields='$2 "/" $7'
  DB_USER=$3 DB_PASSWORD=sb OUTDIR=$out TESTS=$4 PREPARE=0 CREATE_DB=0 \
    bash "$SHARED/tools/run-sysbench.sh" 127.0.0.1 "$2" > "$out.log" 2>&1
  awk -F'\t' "NR==2 {print $fields}" "$out/summary.tsv"
}

# sysbench_prepare NAME PORT USER → the "prepare: …" line (tables, rows, seconds)
sysbench_prepare() {
  DB_USER=$3 DB_PASSWORD=sb OUTDIR="$WORK/$1-prepare" TESTS=" " \
    bash "$SHARED/tools/run-sysbench.sh" 127.0.0.1 "$2" > "$WORK/$1-prepare.log" 2>&1
  grep prepare: "$WORK/$1-prepare/info.txt"
}
