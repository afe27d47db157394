"""Checkers for the histories the cluster fault harness records (cluster_faults.py).

An operation is a dict with at least:
  process  the client that ran it (one client runs one operation at a time)
  f        what it did ("write", "read", "transfer", "add", "txn", ...)
  value    its argument; for a finished read or transaction, what it observed
  type     "ok" (it took effect / observed `value`), "fail" (it definitely did not take
           effect) or "info" (indeterminate: it may or may not have taken effect, at any
           time after it started)
  start, end   monotonic seconds at invocation and completion

Each check returns a list of anomaly strings (empty: the history is valid). They are pure
functions, so checkers_test.py feeds them hand-made histories with and without each anomaly.
"""
from collections import defaultdict

# --- register: one writer per key writes 1, 2, 3, ...; anyone reads -------------------------


def check_register(history):
    """Linearizability of single-writer monotonic registers: a read returns a value that was
    written (not a definitely failed write, not one invoked after the read ended), and never a
    value older than a write acknowledged, or a value read, before the read began."""
    anomalies = []
    by_key = defaultdict(list)
    for op in history:
        if op["f"] in ("write", "read"):
            by_key[op["value"][0]].append(op)
    for key, ops in by_key.items():
        writes = {op["value"][1]: op for op in ops if op["f"] == "write"}
        # Everything that fixes a floor: acknowledged writes, and reads that returned a value.
        floors = sorted(((op["end"], op["value"][1]) for op in ops if op["type"] == "ok"),
                        key=lambda e: e[0])
        reads = sorted((op for op in ops if op["f"] == "read" and op["type"] == "ok"), key=lambda o: o["start"])
        floor, i = 0, 0
        for r in reads:
            while i < len(floors) and floors[i][0] < r["start"]:
                floor = max(floor, floors[i][1] or 0)
                i += 1
            seen = r["value"][1] or 0
            if seen < floor:
                anomalies.append(f"register {key}: stale read of {seen} at {r['start']:.3f} on node "
                                 f"{r.get('node')}; {floor} was acknowledged or read before it began")
            if seen:
                w = writes.get(seen)
                if w is None:
                    anomalies.append(f"register {key}: read {seen}, which was never written")
                elif w["type"] == "fail":
                    anomalies.append(f"register {key}: read {seen}, whose write failed definitely ({w.get('error')})")
                elif w["start"] > r["end"]:
                    anomalies.append(f"register {key}: read {seen} before its write was invoked")
    return anomalies


# --- bank: transfers between accounts in transactions; reads of every balance --------------


def check_bank(history, accounts, total):
    anomalies = []
    for op in history:
        if op["f"] != "read" or op["type"] != "ok":
            continue
        balances = op["value"]
        if len(balances) != accounts:
            anomalies.append(f"bank: a read saw {len(balances)} accounts, not {accounts}: {balances}")
        elif sum(balances.values()) != total:
            anomalies.append(f"bank: a read on node {op.get('node')} saw a total of {sum(balances.values())}, "
                             f"not {total}: {balances}")
        if any(b < 0 for b in balances.values()):
            anomalies.append(f"bank: negative balance: {balances}")
    return anomalies


# --- set: unique inserts; every node's final contents ---------------------------------------


def check_set(history, final_reads):
    """final_reads: {node name: set of elements} read from each node once the cluster healed."""
    anomalies = []
    adds = {op["value"]: op for op in history if op["f"] == "add"}
    ok = {v for v, op in adds.items() if op["type"] == "ok"}
    failed = {v for v, op in adds.items() if op["type"] == "fail"}
    names = sorted(final_reads)
    for name in names:
        seen = final_reads[name]
        lost = ok - seen
        if lost:
            anomalies.append(f"set: node {name} lacks {len(lost)} acknowledged inserts, e.g. {sorted(lost)[:5]}")
        revived = seen & failed
        if revived:
            anomalies.append(f"set: node {name} holds {len(revived)} inserts that failed definitely, "
                             f"e.g. {sorted(revived)[:5]}")
        unknown = seen - set(adds)
        if unknown:
            anomalies.append(f"set: node {name} holds elements never inserted: {sorted(unknown)[:5]}")
    for a, b in zip(names, names[1:]):
        if final_reads[a] != final_reads[b]:
            diff = sorted(final_reads[a] ^ final_reads[b])
            anomalies.append(f"set: nodes {a} and {b} differ in {len(diff)} elements, e.g. {diff[:5]}")
    return anomalies


# --- list-append: transactions of reads and appends, checked Elle-style ---------------------
#
# A transaction's value is a list of micro-operations [kind, key, arg]: ["append", k, x] or
# ["r", k, list-or-None]. Every appended element is unique, so a list read names the exact
# version (the prefix) of its key, and the longest list read shows each key's version order.


def _sccs(nodes, graph, allowed):
    """Strongly connected components (iterative Tarjan) over edges of the allowed kinds."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(graph[root].items()))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            n, it = work[-1]
            advanced = False
            for m, kinds in it:
                if not kinds & allowed:
                    continue
                if m not in index:
                    index[m] = low[m] = counter[0]
                    counter[0] += 1
                    stack.append(m)
                    on.add(m)
                    work.append((m, iter(graph[m].items())))
                    advanced = True
                    break
                if m in on:
                    low[n] = min(low[n], index[m])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[n])
            if low[n] == index[n]:
                comp = []
                while True:
                    m = stack.pop()
                    on.discard(m)
                    comp.append(m)
                    if m == n:
                        break
                if len(comp) > 1:
                    out.append(comp)
    return out


def _returns_through_wr(graph, src, dst):
    """Is there a path dst -> ... -> y over ww/wr edges (y may be dst) with an edge y -wr-> src?"""
    seen, stack = {dst}, [dst]
    while stack:
        n = stack.pop()
        if "wr" in graph[n].get(src, set()):
            return True
        for m, kinds in graph[n].items():
            if m not in seen and kinds & {"ww", "wr"}:
                seen.add(m)
                stack.append(m)
    return False


def check_list_append(history, final_lists=None):
    """G0, G1a, G1b, G1c, G-single and lost update (P4), plus duplicate elements,
    incompatible version orders and internal inconsistency. The isolation checked is
    StrataDB's (DESIGN D4): plain reads see one snapshot, but a write waits for the row's
    lock and is applied after the writer it waited for, as InnoDB's. So a cycle with one
    anti-dependency a -rw-> b is a G-single only when it comes back into a through a wr edge
    (a's snapshot then contains a write made after b's, yet misses b's); coming back through
    a ww edge (a appended after a transaction that followed b) is the read skew locking
    writes allow. Lost updates stay anomalies: StrataDB refuses them.
    final_lists: {key: list} read at the end (optional; extends the version orders)."""
    anomalies = []
    txns = [op for op in history if op["f"] == "txn"]
    writer = {}          # element -> txn index
    failed_elems = set()
    last_append = {}     # (txn, key) -> last element that txn appended to key
    for i, t in enumerate(txns):
        for kind, key, arg in t["value"]:
            if kind == "append":
                writer[(key, arg)] = i
                last_append[(i, key)] = arg
                if t["type"] == "fail":
                    failed_elems.add((key, arg))

    # Reads, and the version order of each key: the longest list seen; others are prefixes.
    reads = []  # (txn index, key, list)
    longest = {}
    for i, t in enumerate(txns):
        if t["type"] != "ok":
            continue
        own = defaultdict(list)
        for kind, key, arg in t["value"]:
            if kind == "append":
                own[key].append(arg)
                continue
            lst = arg or []
            if len(lst) != len(set(lst)):
                anomalies.append(f"list-append: duplicate elements in key {key}: {lst}")
            if own[key] and lst[-len(own[key]):] != own[key]:
                anomalies.append(f"list-append: internal: txn {i} read {lst} of key {key} after appending {own[key]}")
            # The version it read from others: without its own appends.
            ext = lst[:len(lst) - len(own[key])] if own[key] else lst
            reads.append((i, key, ext, lst, bool(own[key])))
            longest.setdefault(key, [])
            if len(lst) > len(longest[key]):
                longest[key] = lst
    for key, lst in (final_lists or {}).items():
        if len(lst) > len(longest.get(key, [])):
            longest[key] = lst
    for i, key, ext, lst, _ in reads:
        if longest[key][:len(lst)] != lst:
            anomalies.append(f"list-append: incompatible orders for key {key}: {lst} vs {longest[key]}")
    for key, lst in (final_lists or {}).items():
        if longest[key][:len(lst)] != lst:
            anomalies.append(f"list-append: final list of key {key} is not the longest version: {lst}")

    # G1a (aborted read) and G1b (intermediate read); elements nobody appended.
    for i, key, ext, lst, _ in reads:
        for x in lst:
            if (key, x) in failed_elems:
                anomalies.append(f"list-append: G1a: txn {i} read {x} of key {key}, appended by a failed txn")
            elif (key, x) not in writer:
                anomalies.append(f"list-append: txn {i} read {x} of key {key}, which nobody appended")
        if ext:
            w = writer.get((key, ext[-1]))
            if w is not None and w != i and last_append.get((w, key)) != ext[-1]:
                anomalies.append(f"list-append: G1b: txn {i} read key {key} ending in {ext[-1]}, an intermediate "
                                 f"append of txn {w}")

    for key, lst in (final_lists or {}).items():
        for x in lst:
            if (key, x) in failed_elems:
                anomalies.append(f"list-append: G1a: the final list of key {key} holds {x}, appended by a failed txn")
            elif (key, x) not in writer:
                anomalies.append(f"list-append: the final list of key {key} holds {x}, which nobody appended")

    # The dependency graph over transactions that took effect (ok, or info with an element
    # seen): ww, wr and rw edges.
    graph = defaultdict(lambda: defaultdict(set))
    for key, lst in longest.items():
        for a, b in zip(lst, lst[1:]):
            wa, wb = writer.get((key, a)), writer.get((key, b))
            if wa is not None and wb is not None and wa != wb:
                graph[wa][wb].add("ww")
    readers_of = defaultdict(set)  # (key, version length) -> txns that read that version
    for i, key, ext, lst, after_own_append in reads:
        # A read after the txn's own append shows what its locking write was applied on
        # (the version order's ww edge already says so), not its snapshot: no wr edge.
        if ext and not after_own_append:
            w = writer.get((key, ext[-1]))
            if w is not None and w != i:
                graph[w][i].add("wr")
        nxt = longest[key][len(ext)] if len(longest[key]) > len(ext) else None
        if nxt is not None:
            w = writer.get((key, nxt))
            if w is not None and w != i:
                graph[i][w].add("rw")
        readers_of[(key, len(ext))].add(i)

    nodes = list(graph)
    for comp in _sccs(nodes, graph, {"ww"}):
        anomalies.append(f"list-append: G0 (write cycle) among txns {sorted(comp)[:6]}")
    g1c = _sccs(nodes, graph, {"ww", "wr"})
    for comp in g1c:
        anomalies.append(f"list-append: G1c (circular information flow) among txns {sorted(comp)[:6]}")
    if not g1c:
        # A cycle with one rw edge lies within one strongly connected component of the
        # whole graph (write skew makes such components legitimately): search only there.
        for comp in _sccs(nodes, graph, {"ww", "wr", "rw"}):
            members = set(comp)
            sub = defaultdict(dict)
            for a in comp:
                sub[a] = {b: kinds for b, kinds in graph[a].items() if b in members}
            for a in comp:
                for b, kinds in sub[a].items():
                    if "rw" in kinds and _returns_through_wr(sub, a, b):
                        anomalies.append(f"list-append: G-single (one anti-dependency in a cycle): "
                                         f"txn {a} -rw-> txn {b}")
                        break

    # Lost update: two committed txns read the same version of a key and both appended to it.
    for (key, length), txs in readers_of.items():
        appenders = [i for i in sorted(txs) if (i, key) in last_append and txns[i]["type"] == "ok"]
        if len(appenders) > 1:
            anomalies.append(f"list-append: lost update on key {key}: txns {appenders[:4]} read the same "
                             f"version ({length} elements) and all appended")
    return anomalies


# --- ddl: a table created on one node is usable at once on another --------------------------


def check_ddl(history):
    return [f"ddl: {op['value']} was acknowledged on node {op['created_on']} but node {op.get('node')} "
            f"answered {op.get('error')}"
            for op in history if op["f"] == "ddl-dml" and op["type"] == "fail" and op.get("missing_table")]
