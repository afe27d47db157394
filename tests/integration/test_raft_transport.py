"""Process test of the Raft transport's defences and its fault filter (raft_test_node).

  1. damaged frames (absurd length, garbage record) sent to a node's Raft port: the node
     closes that connection, counts it (strata_raft_transport_bad_frames_total), keeps
     serving;
  2. a node of another cluster id dialling in: its frames are refused the same way;
  3. the fault filter (POST /partition): the leader cut off from both followers loses
     leadership to a new leader in a higher term; after healing, all three converge and
     every acknowledged increment is present.

Run with /usr/bin/python3; RAFT_TEST_NODE_BIN names the binary (CTest sets it).
"""
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from harness import free_port  # noqa: E402
from test_raft_cluster import BIN, MAX_ELECTION_TIMEOUT_S, Cluster  # noqa: E402


def raft_port(node):
    m = re.search(rf"(?:^|,){node.id}=127\.0\.0\.1:(\d+)", node.peers_arg)
    return int(m.group(1))


def bad_frames(node):
    with urllib.request.urlopen(f"http://127.0.0.1:{node.http_port}/metrics", timeout=2) as r:
        text = r.read().decode()
    m = re.search(r'strata_raft_transport_bad_frames_total\{node="%d"\} (\d+)' % node.id, text)
    return int(m.group(1)) if m else 0


def send_raw(port, payload):
    """Sends `payload` and returns True when the server closed the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=3) as s:
        s.sendall(payload)
        s.settimeout(3)
        try:
            return s.recv(1) == b""
        except ConnectionResetError:
            return True


def partition(node, peer, on):
    req = urllib.request.Request(f"http://127.0.0.1:{node.http_port}/partition?peer={peer}&on={1 if on else 0}",
                                 data=b"", method="POST")
    urllib.request.urlopen(req, timeout=2).read()


def main():
    assert os.path.exists(BIN), f"raft_test_node not found at {BIN}"
    tmp = tempfile.mkdtemp(prefix="raft-transport-")
    cluster = Cluster(tmp)
    rogue = None
    try:
        for n in cluster.nodes.values():
            n.start()
        leader, st = cluster.wait_leader(15)
        for _ in range(5):
            cluster.incr()

        # 1. damaged frames.
        target = cluster.nodes[2]
        assert send_raw(raft_port(target), struct.pack("<I", 0xFFFFFFFF)), "oversized frame not refused"
        assert send_raw(raft_port(target), struct.pack("<I", 16) + b"\x01" + b"\xab" * 15), "garbage not refused"
        assert bad_frames(target) >= 2, bad_frames(target)

        # 2. a node of another cluster (id 9, cluster 99) dials node 2 and campaigns.
        before = bad_frames(target)
        rogue_peers = f"9=127.0.0.1:{free_port()},2=127.0.0.1:{raft_port(target)}"
        rogue_log = open(os.path.join(tmp, "rogue.log"), "ab")
        rogue = subprocess.Popen([BIN, "--id", "9", "--data-dir", os.path.join(tmp, "rogue"), "--peers", rogue_peers,
                                  "--http-port", str(free_port()), "--cluster-id", "99"],
                                 stdout=subprocess.DEVNULL, stderr=rogue_log)
        deadline = time.time() + 3 * MAX_ELECTION_TIMEOUT_S
        while bad_frames(target) == before and time.time() < deadline:
            time.sleep(0.1)
        assert bad_frames(target) > before, "frames of another cluster were not refused"
        assert "raft message from cluster 0x63" in target.log(), "no log line for the refusal"
        rogue.kill()
        rogue.wait(timeout=10)
        for _ in range(5):
            cluster.incr()
        cluster.check_counter(list(cluster.nodes.values()))
        assert all(n.alive() for n in cluster.nodes.values())
        print(f"bad frames refused by node 2: {bad_frames(target)}")

        # 3. partition the leader away from both followers with the fault filter.
        leader, st = cluster.wait_leader(5)
        others = [n for n in cluster.nodes.values() if n is not leader]
        for o in others:
            partition(leader, o.id, True)
            partition(o, leader.id, True)
        cut_at = time.time()
        new_leader, st2 = cluster.wait_leader(4 * MAX_ELECTION_TIMEOUT_S, min_term=st["term"])
        assert new_leader is not leader
        print(f"partitioned leader {leader.id}; new leader {new_leader.id} in term {st2['term']} "
              f"after {time.time() - cut_at:.2f} s")
        for _ in range(10):
            cluster.incr()
        # check-quorum: the isolated old leader steps down.
        deadline = time.time() + 3 * MAX_ELECTION_TIMEOUT_S
        while leader.state()["role"] == "leader" and time.time() < deadline:
            time.sleep(0.05)
        assert leader.state()["role"] != "leader", "isolated leader did not step down"
        for o in others:
            partition(leader, o.id, False)
            partition(o, leader.id, False)
        states = cluster.check_counter(list(cluster.nodes.values()), timeout=15)
        print(f"healed: counter {states[0]['counter']} acked={cluster.acked} unknown={cluster.unknown}")
        print("OK")
    except BaseException:
        for n in cluster.nodes.values():
            sys.stderr.write(f"--- node {n.id} log (tail) ---\n{n.log()[-3000:] if os.path.exists(n.log_path) else ''}\n")
        raise
    finally:
        if rogue is not None and rogue.poll() is None:
            rogue.kill()
            rogue.wait(timeout=10)
        for n in cluster.nodes.values():
            if n.alive():
                n.proc.kill()
                n.proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
