"""The cluster fault harness's checkers catch each anomaly they name, and accept valid
histories (label unit: no processes, well under a second)."""
import unittest

from checkers import check_bank, check_ddl, check_list_append, check_register, check_set


def op(f, value, type_="ok", start=0.0, end=1.0, process=0, **extra):
    return dict(f=f, value=value, type=type_, start=start, end=end, process=process, **extra)


class RegisterTest(unittest.TestCase):
    def test_valid(self):
        h = [op("write", ("k", 1), start=0, end=1), op("read", ("k", 1), start=2, end=3),
             op("write", ("k", 2), "info", start=3, end=4), op("read", ("k", 1), start=5, end=6),
             op("read", ("k", 2), start=7, end=8), op("read", ("k", None), start=-2, end=-1)]
        self.assertEqual(check_register(h), [])

    def test_stale_read_after_acknowledged_write(self):
        h = [op("write", ("k", 1), start=0, end=1), op("write", ("k", 2), start=1, end=2),
             op("read", ("k", 1), start=3, end=4)]
        self.assertIn("stale read", check_register(h)[0])

    def test_reads_go_backwards(self):
        h = [op("write", ("k", 1), start=0, end=1), op("write", ("k", 2), "info", start=1, end=9),
             op("read", ("k", 2), start=2, end=3), op("read", ("k", 1), start=4, end=5)]
        self.assertIn("stale read", check_register(h)[0])

    def test_read_of_a_failed_or_future_write(self):
        h = [op("write", ("k", 1), "fail", start=0, end=1), op("read", ("k", 1), start=2, end=3)]
        self.assertIn("failed definitely", check_register(h)[0])
        h = [op("read", ("k", 1), start=0, end=1), op("write", ("k", 1), start=2, end=3)]
        self.assertIn("before its write was invoked", check_register(h)[0])


class BankTest(unittest.TestCase):
    def test_total_and_count(self):
        good = op("read", {1: 50, 2: 50})
        self.assertEqual(check_bank([good], 2, 100), [])
        self.assertIn("total of 90", check_bank([op("read", {1: 40, 2: 50})], 2, 100)[0])
        self.assertIn("1 accounts", check_bank([op("read", {1: 100})], 2, 100)[0])
        self.assertEqual(check_bank([op("read", {1: 40}, "fail")], 2, 100), [])


class SetTest(unittest.TestCase):
    def test_lost_revived_and_divergent(self):
        h = [op("add", 1), op("add", 2, "fail"), op("add", 3, "info")]
        self.assertEqual(check_set(h, {"a": {1, 3}, "b": {1, 3}}), [])
        self.assertEqual(check_set(h, {"a": {1}, "b": {1}}), [])
        self.assertIn("lacks 1 acknowledged", check_set(h, {"a": set(), "b": set()})[0])
        self.assertIn("failed definitely", check_set(h, {"a": {1, 2}})[0])
        self.assertIn("differ", check_set(h, {"a": {1}, "b": {1, 3}})[0])


def txn(micro, type_="ok", **kw):
    return op("txn", micro, type_, **kw)


class ListAppendTest(unittest.TestCase):
    def test_valid_serial_history(self):
        h = [txn([["append", "x", 1], ["append", "y", 1]]),
             txn([["r", "x", [1]], ["append", "x", 2]]),
             txn([["r", "x", [1, 2]], ["r", "y", [1]]]),
             txn([["append", "x", 3]], "info")]
        self.assertEqual(check_list_append(h), [])

    def test_g1a_aborted_read(self):
        h = [txn([["append", "x", 1]], "fail"), txn([["r", "x", [1]]])]
        self.assertTrue(any("G1a" in a for a in check_list_append(h)))

    def test_g1b_intermediate_read(self):
        h = [txn([["append", "x", 1], ["append", "x", 2]]), txn([["r", "x", [1]]])]
        self.assertTrue(any("G1b" in a for a in check_list_append(h)))

    def test_g0_write_cycle(self):
        # T0 appends before T1 on x, after T1 on y.
        h = [txn([["append", "x", 1], ["append", "y", 2]]), txn([["append", "x", 2], ["append", "y", 1]]),
             txn([["r", "x", [1, 2]], ["r", "y", [1, 2]]])]
        self.assertTrue(any("G0" in a for a in check_list_append(h)))

    def test_g1c_circular_information_flow(self):
        h = [txn([["append", "x", 1], ["r", "y", [1]]]), txn([["append", "y", 1], ["r", "x", [1]]])]
        self.assertTrue(any("G1c" in a for a in check_list_append(h)))

    def test_lost_update(self):
        h = [txn([["r", "x", None], ["append", "x", 1]]), txn([["r", "x", None], ["append", "x", 2]]),
             txn([["r", "x", [1, 2]]])]
        found = check_list_append(h)
        self.assertTrue(any("lost update" in a for a in found), found)

    def test_read_skew_is_g_single(self):
        # T2 sees T1's append to y but not its append to x.
        h = [txn([["append", "x", 1], ["append", "y", 1]]), txn([["r", "x", None], ["r", "y", [1]]]),
             txn([["r", "x", [1]]])]
        self.assertTrue(any("G-single" in a for a in check_list_append(h)))

    def test_a_write_that_waited_is_applied_after_the_one_it_waited_for(self):
        # T0 read x before T1's append, then appended to y after T1 (it waited for T1's row
        # lock): the read skew InnoDB-style locking writes allow, not an anomaly here.
        h = [txn([["r", "x", None], ["append", "y", 2]]), txn([["append", "x", 1], ["append", "y", 1]]),
             txn([["r", "x", [1]], ["r", "y", [1, 2]]])]
        self.assertEqual(check_list_append(h), [])
        # Reading x after its own append shows what the locking write was applied on.
        h2 = [txn([["r", "y", None], ["append", "x", 2], ["r", "x", [1, 2]]]),
              txn([["append", "x", 1], ["append", "y", 1]]), txn([["r", "x", [1, 2]], ["r", "y", [1]]])]
        self.assertEqual(check_list_append(h2), [])
        # The same T0 reading y through its snapshot after T1 is a real G-single.
        h = [txn([["r", "x", None], ["r", "y", [1]]]), txn([["append", "x", 1], ["append", "y", 1]]),
             txn([["r", "x", [1]]])]
        self.assertTrue(any("G-single" in a for a in check_list_append(h)))

    def test_write_skew_is_allowed_under_snapshot_isolation(self):
        h = [txn([["r", "x", None], ["append", "y", 1]]), txn([["r", "y", None], ["append", "x", 1]]),
             txn([["r", "x", [1]], ["r", "y", [1]]])]
        self.assertEqual(check_list_append(h), [])

    def test_incompatible_orders_duplicates_and_internal(self):
        h = [txn([["append", "x", 1]]), txn([["append", "x", 2]]), txn([["r", "x", [1, 2]]]), txn([["r", "x", [2]]])]
        self.assertTrue(any("incompatible" in a for a in check_list_append(h)))
        h = [txn([["append", "x", 1]]), txn([["r", "x", [1, 1]]])]
        self.assertTrue(any("duplicate" in a for a in check_list_append(h)))
        h = [txn([["append", "x", 1], ["r", "x", []]])]
        self.assertTrue(any("internal" in a for a in check_list_append(h)))

    def test_final_lists_extend_the_order(self):
        h = [txn([["append", "x", 1]]), txn([["append", "x", 2]], "fail")]
        self.assertTrue(any("G1a" in a for a in check_list_append(h, {"x": [1, 2]})))
        self.assertTrue(any("nobody appended" in a for a in check_list_append(h, {"x": [1, 7]})))
        self.assertEqual(check_list_append(h, {"x": [1]}), [])


class DdlTest(unittest.TestCase):
    def test_missing_table_after_ack(self):
        h = [op("ddl-dml", "t1", "fail", node="n2", created_on="n1", error=1146, missing_table=True),
             op("ddl-dml", "t2", "fail", node="n2", created_on="n1", error=1290)]
        self.assertEqual(len(check_ddl(h)), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
