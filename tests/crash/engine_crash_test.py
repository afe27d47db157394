"""Kills the engine writer with SIGKILL at random moments; after every restart the engine
must hold exactly the batches up to its persisted applied index (engine_crash_writer
verifies). Runs against either engine: lsm or btree.

Usage: engine_crash_test.py WRITER_BINARY lsm|btree [CYCLES]   (STRATA_SOAK=1: 300 cycles)"""
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

writer = sys.argv[1]
engine = sys.argv[2]
cycles = int(sys.argv[3]) if len(sys.argv) > 3 else 50
if os.environ.get("STRATA_SOAK"):
    cycles = 300
seed = int(os.environ.get("STRATA_CRASH_SEED", time.time_ns() % 1_000_000))
rng = random.Random(seed)
print(f"{engine}: seed {seed}, {cycles} kill cycles", flush=True)
d = tempfile.mkdtemp(prefix=f"{engine}-crash-")
try:
    last = 0
    for cycle in range(cycles):
        p = subprocess.Popen([writer, engine, d, "run"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
    v = subprocess.run([writer, engine, d, "verify-only"], capture_output=True, text=True)
    if v.returncode != 0:
        sys.exit(f"final verification failed\n{v.stdout}\n{v.stderr}")
    print(v.stdout.strip())
    if last == 0:
        sys.exit("the writer never persisted a batch: the test proved nothing")
    print(f"{cycles} passed, 0 failed")
finally:
    shutil.rmtree(d, ignore_errors=True)
