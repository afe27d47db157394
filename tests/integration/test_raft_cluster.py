"""Process test: three real raft_test_node processes on loopback (replicated counter).

Checks, with real TCP and real fsyncs:
  1. a leader is elected; increments through it are acknowledged once applied;
  2. kill -9 of the leader: a new leader within 2x the maximum election timeout (measured,
     printed), the counter intact and still counting;
  3. the killed node restarts and catches up from the log (no snapshot installed), the
     leader reading the entries it missed back from disk (its in-memory tail is 16 bytes);
  4. a follower stopped while the log is compacted past its position catches up by
     snapshot (its /state says a snapshot was installed, and its log says so too).
Every acknowledged increment must be present: acked <= counter <= acked + unknown, where
unknown counts requests whose outcome the client cannot know (timeouts, leadership lost).

Run with /usr/bin/python3; RAFT_TEST_NODE_BIN names the binary (CTest sets it).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from harness import free_port  # noqa: E402

BIN = os.environ.get("RAFT_TEST_NODE_BIN", os.path.join(os.path.dirname(__file__), "../../build/raft_test_node"))
TICK_MS = 100
ELECTION_TICK = 10
# The core randomizes the election timeout in [election_tick, 2 * election_tick) ticks.
MAX_ELECTION_TIMEOUT_S = 2 * ELECTION_TICK * TICK_MS / 1000.0
COMPACT_EVERY = 100
LOG_CACHE_BYTES = 16  # four "incr" entries: everything older is read back from the log files
TEST_DEADLINE = time.time() + 110  # the whole test stays under 2 minutes


def check_deadline():
    assert time.time() < TEST_DEADLINE, "test ran past its 110 s budget"


class Node:
    def __init__(self, node_id, tmp, peers_arg, http_port):
        self.id = node_id
        self.data_dir = os.path.join(tmp, f"n{node_id}")
        self.log_path = os.path.join(tmp, f"n{node_id}.log")
        self.http_port = http_port
        self.peers_arg = peers_arg
        self.proc = None

    def start(self):
        args = [BIN, "--id", str(self.id), "--data-dir", self.data_dir, "--peers", self.peers_arg,
                "--http-port", str(self.http_port), "--tick-ms", str(TICK_MS),
                "--election-tick", str(ELECTION_TICK), "--compact-every", str(COMPACT_EVERY),
                # The counter file is ~10 bytes: tiny chunks make its snapshot a multi-chunk stream.
                "--snapshot-chunk-bytes", "3",
                # A tiny in-memory log tail: a lagging node's entries come back from disk.
                "--log-cache-bytes", str(LOG_CACHE_BYTES)]
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.log_file)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig):
        if self.alive():
            self.proc.send_signal(sig)
            self.proc.wait(timeout=20)
        self.log_file.close()

    def log(self):
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def state(self, timeout=1.0):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/state", timeout=timeout) as r:
                return json.loads(r.read())
        except (urllib.error.URLError, OSError, ValueError):
            return None


class Cluster:
    def __init__(self, tmp):
        raft_ports = {i: free_port() for i in (1, 2, 3)}
        peers_arg = ",".join(f"{i}=127.0.0.1:{p}" for i, p in raft_ports.items())
        self.nodes = {i: Node(i, tmp, peers_arg, free_port()) for i in (1, 2, 3)}
        self.acked = 0
        self.unknown = 0

    def live(self):
        return [n for n in self.nodes.values() if n.alive()]

    def leader(self):
        """The live node that says it leads in the highest term, or None."""
        best = None
        for n in self.live():
            s = n.state()
            if s and s["role"] == "leader" and (best is None or s["term"] > best[1]["term"]):
                best = (n, s)
        return best

    def wait_leader(self, timeout, min_term=0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = self.leader()
            if found and found[1]["term"] > min_term:
                return found
            time.sleep(0.02)
        raise AssertionError("no leader within %.1f s" % timeout)

    def incr(self):
        """One increment, retried on a definite refusal; classifies the outcome."""
        for _ in range(50):
            check_deadline()
            found = self.leader()
            if not found:
                time.sleep(0.05)
                continue
            node = found[0]
            req = urllib.request.Request(f"http://127.0.0.1:{node.http_port}/incr", data=b"", method="POST")
            try:
                with urllib.request.urlopen(req, timeout=8) as r:
                    json.loads(r.read())
                    self.acked += 1
                    return
            except urllib.error.HTTPError as e:
                body = json.loads(e.read() or b"{}")
                if e.code == 503 and body.get("error") in ("not_leader", "aborted"):
                    time.sleep(0.05)
                    continue  # definitely not applied: try again
                self.unknown += 1
                return
            except (urllib.error.URLError, OSError):
                self.unknown += 1  # the request may have reached the leader
                return
        raise AssertionError("could not place an increment")

    def check_counter(self, nodes, timeout=10):
        """Waits until `nodes` agree on applied index and counter; checks the bounds."""
        deadline = time.time() + timeout
        states = []
        while time.time() < deadline:
            states = [n.state() for n in nodes]
            if all(states) and len({(s["applied"], s["counter"]) for s in states}) == 1:
                counter = states[0]["counter"]
                assert self.acked <= counter <= self.acked + self.unknown, \
                    f"counter {counter} outside [acked {self.acked}, acked + unknown {self.acked + self.unknown}]"
                return states
            time.sleep(0.05)
        raise AssertionError(f"nodes did not converge: {states}")


def main():
    assert os.path.exists(BIN), f"raft_test_node not found at {BIN}"
    tmp = tempfile.mkdtemp(prefix="raft-cluster-")
    cluster = Cluster(tmp)
    try:
        for n in cluster.nodes.values():
            n.start()
        leader, st = cluster.wait_leader(15)
        print(f"leader {leader.id} in term {st['term']}")

        for _ in range(30):
            cluster.incr()
        cluster.check_counter(cluster.live())
        print(f"phase 1: acked={cluster.acked} unknown={cluster.unknown}")

        # 2. kill -9 the leader; measure the election.
        old_term = st["term"]
        leader.stop(signal.SIGKILL)
        killed_at = time.time()
        new_leader, st = cluster.wait_leader(3 * MAX_ELECTION_TIMEOUT_S, min_term=old_term)
        election_s = time.time() - killed_at
        print(f"new leader {new_leader.id} in term {st['term']} after {election_s:.2f} s "
              f"(max election timeout {MAX_ELECTION_TIMEOUT_S:.1f} s)")
        assert election_s < 2 * MAX_ELECTION_TIMEOUT_S, f"election took {election_s:.2f} s"
        for _ in range(20):
            cluster.incr()
        cluster.check_counter(cluster.live())

        # 3. the killed node restarts and catches up from the log.
        leader.start()
        states = cluster.check_counter(list(cluster.nodes.values()), timeout=15)
        restarted = leader.state()
        assert restarted["snapshots_installed"] == 0, restarted
        serving = new_leader.state()
        assert serving["log_cached_bytes"] <= LOG_CACHE_BYTES, serving
        assert serving["log_disk_reads"] > 0, f"the lagging node's entries did not come from disk: {serving}"
        print(f"restarted node {leader.id} caught up by log at applied {states[0]['applied']} "
              f"(leader read {serving['log_disk_reads']} log batches back from disk)")

        # 4. stop a follower, compact past it, restart: catch-up by snapshot.
        new_leader, st = cluster.wait_leader(5)
        follower = next(n for n in cluster.live() if n is not new_leader)
        behind = follower.state()["applied"]
        follower.stop(signal.SIGTERM)
        for _ in range(COMPACT_EVERY + 20):
            cluster.incr()
        lead_state = new_leader.state()
        assert lead_state["first_index"] > behind + 1, \
            f"log not compacted past the stopped follower: {lead_state}, follower at {behind}"
        follower.start()
        cluster.check_counter(list(cluster.nodes.values()), timeout=15)
        fs = follower.state()
        assert fs["snapshots_installed"] >= 1, fs
        assert '"installed snapshot"' in follower.log(), "no snapshot log line"
        assert '"received snapshot"' in follower.log(), "no log line for the completed stream"
        print(f"follower {follower.id} caught up by snapshot at {fs['last_snapshot_installed']}")

        for _ in range(5):
            cluster.incr()
        final = cluster.check_counter(list(cluster.nodes.values()))
        print(f"final counter {final[0]['counter']}: acked={cluster.acked} unknown={cluster.unknown}")
        print("OK")
    except BaseException:
        for n in cluster.nodes.values():
            sys.stderr.write(f"--- node {n.id} log (tail) ---\n{n.log()[-3000:] if os.path.exists(n.log_path) else ''}\n")
        raise
    finally:
        for n in cluster.nodes.values():
            if n.proc is not None:
                if n.alive():
                    n.proc.kill()
                    n.proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
