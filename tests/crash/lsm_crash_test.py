"""Kills the LSM writer with SIGKILL at random moments; after every restart the engine must
hold exactly the batches up to its persisted applied index (lsm_crash_writer verifies).

Usage: lsm_crash_test.py WRITER_BINARY [CYCLES]   (STRATA_SOAK=1: 300 cycles)"""
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

writer = sys.argv[1]
cycles = int(sys.argv[2]) if len(sys.argv) > 2 else 50
if os.environ.get("STRATA_SOAK"):
    cycles = 300
seed = int(os.environ.get("STRATA_CRASH_SEED", time.time_ns() % 1_000_000))
rng = random.Random(seed)
print(f"seed {seed}, {cycles} kill cycles", flush=True)
d = tempfile.mkdtemp(prefix="lsm-crash-")
try:
    last = 0
    for cycle in range(cycles):
        p = subprocess.Popen([writer, d, "run"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # The kill lands only after the writer has verified its state on start: a kill
        # during verification would prove nothing (and leave the check unread).
        first = p.stdout.readline()
        if "verified" not in first:
            p.kill()
            out, err = p.communicate()
            sys.exit(f"cycle {cycle}: writer did not verify on start (exit {p.returncode})\n{first}{out}\n{err}")
        time.sleep(rng.uniform(0.05, 0.6))
        p.send_signal(signal.SIGKILL)
        out, err = p.communicate()
        out = first + out
        if p.returncode not in (-signal.SIGKILL,):
            sys.exit(f"cycle {cycle}: writer exited {p.returncode} before the kill\n{out}\n{err}")
        idx = int(out.split("persisted_applied_index=")[1].split()[0])
        if idx < last:
            sys.exit(f"cycle {cycle}: persisted index went backwards {last} -> {idx}")
        last = idx
    v = subprocess.run([writer, d, "verify-only"], capture_output=True, text=True)
    if v.returncode != 0:
        sys.exit(f"final verification failed\n{v.stdout}\n{v.stderr}")
    print(v.stdout.strip())
    if last == 0:
        sys.exit("the writer never persisted a batch: the test proved nothing")
    print(f"{cycles} passed, 0 failed")
finally:
    shutil.rmtree(d, ignore_errors=True)
