"""Process test (label cluster): three real `stratadb` processes on loopback form one
database.

  1. node 1 founds the cluster; node 2 joins it with --join, node 3 joins through node 2
     (a follower, which redirects to the leader); /status shows the contract fields;
  2. any node serves any client: DDL on one follower, writes on the other, reads on the
     leader; a write acknowledged on one node is read at once on another (linearizable);
  3. kill -9 of the leader: the survivors elect a new one and a client writing to a
     survivor is refused for at most a few seconds (measured, printed); nothing
     acknowledged is lost;
  4. the killed node restarts with the same flags and catches up without operator action;
  5. `stratadb cluster transfer-leader` moves leadership; SIGTERM on the leader hands it
     over before the process exits;
  6. a node wiped and restarted joins as a new member (new id, never voting with an empty
     log); `stratadb cluster remove` drops the old id.
"""
import os
import shutil
import signal
import subprocess
import time
import unittest

import pymysql

from harness import BIN, TIMEOUT_SCALE, Server, free_port, run_binary, wait_until
from sql_common import PASSWORD, connect

STATUS_KEYS = {"role", "term", "leader_id", "leader_admin_addr", "commit_index", "applied_index", "members"}
MEMBER_KEYS = {"id", "admin_addr", "role", "match_index", "lag"}


def node(join=None):
    args = ["--root-password", PASSWORD]
    if join:
        args += ["--join", f"127.0.0.1:{join.admin_port}"]
    return Server(extra_args=args)


def cli(*args):
    r = run_binary(["cluster"] + list(args), timeout=60)
    return r


class ClusterTest(unittest.TestCase):
    def setUp(self):
        self.nodes = []

    def tearDown(self):
        for n in self.nodes:
            n.cleanup()

    def leader(self, among=None, timeout=15):
        deadline = time.time() + timeout * TIMEOUT_SCALE
        while time.time() < deadline:
            for n in among or self.nodes:
                if n.proc is None or n.proc.poll() is not None:
                    continue
                try:
                    if n.status()["raft"]["role"] == "leader":
                        return n
                except Exception:
                    pass
            time.sleep(0.05)
        self.fail("no leader")

    def wait(self, cond, timeout=20, what="condition"):
        wait_until(cond, timeout, what)

    def rows(self, n, sql="SELECT id, v FROM app.t ORDER BY id"):
        with connect(n) as c, c.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()

    def insert(self, n, row_id, value):
        with connect(n) as c, c.cursor() as cur:
            cur.execute("INSERT INTO app.t VALUES (%s, %s)", (row_id, value))

    def start_three(self):
        n1 = node().start()
        n2 = node(join=n1).start()
        n3 = node(join=n2).start()  # through a follower: redirected to the leader
        self.nodes += [n1, n2, n3]
        self.wait(lambda: all(len(n.status()["raft"]["members"]) == 3 for n in self.nodes), what="3 members")
        return n1, n2, n3

    def test_three_nodes_serve_fail_over_and_rejoin(self):
        n1, n2, n3 = self.start_three()

        # 1. the status contract
        st = n3.status()["raft"]
        self.assertTrue(STATUS_KEYS <= set(st), st)
        self.assertEqual(st["role"], "follower")
        self.assertEqual(st["leader_admin_addr"], f"127.0.0.1:{n1.admin_port}")
        self.assertEqual(st["snapshot_transfers"], [])  # joined and caught up: none in progress
        roles = sorted(m["role"] for m in st["members"])
        self.assertEqual(roles, ["follower", "follower", "leader"])
        for m in n1.status()["raft"]["members"]:
            self.assertTrue(MEMBER_KEYS <= set(m), m)
            self.assertIsNotNone(m["match_index"])  # the leader knows every member's progress
        ids = {n.status()["node_id"] for n in self.nodes}
        self.assertEqual(ids, {m["id"] for m in st["members"]})

        # The same through SQL, for operators who only have a MySQL client.
        rows = self.rows(n3, "SHOW CLUSTER STATUS")
        self.assertEqual(sorted(r[1] for r in rows), ["follower", "follower", "leader"])
        self.assertEqual({int(r[0]) for r in rows}, ids)
        self.assertIn((f"127.0.0.1:{n1.admin_port}", f"127.0.0.1:{n1.port}"), {(r[2], r[3]) for r in rows})
        with self.assertRaises(pymysql.MySQLError) as ctx:
            self.rows(n2, "ALTER CLUSTER REMOVE NODE 12345")
        self.assertEqual(ctx.exception.args[0], 1105)
        self.assertIn("not a member", ctx.exception.args[1])

        # 2. any node serves any client
        with connect(n3) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE app")
            cur.execute("CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(40))")
        for i in range(1, 21):
            writer, reader = self.nodes[i % 3], self.nodes[(i + 1) % 3]
            self.insert(writer, i, f"via {i % 3}")
            # Acknowledged on one node, read at once on another (ReadIndex before the snapshot).
            self.assertEqual(self.rows(reader, f"SELECT v FROM app.t WHERE id = {i}"), ((f"via {i % 3}",),))
        acked = set(range(1, 21))
        self.assertGreater(n2.status()["raft"]["proposals_forwarded"], 0)

        # Lease reads: the same guarantee, answered from the leader's lease without a
        # heartbeat round (on the leader, and asked by a follower).
        leader = self.leader()
        before = leader.status()["raft"]["lease_reads"]
        for i, n in enumerate(self.nodes):
            self.insert(self.nodes[(i + 1) % 3], 30 + i, "lease")
            acked.add(30 + i)
            with connect(n) as c, c.cursor() as cur:
                cur.execute("SET strata_read_consistency = 'lease'")
                cur.execute("SELECT v FROM app.t WHERE id = %s", (30 + i,))
                self.assertEqual(cur.fetchall(), (("lease",),))
        self.assertGreaterEqual(leader.status()["raft"]["lease_reads"], before + 3)

        # AUTO_INCREMENT and hidden row ids come from replicated ranges: inserts without a
        # key, interleaved on all three nodes, never collide (a collision would be a 1062,
        # or for the key-less table a row silently overwritten).
        with connect(n1) as c, c.cursor() as cur:
            cur.execute("CREATE TABLE app.auto (id INT PRIMARY KEY AUTO_INCREMENT, v INT)")
            cur.execute("CREATE TABLE app.nokey (v INT)")
        conns = [connect(n) for n in self.nodes]
        try:
            for i in range(150):
                with conns[i % 3].cursor() as cur:
                    cur.execute("INSERT INTO app.auto (v) VALUES (%s)", (i,))
                    cur.execute("INSERT INTO app.nokey VALUES (%s)", (i,))
        finally:
            for c in conns:
                c.close()
        for n in self.nodes:
            self.assertEqual(self.rows(n, "SELECT COUNT(*), COUNT(DISTINCT id) FROM app.auto"), ((150, 150),))
            self.assertEqual(self.rows(n, "SELECT COUNT(*), SUM(v) FROM app.nokey"), ((150, sum(range(150))),))

        # A transaction on a follower outlives the leader's GC passes (every 5 s) while writes
        # go on: the replicated GC horizon stays below its snapshot (the leader asks every
        # member's /cluster/watermark), so it commits instead of "snapshot too old".
        follower = next(n for n in self.nodes if n.status()["raft"]["role"] == "follower")
        the_leader = self.leader()
        with connect(follower, autocommit=False) as c, c.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("SELECT v FROM app.t WHERE id = 1")
            until = time.time() + 6
            i = 0
            while time.time() < until:
                self.insert(the_leader, 1000 + i, "meanwhile")
                acked.add(1000 + i)
                i += 1
                time.sleep(0.05)
            cur.execute("UPDATE app.t SET v = 'long txn' WHERE id = 2")
            c.commit()
        self.assertGreater(the_leader.status()["transactions"]["gc_horizon"], 0)
        self.assertEqual(self.rows(the_leader, "SELECT v FROM app.t WHERE id = 2"), (("long txn",),))

        # 3. kill -9 the leader; write through a survivor until it is accepted
        leader = self.leader()
        survivors = [n for n in self.nodes if n is not leader]
        leader.kill9()
        killed_at = time.time()
        row = 100
        while True:
            try:
                self.insert(survivors[0], row, "after failover")
                break
            except pymysql.MySQLError as e:
                self.assertIn(e.args[0], (1317, 1290, 2013), e)  # interrupted / no leader yet
                self.assertLess(time.time() - killed_at, 10 * TIMEOUT_SCALE, "writes did not resume")
                time.sleep(0.02)
        unavailable = time.time() - killed_at
        print(f"writes resumed {unavailable:.2f} s after kill -9 of the leader")
        acked.add(row)
        new_leader = self.leader(survivors)
        self.assertIsNot(new_leader, leader)
        for n in survivors:
            self.assertEqual({r[0] for r in self.rows(n)}, acked)

        # 4. the killed node restarts with the same flags and catches up
        leader.start()
        self.insert(survivors[1], 101, "while it was down")
        acked.add(101)
        self.wait(lambda: {r[0] for r in self.rows(leader)} == acked, what="the restarted node to catch up")
        self.assertEqual(len(leader.status()["raft"]["members"]), 3)

        # 5. planned moves of leadership
        current = self.leader()
        target = next(n for n in self.nodes if n is not current)
        target_id = target.status()["node_id"]
        r = cli("transfer-leader", "--admin", f"127.0.0.1:{current.admin_port}", "--id", str(target_id))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.leader(), target)
        # ... and back through SQL, issued on a follower (run on the leader for it).
        back = next(n for n in self.nodes if n is not target and n is not current)
        self.rows(back, f"ALTER CLUSTER TRANSFER LEADER TO {current.status()['node_id']}")
        self.assertEqual(self.leader(), current)
        current, target = target, current
        self.assertEqual(target.stop(signal.SIGTERM), 0)
        self.assertIn("leadership handed over", target.log())
        others = [n for n in self.nodes if n is not target]
        self.assertIn(self.leader(others, timeout=3), others)
        self.insert(others[0], 102, "after a planned stop")
        acked.add(102)
        target.start()

        # 6. wipe-and-rejoin: a new id, the old one removed by the operator
        victim = next(n for n in self.nodes if n.status()["raft"]["role"] == "follower")
        old_id = victim.status()["node_id"]
        victim.stop()
        shutil.rmtree(victim.data_dir)
        seed = next(n for n in self.nodes if n is not victim)
        victim.extra_args = ["--root-password", PASSWORD, "--join", f"127.0.0.1:{seed.admin_port}"]
        victim.start()
        new_id = victim.status()["node_id"]
        self.assertNotEqual(new_id, old_id)
        self.wait(lambda: {r[0] for r in self.rows(victim)} == acked, what="the wiped node to catch up")
        r = cli("remove", "--admin", f"127.0.0.1:{seed.admin_port}", "--id", str(old_id))
        self.assertEqual(r.returncode, 0, r.stderr)
        status = cli("status", "--admin", f"127.0.0.1:{victim.admin_port}")
        self.assertEqual(status.returncode, 0, status.stderr)
        self.assertNotIn(str(old_id), status.stdout)
        self.assertIn(str(new_id), status.stdout)
        for n in self.nodes:
            self.assertEqual({r[0] for r in self.rows(n)}, acked)

        # 7. read consistency without a quorum: kill two nodes. The survivor refuses
        # linearizable reads (it cannot know it is current) but serves follower reads within
        # the staleness the session accepts. The survivor is the leader: once deposed, its
        # data dates from its last moment as leader (it used to count as "never heard from a
        # leader", refusing even an hour's staleness; the stale-reads control then saw none).
        survivor = self.leader()
        for n in self.nodes:
            if n is not survivor:
                n.kill9()
        with connect(survivor) as c, c.cursor() as cur:
            with self.assertRaises(pymysql.MySQLError) as ctx:
                cur.execute("SELECT COUNT(*) FROM app.t")
            self.assertEqual(ctx.exception.args[0], 1317, ctx.exception)
            cur.execute("SET strata_read_consistency = 'follower'")
            cur.execute("SET strata_max_staleness_ms = 60000")
            cur.execute("SELECT id FROM app.t")
            self.assertEqual({r[0] for r in cur.fetchall()}, acked)
            cur.execute("SET strata_max_staleness_ms = 3600000")
            cur.execute("SELECT id FROM app.t")
            self.assertEqual({r[0] for r in cur.fetchall()}, acked)  # nothing acknowledged is missing
            cur.execute("SET strata_max_staleness_ms = 100")
            with self.assertRaises(pymysql.MySQLError) as ctx:
                cur.execute("SELECT COUNT(*) FROM app.t")
            self.assertEqual(ctx.exception.args[0], 1317, ctx.exception)
            self.assertIn("strata_max_staleness_ms", ctx.exception.args[1])
            # Without a quorum no lease holds either.
            cur.execute("SET strata_read_consistency = 'lease'")
            with self.assertRaises(pymysql.MySQLError) as ctx:
                cur.execute("SELECT COUNT(*) FROM app.t")
            self.assertEqual(ctx.exception.args[0], 1317, ctx.exception)
            with self.assertRaises(pymysql.MySQLError) as ctx:
                cur.execute("SET strata_read_consistency = 'bogus'")
            self.assertEqual(ctx.exception.args[0], 1231, ctx.exception)

    def test_redirect_mode_names_the_leader_instead_of_forwarding(self):
        """--follower-requests redirect: a follower answers writes and linearizable reads
        with 1290 naming the leader's MySQL address (nothing done); follower reads and the
        leader itself serve as usual."""
        def redirecting(join=None):
            n = node(join)
            n.extra_args += ["--follower-requests", "redirect"]
            return n
        n1 = redirecting().start()
        n2 = redirecting(join=n1).start()
        n3 = redirecting(join=n1).start()
        self.nodes += [n1, n2, n3]
        self.wait(lambda: all(len(n.status()["raft"]["members"]) == 3 for n in self.nodes), what="3 members")
        leader = self.leader()
        follower = next(n for n in self.nodes if n is not leader)
        with connect(leader) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE app")
            cur.execute("CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(20))")
            cur.execute("INSERT INTO app.t VALUES (1, 'on leader')")
        with connect(follower) as c, c.cursor() as cur:
            for sql in ("INSERT INTO app.t VALUES (2, 'on follower')", "SELECT v FROM app.t WHERE id = 1"):
                with self.assertRaises(pymysql.MySQLError) as ctx:
                    cur.execute(sql)
                code, message = ctx.exception.args
                self.assertEqual(code, 1290, message)
                self.assertIn(f"127.0.0.1:{leader.port}", message)
                self.assertIn("nothing was read or written", message)
            cur.execute("SET strata_read_consistency = 'follower'")
            self.wait(lambda: cur.execute("SELECT v FROM app.t WHERE id = 1") == 1, what="follower read")
            self.assertEqual(cur.fetchone(), ("on leader",))
        self.assertEqual(self.rows(leader), ((1, "on leader"),))  # the refused insert did nothing
        r = run_binary(["start", "--data-dir", "/nonexistent-never-created", "--follower-requests", "sideways"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("follower_requests", r.stderr)

    def test_advertise_addr_is_what_members_announce(self):
        """--listen-addr 0.0.0.0 binds every interface; --advertise-addr says where the node
        is, and that is the address members record, show and use."""
        def advertised(join=None):
            n = node(join)
            n.extra_args += ["--listen-addr", "0.0.0.0", "--advertise-addr", "127.0.0.1"]
            return n
        n1 = advertised().start()
        n2 = advertised(join=n1).start()
        self.nodes += [n1, n2]
        self.wait(lambda: all(len(n.status()["raft"]["members"]) == 2 for n in self.nodes), what="2 members")
        addrs = sorted(m["admin_addr"] for m in n2.status()["raft"]["members"])
        self.assertEqual(addrs, sorted(f"127.0.0.1:{n.admin_port}" for n in self.nodes))
        self.assertEqual(n2.status()["raft"]["leader_admin_addr"], f"127.0.0.1:{n1.admin_port}")
        with connect(n2) as c, c.cursor() as cur:  # forwarded through the advertised Raft address
            cur.execute("CREATE DATABASE adv")
            cur.execute("CREATE TABLE adv.t (id INT PRIMARY KEY)")
            cur.execute("INSERT INTO adv.t VALUES (1)")
        self.assertEqual(self.rows(n1, "SELECT id FROM adv.t"), ((1,),))
        r = run_binary(["start", "--data-dir", "/nonexistent-never-created", "--advertise-addr", "h:1"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("advertise_addr", r.stderr)

    def test_join_errors_are_clear(self):
        r = run_binary(["start", "--data-dir", "/nonexistent-never-created", "--join", "nonsense"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("join", r.stderr)
        r = cli("status", "--admin", f"127.0.0.1:{free_port()}")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("cannot reach", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
