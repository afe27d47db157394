"""Real `stratadb` processes on loopback as one cluster, and the faults the harness injects
into it (nemeses). Every node runs with --fault-injection, so /debug/power-loss,
/debug/partition and /debug/compact answer."""
import json
import os
import shutil
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import TIMEOUT_SCALE, Server, curl, post, wait_until  # noqa: E402
from sql_common import PASSWORD  # noqa: E402


def try_post(node, path, timeout=10):
    """harness.post, with a connection that fails or closes unanswered as (0, reason)."""
    try:
        return post(node, path, timeout)
    except OSError as e:
        return 0, str(e)


class Node(Server):
    # --unsafe-skip-fsync for the negative control (cluster_faults.py --negative-control).
    unsafe = False

    def __init__(self, name, join=None):
        super().__init__(extra_args=["--root-password", PASSWORD, "--fault-injection"] +
                         (["--unsafe-skip-fsync"] if Node.unsafe else []))
        self.name = name
        self.paused = False
        self.set_join(join)

    def set_join(self, join):
        self.extra_args = [a for a in self.extra_args if not a.startswith("--join")]
        if join is not None:
            self.extra_args.append(f"--join=127.0.0.1:{join.admin_port}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def status_or_none(self, timeout=2):
        code, body = curl(f"http://127.0.0.1:{self.admin_port}/status", timeout=timeout)
        if code != 200:
            return None
        return json.loads(body)


class Cluster:
    def __init__(self, size, log):
        self.log = log
        self.nodes = []
        self.spare = []  # nodes started by the grow nemesis, then removed
        first = Node("n1").start()
        self.nodes.append(first)
        for i in range(2, size + 1):
            self.nodes.append(Node(f"n{i}", join=first).start())
        self.wait(lambda: self.members_everywhere(size), 30, f"{size} members")

    # --- views ---------------------------------------------------------------------------

    def live(self):
        return [n for n in self.nodes if n.alive() and not n.paused]

    def status(self, node):
        """node's /status, or None when it does not answer."""
        try:
            return node.status_or_none()
        except Exception:
            return None

    def leader(self, among=None, timeout=15):
        deadline = time.time() + timeout * TIMEOUT_SCALE
        while time.time() < deadline:
            for n in among or self.live():
                st = self.status(n)
                if st and st["raft"]["role"] == "leader":
                    return n
            time.sleep(0.05)
        return None

    def members_everywhere(self, count):
        for n in self.live():
            st = self.status(n)
            if not st or len(st["raft"]["members"]) != count:
                return False
        return True

    def wait(self, cond, timeout, what):
        wait_until(cond, timeout, what, interval=0.1)

    def converged(self):
        """Every node up, one leader, every node applied what the leader committed."""
        sts = [self.status(n) for n in self.nodes]
        if any(st is None for st in sts):
            return False
        leaders = [n for n, st in zip(self.nodes, sts) if st["raft"]["role"] == "leader"]
        if len(leaders) != 1:
            return False
        # The leader's commit index first, then every node's applied index (under load the
        # commit index moves on while the others are asked).
        commit = self.status(leaders[0])["raft"]["commit_index"]
        for n in self.nodes:
            st = self.status(n)
            if st is None or st["raft"]["applied_index"] < commit:
                return False
        return True

    # --- repair ---------------------------------------------------------------------------

    def heal(self):
        """Ends every fault: resumes paused nodes, heals partitions, restarts dead nodes."""
        for n in self.nodes:
            if n.paused and n.alive():
                n.proc.send_signal(signal.SIGCONT)
            n.paused = False
        for n in self.nodes:
            if n.alive():
                try_post(n, "/debug/heal")
        for n in self.nodes:
            if not n.alive():
                self.restart(n)

    def restart(self, node):
        try:
            node.stderr.close()
        except Exception:
            pass
        node.start(wait=False)
        node.wait_healthy(timeout=60)

    def cleanup(self):
        for n in self.nodes + self.spare:
            if n.paused and n.alive():
                n.proc.send_signal(signal.SIGCONT)
            n.cleanup()


# --- nemeses: each injects a fault, holds it for `hold` seconds, then repairs it -----------


def _kill(cluster, victims, hold):
    for v in victims:
        v.kill9()
    cluster.log(f"kill -9 {[v.name for v in victims]}")
    time.sleep(hold)
    for v in victims:
        cluster.restart(v)
    return f"killed {','.join(v.name for v in victims)}"


def kill_one(cluster, rng, hold):
    return _kill(cluster, [rng.choice(cluster.live())], hold)


def kill_leader(cluster, rng, hold):
    leader = cluster.leader(timeout=5)
    return _kill(cluster, [leader or rng.choice(cluster.live())], hold)


def kill_majority(cluster, rng, hold):
    live = cluster.live()
    return _kill(cluster, rng.sample(live, len(cluster.nodes) // 2 + 1), hold)


def power_loss(cluster, rng, hold):
    victim = rng.choice(cluster.live())
    try_post(victim, "/debug/power-loss", timeout=5)
    code = victim.proc.wait(timeout=30)
    victim.stderr.close()
    if code != 86:
        raise AssertionError(f"power loss of {victim.name} exited {code}, not 86")
    time.sleep(hold)
    cluster.restart(victim)
    return f"power loss of {victim.name}"


def power_loss_all(cluster, rng, hold):
    """Every node loses power at once (a whole rack): only what was durable survives, so
    every acknowledged write must have been fsynced by a majority."""
    victims = cluster.live()
    threads = [threading.Thread(target=try_post, args=(v, "/debug/power-loss", 5)) for v in victims]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for v in victims:
        code = v.proc.wait(timeout=30)
        v.stderr.close()
        if code != 86:
            raise AssertionError(f"power loss of {v.name} exited {code}, not 86")
    time.sleep(hold)
    for v in victims:
        v.start(wait=False)
    for v in victims:
        v.wait_healthy(timeout=60)
    return f"power loss of {','.join(v.name for v in victims)}"


def pause_leader(cluster, rng, hold):
    leader = cluster.leader(timeout=5) or rng.choice(cluster.live())
    leader.proc.send_signal(signal.SIGSTOP)
    leader.paused = True
    time.sleep(hold)
    leader.proc.send_signal(signal.SIGCONT)
    leader.paused = False
    return f"SIGSTOP/SIGCONT of {leader.name}"


def _cut(node, peers, direction="both"):
    ports = ",".join(str(p.admin_port) for p in peers)
    code, body = try_post(node, f"/debug/partition?peers={ports}&direction={direction}")
    if code != 200:
        raise AssertionError(f"partition on {node.name} answered {code}: {body}")


def _heal_all(cluster):
    for n in cluster.nodes:
        if n.alive():
            try_post(n, "/debug/heal")


def partition_leader(cluster, rng, hold):
    leader = cluster.leader(timeout=5) or rng.choice(cluster.live())
    others = [n for n in cluster.nodes if n is not leader]
    _cut(leader, others)
    time.sleep(hold)
    _heal_all(cluster)
    return f"{leader.name} (leader) isolated"


def partition_one_way(cluster, rng, hold):
    """A node whose messages are lost but which still hears the others (or the reverse)."""
    victim = rng.choice(cluster.live())
    direction = rng.choice(["out", "in"])
    others = [n for n in cluster.nodes if n is not victim]
    _cut(victim, others, direction)
    time.sleep(hold)
    _heal_all(cluster)
    return f"{victim.name} one-way ({direction})"


def partition_ring(cluster, rng, hold):
    """Each node reaches only its neighbours (with 3 nodes: a bridge, one node sees both)."""
    nodes = cluster.nodes[:]
    rng.shuffle(nodes)
    k = len(nodes)
    for i, n in enumerate(nodes):
        far = [m for j, m in enumerate(nodes) if j != i and (j - i) % k not in (1, k - 1)]
        if k == 3 and i == 0:
            far = [nodes[1]]
        if k == 3 and i == 1:
            far = [nodes[0]]
        if far and n.alive():
            _cut(n, far)
    time.sleep(hold)
    _heal_all(cluster)
    return "ring" if k > 3 else f"bridge through {nodes[2].name}"


def transfer_leader(cluster, rng, hold):
    leader = cluster.leader(timeout=5)
    if leader is None:
        return "transfer skipped (no leader)"
    target = rng.choice([n for n in cluster.live() if n is not leader])
    tid = cluster.status(target)["node_id"]
    code, body = try_post(leader, f"/cluster/transfer-leader?id={tid}")
    time.sleep(hold)
    return f"transfer {leader.name} -> {target.name}: {code}"


def grow_shrink(cluster, rng, hold):
    """Two more members (5 voters from 3), then both removed again."""
    seed = cluster.leader(timeout=5) or cluster.live()[0]
    added = []
    for i in range(2):
        n = Node(f"x{len(cluster.spare) + 1}", join=seed)
        cluster.spare.append(n)
        n.start(wait=False)
        n.wait_healthy(timeout=60)
        added.append(n)
    total = len(cluster.nodes) + len(added)
    cluster.wait(lambda: all(len(cluster.status(n)["raft"]["members"]) == total for n in added), 60,
                 f"{total} members")
    time.sleep(hold)
    for n in added:
        nid = cluster.status(n)["node_id"]
        leader = cluster.leader(timeout=10)
        code, body = try_post(leader, f"/cluster/remove?id={nid}", timeout=30)
        if code != 200:
            raise AssertionError(f"remove of {n.name} answered {code}: {body}")
        n.stop()
    cluster.wait(lambda: cluster.members_everywhere(len(cluster.nodes)), 60, "back to the original members")
    return f"grew to {total} voters and back"


def wipe_rejoin(cluster, rng, hold):
    """A follower loses its disk and comes back as a new member; the old id is removed."""
    leader = cluster.leader(timeout=5)
    victim = rng.choice([n for n in cluster.live() if n is not leader])
    old_id = cluster.status(victim)["node_id"]
    victim.kill9()
    shutil.rmtree(victim.data_dir)
    time.sleep(hold)
    seed = cluster.leader(timeout=10) or rng.choice([n for n in cluster.live() if n is not victim])
    victim.set_join(seed)
    victim.start(wait=False)
    victim.wait_healthy(timeout=60)
    new_id = cluster.status(victim)["node_id"]
    if new_id == old_id:
        raise AssertionError(f"{victim.name} came back with its old id {old_id} after a wipe")
    leader = cluster.leader(timeout=10)
    code, body = try_post(leader, f"/cluster/remove?id={old_id}", timeout=30)
    if code != 200:
        raise AssertionError(f"remove of the wiped id {old_id} answered {code}: {body}")
    cluster.wait(lambda: cluster.members_everywhere(len(cluster.nodes)), 60, "the wiped node as a member")
    return f"{victim.name} wiped, rejoined as {new_id}"


def snapshot_lagging(cluster, rng, hold):
    """A follower is cut off while writes go on, the others compact their logs, and it must
    catch up from a snapshot."""
    leader = cluster.leader(timeout=5)
    if leader is None:
        return "snapshot skipped (no leader)"
    victim = rng.choice([n for n in cluster.live() if n is not leader])
    before = cluster.status(victim)["raft"].get("snapshots_installed", 0)
    _cut(victim, [n for n in cluster.nodes if n is not victim])
    time.sleep(hold)
    for n in cluster.live():
        if n is not victim:
            try_post(n, "/debug/compact")
    time.sleep(1.0)
    _heal_all(cluster)
    try:
        cluster.wait(lambda: cluster.status(victim)["raft"].get("snapshots_installed", 0) > before, 30,
                     f"{victim.name} to install a snapshot")
        return f"{victim.name} caught up from a snapshot"
    except AssertionError:
        # No write reached the log while it was away (a quiet moment): the log was enough.
        return f"{victim.name} caught up from the log (no snapshot needed)"


NEMESES = {
    "kill-one": kill_one,
    "kill-leader": kill_leader,
    "kill-majority": kill_majority,
    "power-loss": power_loss,
    "power-loss-all": power_loss_all,
    "pause-leader": pause_leader,
    "partition-leader": partition_leader,
    "partition-one-way": partition_one_way,
    "partition-ring": partition_ring,
    "transfer-leader": transfer_leader,
    "grow-shrink": grow_shrink,
    "wipe-rejoin": wipe_rejoin,
    "snapshot-lagging": snapshot_lagging,
}
