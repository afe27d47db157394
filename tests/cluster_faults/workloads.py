"""The workloads the cluster fault harness drives through PyMySQL against random nodes.
Each operation ends as "ok", "fail" (it definitely did not take effect) or "info" (its
outcome is unknown), following the server's error contract (src/node/raft_proposer.h): a
statement refused before anything was proposed fails definitely; a commit that was
interrupted (1317) or whose connection broke may or may not have happened."""
import itertools
import threading

import pymysql

from sql_common import PASSWORD

# Errors after which the statement (or transaction) certainly did not take effect.
DEFINITE = {
    1290,  # not the leader and could not forward: never proposed
    1213,  # conflict / overwritten by a new leader
    1637,  # proposal queue full
    1021, 1026,  # the log could not be written: never proposed
    1062, 1146, 1205, 1105, 1180,
}


def connect(node, autocommit=True):
    return pymysql.connect(host="127.0.0.1", port=node.port, user="root", password=PASSWORD,
                           autocommit=autocommit, connect_timeout=3, read_timeout=8, write_timeout=8)


class Outcome(Exception):
    def __init__(self, type_, error):
        super().__init__(error)
        self.type = type_
        self.error = error


def classify(exc, committing):
    """fail or info for an exception from a statement; `committing`: the statement could
    have committed (an autocommit write or COMMIT)."""
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    if not committing or code in DEFINITE:
        return "fail", code
    return "info", code


class Workload:
    name = ""

    def setup(self, conn):
        raise NotImplementedError

    def next_op(self, process, rng):
        """The next operation's (f, value) for this client."""
        raise NotImplementedError

    def run(self, op, conn):
        """Runs op on conn; returns the observed value for an ok op, raises Outcome."""
        raise NotImplementedError

    def final(self, conn):
        """Reads this workload's state on one node (follower reads, after convergence)."""
        return None

    def check(self, history, finals):
        raise NotImplementedError


def _exec(cur, sql, args=None, committing=False):
    try:
        cur.execute(sql, args)
    except pymysql.MySQLError as e:
        raise Outcome(*classify(e, committing))


def _txn(conn, body):
    """BEGIN; body(cur); COMMIT — an error before COMMIT fails definitely (rolled back)."""
    cur = conn.cursor()
    _exec(cur, "BEGIN")
    try:
        result = body(cur)
    except Outcome:
        try:
            conn.rollback()
        except Exception:
            pass
        raise
    _exec(cur, "COMMIT", committing=True)
    return result


class Register(Workload):
    """Single-writer monotonic registers: client p writes keys p, p+W, ... with 1, 2, 3 ..."""
    name = "register"

    def __init__(self, writers, keys_per_writer=2, follower_reads=False):
        self.writers = writers
        # The stale-reads negative control reads from each node's own applied state, which
        # a linearizability checker must catch under partitions.
        self.follower_reads = follower_reads
        self.keys = writers * keys_per_writer
        self.next_value = {k: 0 for k in range(self.keys)}

    def setup(self, conn):
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS faults.reg (k INT PRIMARY KEY, v INT NOT NULL)")
            for k in range(self.keys):
                cur.execute("INSERT INTO faults.reg VALUES (%s, 0)", (k,))

    def next_op(self, process, rng):
        own = [k for k in range(self.keys) if k % self.writers == process]
        if own and rng.random() < 0.5:  # processes past the writers only read
            k = rng.choice(own)
            self.next_value[k] += 1
            return "write", (k, self.next_value[k])
        # Half the reads through the leader's lease (strata_read_consistency = 'lease'):
        # pauses and partitions of the leader must not let a lease outlive its leadership.
        return "read", (rng.randrange(self.keys), None, rng.choice(["linearizable", "lease"]))

    def run(self, op, conn):
        k, v = op["value"][:2]
        with conn.cursor() as cur:
            if op["f"] == "write":
                _exec(cur, "UPDATE faults.reg SET v = %s WHERE k = %s", (v, k), committing=True)
                return op["value"]
            mode = op["value"][2]
            if self.follower_reads:
                _exec(cur, "SET strata_read_consistency = 'follower', strata_max_staleness_ms = 3600000")
            else:
                _exec(cur, f"SET strata_read_consistency = '{mode}'")
            _exec(cur, "SELECT v FROM faults.reg WHERE k = %s", (k,))
            row = cur.fetchone()
            return (k, row[0] if row else None, mode)

    def check(self, history, finals):
        from checkers import check_register
        return check_register(history)


class Bank(Workload):
    """Transfers between accounts in transactions; every read sees the same total."""
    name = "bank"
    accounts, initial = 8, 100

    def setup(self, conn):
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS faults.bank (id INT PRIMARY KEY, balance INT NOT NULL)")
            for i in range(self.accounts):
                cur.execute("INSERT INTO faults.bank VALUES (%s, %s)", (i, self.initial))

    def next_op(self, process, rng):
        r = rng.random()
        if r < 0.5:
            a, b = rng.sample(range(self.accounts), 2)
            return "transfer", (a, b, rng.randint(1, 20))
        return "read", "split" if r < 0.7 else "one"

    def run(self, op, conn):
        if op["f"] == "transfer":
            a, b, amount = op["value"]

            def body(cur):
                _exec(cur, "SELECT id, balance FROM faults.bank WHERE id IN (%s, %s)", (a, b))
                bal = dict(cur.fetchall())
                if bal.get(a, 0) < amount:
                    return "insufficient"
                _exec(cur, "UPDATE faults.bank SET balance = balance - %s WHERE id = %s", (amount, a))
                _exec(cur, "UPDATE faults.bank SET balance = balance + %s WHERE id = %s", (amount, b))
                return op["value"]
            return _txn(conn, body)
        if op["value"] == "one":
            with conn.cursor() as cur:
                _exec(cur, "SELECT id, balance FROM faults.bank")
                return dict(cur.fetchall())
        half = self.accounts // 2

        def split(cur):  # two statements in one snapshot: no read skew
            _exec(cur, "SELECT id, balance FROM faults.bank WHERE id < %s", (half,))
            first = dict(cur.fetchall())
            _exec(cur, "SELECT id, balance FROM faults.bank WHERE id >= %s", (half,))
            first.update(dict(cur.fetchall()))
            return first
        return _txn(conn, split)

    def final(self, conn):
        with conn.cursor() as cur:
            cur.execute("SELECT id, balance FROM faults.bank")
            return dict(cur.fetchall())

    def check(self, history, finals):
        from checkers import check_bank
        reads = history + [dict(f="read", type="ok", value=v, node=n, start=0, end=0) for n, v in finals.items()]
        return check_bank(reads, self.accounts, self.accounts * self.initial)


class Set(Workload):
    """Unique inserts; at the end every node holds every acknowledged one and nothing refused."""
    name = "set"

    def __init__(self):
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    def setup(self, conn):
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS faults.sets (id INT PRIMARY KEY)")

    def next_op(self, process, rng):
        with self.lock:
            return "add", next(self.counter)

    def run(self, op, conn):
        with conn.cursor() as cur:
            _exec(cur, "INSERT INTO faults.sets VALUES (%s)", (op["value"],), committing=True)
        return op["value"]

    def final(self, conn):
        with conn.cursor() as cur:
            cur.execute("SELECT id FROM faults.sets")
            return {r[0] for r in cur.fetchall()}

    def check(self, history, finals):
        from checkers import check_set
        return check_set(history, finals)


class ListAppend(Workload):
    """Transactions of 1-4 reads and appends over a sliding window of keys (Elle's
    list-append); each element is unique."""
    name = "list-append"
    window, appends_per_key = 4, 25

    def __init__(self):
        self.lock = threading.Lock()
        self.elements = itertools.count(1)
        self.first_key = 0
        self.appends = {}

    def setup(self, conn):
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS faults.la (k INT PRIMARY KEY, v TEXT NOT NULL)")

    def next_op(self, process, rng):
        micro = []
        with self.lock:
            for _ in range(rng.randint(1, 4)):
                k = self.first_key + rng.randrange(self.window)
                if rng.random() < 0.5:
                    micro.append(["r", k, None])
                else:
                    micro.append(["append", k, next(self.elements)])
                    self.appends[k] = self.appends.get(k, 0) + 1
                    while self.appends.get(self.first_key, 0) >= self.appends_per_key:
                        self.first_key += 1
        return "txn", micro

    def run(self, op, conn):
        def body(cur):
            done = []
            for kind, k, arg in op["value"]:
                if kind == "append":
                    _exec(cur, "INSERT INTO faults.la VALUES (%s, %s) ON DUPLICATE KEY UPDATE v = CONCAT(v, ',', %s)",
                          (k, str(arg), str(arg)))
                    done.append([kind, k, arg])
                else:
                    _exec(cur, "SELECT v FROM faults.la WHERE k = %s", (k,))
                    row = cur.fetchone()
                    done.append([kind, k, [int(x) for x in row[0].split(",")] if row else None])
            return done
        return _txn(conn, body)

    def final(self, conn):
        with conn.cursor() as cur:
            cur.execute("SELECT k, v FROM faults.la")
            return {k: [int(x) for x in v.split(",")] for k, v in cur.fetchall()}

    def check(self, history, finals):
        from checkers import check_list_append
        anomalies = []
        names = sorted(finals)
        for a, b in zip(names, names[1:]):
            if finals[a] != finals[b]:
                anomalies.append(f"list-append: nodes {a} and {b} hold different lists")
        return anomalies + check_list_append(history, finals[names[0]] if names else None)


class Ddl(Workload):
    """CREATE TABLE on one node, then at once an INSERT into it on another node."""
    name = "ddl"

    def __init__(self):
        self.counter = itertools.count(1)

    def setup(self, conn):
        pass

    def next_op(self, process, rng):
        return "ddl-dml", f"faults.ddl_{next(self.counter)}"

    def check(self, history, finals):
        from checkers import check_ddl
        return check_ddl(history)
