"""The cluster fault harness (label cluster-faults; issue 18): three real `stratadb`
processes on loopback, clients driving the register, bank, set, list-append and DDL
workloads against random nodes, and nemeses injecting faults for the whole run. Every
operation's invocation and outcome is recorded (unknown outcomes as indeterminate), the
cluster is healed, every node's final state is read, and checkers.py judges the history.

  cluster_faults.py [--duration S] [--seed N] [--nemeses a,b,...] [--nodes 3] [--out DIR]

CTest runs a short version (about two minutes); `make cluster-faults-soak` runs a long one.
Exit status 0: no anomaly; 1: anomalies (printed, and the history written to --out).
"""
import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cluster import NEMESES, Cluster, Node  # noqa: E402
from workloads import Bank, Ddl, ListAppend, Outcome, Register, Set, classify, connect  # noqa: E402

import pymysql  # noqa: E402


# Faults the checkers must catch (each run must report anomalies): acknowledged writes that
# were never fsynced, lost when every node loses power; and reads served from a node's own
# state (strata_read_consistency = 'follower') while partitions and pauses make it stale.
NEGATIVE_CONTROLS = {
    "lost-writes": "power-loss-all",
    "stale-reads": "partition-leader,partition-one-way,pause-leader",
}


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.ops = []
        self.t0 = time.monotonic()
        self.events = []

    def now(self):
        return time.monotonic() - self.t0

    def add(self, op):
        with self.lock:
            self.ops.append(op)

    def log(self, text):
        line = f"[{self.now():7.2f}] {text}"
        with self.lock:
            self.events.append(line)
        print(line, flush=True)


class Client(threading.Thread):
    """One client: runs its workload's operations one at a time, each on a random live node."""

    def __init__(self, process, workload, cluster, recorder, seed, stop):
        super().__init__(daemon=True)
        self.process, self.workload, self.cluster, self.rec = process, workload, cluster, recorder
        self.rng = random.Random(seed)
        self.stop = stop
        self.conns = {}

    def conn(self, node):
        c = self.conns.get(node.name)
        if c is None:
            c = connect(node)
            self.conns[node.name] = c
        return c

    def drop(self, node):
        c = self.conns.pop(node.name, None)
        if c is not None:
            try:
                c.close()
            except Exception:
                pass

    def run(self):
        while not self.stop.is_set():
            node = self.rng.choice(self.cluster.nodes)
            f, value = self.workload.next_op(self.process % 1000, self.rng)
            op = dict(process=self.process, workload=self.workload.name, f=f, value=value, node=node.name,
                      start=self.rec.now())
            try:
                if f == "ddl-dml":
                    self.ddl(op, node)
                    op["type"] = "ok"
                else:
                    op["value"] = self.workload.run(op, self.conn(node))
                    op["type"] = "ok"
            except Outcome as o:
                op["type"], op["error"] = o.type, o.error
                if not o.error or o.error >= 2000:
                    self.drop(node)
            except pymysql.MySQLError as e:  # connecting failed: nothing was sent
                op["type"], op["error"] = "fail", e.args[0] if e.args else None
                self.drop(node)
            op["end"] = self.rec.now()
            self.rec.add(op)
            # A modest rate (as Jepsen's clients keep): histories stay checkable.
            time.sleep(0.02 if op["type"] == "ok" else 0.05)

    def ddl(self, op, node):
        table = op["value"]
        with self.conn(node).cursor() as cur:
            try:
                cur.execute(f"CREATE TABLE {table} (id INT PRIMARY KEY)")
            except pymysql.MySQLError as e:
                raise Outcome(*classify(e, committing=True))
        others = [n for n in self.cluster.nodes if n is not node]
        other = self.rng.choice(others)
        op["created_on"], op["node"] = node.name, other.name
        try:
            with self.conn(other).cursor() as cur:
                cur.execute(f"INSERT INTO {table} VALUES (1)")
        except pymysql.MySQLError as e:
            if e.args and e.args[0] == 1146:
                op["missing_table"] = True
            if e.args and e.args[0] >= 2000:
                self.drop(other)
            raise Outcome("fail", e.args[0] if e.args else None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=float, default=float(os.environ.get("STRATA_FAULTS_SECONDS", 75)))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("STRATA_FAULTS_SEED", time.time_ns() % 100000)))
    ap.add_argument("--nemeses", default="all")
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--hold", type=float, default=3.0, help="seconds each fault lasts (jittered)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--negative-control", choices=sorted(NEGATIVE_CONTROLS),
                    help="plant a fault the checkers must catch; exit 0 only if they do")
    args = ap.parse_args()
    if args.negative_control:
        args.nemeses = NEGATIVE_CONTROLS[args.negative_control]
        Node.unsafe = args.negative_control == "lost-writes"
    names = list(NEMESES) if args.nemeses == "all" else [n for n in args.nemeses.split(",") if n]
    for n in names:
        if n not in NEMESES:
            sys.exit(f"unknown nemesis {n}; known: {', '.join(NEMESES)}")
    rng = random.Random(args.seed)
    rec = Recorder()
    rec.log(f"seed {args.seed}, {args.nodes} nodes, {args.duration:.0f} s of faults: {', '.join(names)}")

    cluster = Cluster(args.nodes, rec.log)
    failed = False
    try:
        failed = run(cluster, rec, rng, names, args)
    finally:
        out = args.out or tempfile.mkdtemp(prefix="cluster-faults-")
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "history.json"), "w") as f:
            json.dump({"seed": args.seed, "events": rec.events, "ops": rec.ops}, f, default=list)
        if failed:
            for n in cluster.nodes + cluster.spare:
                with open(os.path.join(out, f"{n.name}.log"), "w") as f:
                    f.write(n.log() if os.path.exists(n.stderr_path) else "")
        rec.log(f"history: {out}/history.json")
        cluster.cleanup()
    if args.negative_control:
        rec.log("negative control: the checkers caught the planted fault" if failed else
                "negative control: the planted fault went UNNOTICED")
        sys.exit(0 if failed else 1)
    sys.exit(1 if failed else 0)


def run(cluster, rec, rng, names, args):
    workloads = [Register(writers=3, follower_reads=args.negative_control == "stale-reads"), Bank(), Set(),
                 ListAppend(), Ddl()]
    clients_per = {"register": 3, "bank": 2, "set": 2, "list-append": 3, "ddl": 1}
    if args.negative_control == "stale-reads":
        # Three readers more: a writer stuck on the isolated leader (a proposal that waits out
        # its timeout) reads nothing meanwhile, and with only the three writers the stale
        # reads the control must show were sometimes never made.
        clients_per["register"] = 6
    with connect(cluster.leader()) as c, c.cursor() as cur:
        cur.execute("CREATE DATABASE faults")
        for w in workloads:
            w.setup(c)

    stop = threading.Event()
    clients = []
    for w in workloads:
        for i in range(clients_per[w.name]):
            process = len(clients) * 1000 + i if w.name != "register" else i
            clients.append(Client(process, w, cluster, rec, rng.randrange(1 << 30), stop))
    for c in clients:
        c.start()

    # Faults: every nemesis in turn (shuffled), until the duration is spent.
    deadline = time.monotonic() + args.duration
    faults = []
    time.sleep(2)
    order = []
    while time.monotonic() < deadline:
        if not order:
            order = names[:]
            rng.shuffle(order)
        name = order.pop()
        hold = args.hold * rng.uniform(0.5, 1.5)
        rec.log(f"nemesis {name} ({hold:.1f} s)")
        try:
            what = NEMESES[name](cluster, rng, hold)
        except Exception as e:
            rec.log(f"nemesis {name} FAILED: {e}")
            cluster.heal()
            stop.set()
            raise
        faults.append(name)
        rec.log(f"  {what}")
        cluster.heal()
        time.sleep(1.5)

    # Heal, converge, and show that every workload makes progress again.
    cluster.heal()
    cluster.wait(cluster.converged, 90, "the cluster to converge after the faults")
    rec.log("healed and converged")
    healed_at = rec.now()
    time.sleep(4)
    stop.set()
    for c in clients:
        c.join(timeout=30)
    cluster.wait(cluster.converged, 60, "the cluster to converge after the last writes")

    anomalies = []
    for w in workloads:
        ok_after = sum(1 for op in rec.ops if op["workload"] == w.name and op["type"] == "ok"
                       and op["start"] >= healed_at)
        if ok_after == 0:
            anomalies.append(f"{w.name}: no operation succeeded in the 4 s after healing")

    # Final state, read on every node from its own applied state.
    finals = {w.name: {} for w in workloads}
    for n in cluster.nodes:
        with connect(n) as c, c.cursor() as cur:
            cur.execute("SET strata_read_consistency = 'follower'")
            cur.execute("SET strata_max_staleness_ms = 3600000")
            for w in workloads:
                try:
                    v = w.final(c)
                except pymysql.MySQLError as e:
                    anomalies.append(f"{w.name}: the final read on {n.name} failed: {e}")
                    continue
                if v is not None:
                    finals[w.name][n.name] = v

    for w in workloads:
        history = [op for op in rec.ops if op["workload"] == w.name]
        anomalies += w.check(history, finals[w.name])

    total = len(rec.ops)
    by_type = {t: sum(1 for op in rec.ops if op["type"] == t) for t in ("ok", "fail", "info")}
    rec.log(f"faults injected: {len(faults)} ({', '.join(sorted(set(faults)))})")
    rec.log(f"operations: {total} (ok {by_type['ok']}, fail {by_type['fail']}, info {by_type['info']})")
    for w in workloads:
        ops = [op for op in rec.ops if op["workload"] == w.name]
        rec.log(f"  {w.name}: {len(ops)} ops, {sum(1 for o in ops if o['type'] == 'ok')} ok")
    errors = {}
    for op in rec.ops:
        if op["type"] != "ok":
            errors[op.get("error")] = errors.get(op.get("error"), 0) + 1
    rec.log(f"errors by code: {dict(sorted(errors.items(), key=lambda e: -e[1]))}")
    if anomalies:
        rec.log(f"ANOMALIES ({len(anomalies)}):")
        for a in anomalies[:50]:
            rec.log("  " + a)
        return True
    rec.log("result: valid (no anomaly)")
    return False


if __name__ == "__main__":
    main()
