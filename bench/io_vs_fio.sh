#!/usr/bin/env bash
# Runs io::Scheduler (bench/io_bench, both backends) and fio with the same patterns on
# the same 1 GiB file, interleaved, for ROUNDS rounds, and prints each figure and the
# ratio scheduler/fio. The VM disks this runs on are noisy, so rounds alternate the two
# sides and the summary takes the median per row.
#
#   bench/io_vs_fio.sh [build-dir]        (env: SECONDS_PER_RUN=10 ROUNDS=3 KEEP_FILES=0)
#
# Patterns (both sides, O_DIRECT, 1 GiB file):
#   randread  4 KiB random reads, queue depth 32, time-based
#             fio --ioengine=io_uring --iodepth=32       vs scheduler io_uring backend
#             fio --ioengine=psync --numjobs=32 --thread vs scheduler thread-pool backend
#   seqwrite  1 MiB sequential overwrites of the whole file, 32 in flight, fsync every
#             32 writes:  fio --rw=write --bs=1M --iodepth=32 --fsync=32 --ioengine=io_uring
set -euo pipefail

BUILD=${1:-$(cd "$(dirname "$0")/.." && pwd)/build-io}
SECS=${SECONDS_PER_RUN:-10}
ROUNDS=${ROUNDS:-3}
FILE=$BUILD/io_bench.dat
WFILE=$FILE.write
BENCH=$BUILD/bench/io_bench

command -v fio >/dev/null || { echo "fio is not installed" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is not installed" >&2; exit 1; }
if [[ ! -x $BENCH ]]; then
  cmake --build "$BUILD" -j2 --target io_bench
fi
cleanup() { [[ ${KEEP_FILES:-0} == 1 ]] || rm -f "$FILE" "$WFILE"; }
trap cleanup EXIT

export IO_BENCH_FILE=$FILE IO_BENCH_SECONDS=$SECS IO_BENCH_FILE_MB=1024

# Lays out both files (untimed) so every timed run reads and overwrites allocated blocks.
"$BENCH" --benchmark_filter='BM_SeqWrite1M/0' >/dev/null 2>&1

fio_common=(--filename="$FILE" --size=1G --direct=1 --output-format=json)
fio_randread_uring() {
  fio --name=rr --rw=randread --bs=4k --ioengine=io_uring --iodepth=32 --runtime="$SECS" \
      --time_based "${fio_common[@]}" | jq '.jobs[0].read.iops'
}
fio_randread_psync() {
  fio --name=rr --rw=randread --bs=4k --ioengine=psync --numjobs=32 --thread --group_reporting \
      --runtime="$SECS" --time_based "${fio_common[@]}" | jq '.jobs[0].read.iops'
}
fio_seqwrite() {
  fio --name=sw --filename="$WFILE" --size=1G --direct=1 --output-format=json --rw=write --bs=1M \
      --ioengine=io_uring --iodepth=32 --fsync=32 | jq '.jobs[0].write.iops'
}
sched() {  # $1 = benchmark name regex; prints IOPS
  "$BENCH" --benchmark_filter="$1" --benchmark_format=json 2>/dev/null | jq '.benchmarks[0].IOPS'
}

declare -A v
rows=(rr_fio_uring rr_sched_uring rr_fio_psync rr_sched_pool sw_fio sw_sched_uring sw_sched_pool)
for r in $(seq 1 "$ROUNDS"); do
  echo "round $r/$ROUNDS ..." >&2
  v[rr_fio_uring,$r]=$(fio_randread_uring)
  v[rr_sched_uring,$r]=$(sched 'BM_RandRead4K/0/')
  v[rr_sched_pool,$r]=$(sched 'BM_RandRead4K/1/')
  v[rr_fio_psync,$r]=$(fio_randread_psync)
  v[sw_sched_uring,$r]=$(sched 'BM_SeqWrite1M/0/')
  v[sw_fio,$r]=$(fio_seqwrite)
  v[sw_sched_pool,$r]=$(sched 'BM_SeqWrite1M/1/')
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
declare -A m
printf '%-16s' "IOPS"; for r in $(seq 1 "$ROUNDS"); do printf '%12s' "round$r"; done; printf '%12s\n' median
for row in "${rows[@]}"; do
  vals=()
  for r in $(seq 1 "$ROUNDS"); do vals+=("${v[$row,$r]}"); done
  m[$row]=$(median "${vals[@]}")
  printf '%-16s' "$row"; for x in "${vals[@]}"; do printf '%12.0f' "$x"; done; printf '%12.0f\n' "${m[$row]}"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "randread 4k qd32  scheduler io_uring / fio io_uring : $(ratio "${m[rr_sched_uring]}" "${m[rr_fio_uring]}")"
echo "randread 4k qd32  scheduler threadpool / fio io_uring: $(ratio "${m[rr_sched_pool]}" "${m[rr_fio_uring]}")"
echo "randread 4k x32   scheduler threadpool / fio psync   : $(ratio "${m[rr_sched_pool]}" "${m[rr_fio_psync]}")"
echo "seqwrite 1M+fsync scheduler io_uring / fio io_uring : $(ratio "${m[sw_sched_uring]}" "${m[sw_fio]}")"
echo "seqwrite 1M+fsync scheduler threadpool / fio io_uring: $(ratio "${m[sw_sched_pool]}" "${m[sw_fio]}")"
