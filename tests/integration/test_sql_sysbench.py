"""sysbench in its default mode, which uses server-side prepared statements (--db-ps-mode=auto:
COM_STMT_PREPARE once per query, COM_STMT_EXECUTE per call, binary result sets), as a
non-root user made with CREATE USER and GRANT: a short oltp_read_write run against the real
binary finishes with transactions done, no error but the ones sysbench retries, and the
statements served by COM_STMT_EXECUTE (the server's command metrics); then the other four
OLTP workloads run too. Not a benchmark: 1 table of 1000 rows, 2 threads, a few seconds."""
import re
import subprocess
import unittest

from harness import curl
from sql_common import connect, sql_server


class SysbenchPreparedTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = sql_server()
        with connect(cls.server) as c, c.cursor() as cur:
            cur.execute("CREATE DATABASE sbtest")
            cur.execute("CREATE USER 'sbuser'@'%' IDENTIFIED BY 'sb-pw'")
            cur.execute("GRANT ALL PRIVILEGES ON sbtest.* TO 'sbuser'@'%'")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def sysbench(self, *args, workload="oltp_read_write", timeout=120):
        cmd = ["sysbench", workload, "--mysql-host=127.0.0.1", f"--mysql-port={self.server.port}",
               "--mysql-user=sbuser", "--mysql-password=sb-pw", "--mysql-db=sbtest", "--tables=1",
               "--table-size=1000", *args]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertNotIn("FATAL", out.stdout + out.stderr)
        return out.stdout

    def stmt_executes(self):
        _, body = curl(f"http://127.0.0.1:{self.server.admin_port}/metrics")
        m = re.search(r'stratadb_mysql_commands_total\{command="stmt_execute"\} (\d+)', body)
        return int(m.group(1)) if m else 0

    def test_oltp_read_write_with_prepared_statements(self):
        self.sysbench("prepare")
        before = self.stmt_executes()
        # sysbench's default --db-ps-mode is auto: every query goes through the binary protocol.
        out = self.sysbench("--threads=2", "--time=4", "--report-interval=0", "run")
        transactions = int(re.search(r"transactions:\s+(\d+)", out).group(1))
        self.assertGreater(transactions, 0, out)
        # 18 statements per transaction (point selects, ranges, updates, delete, insert).
        self.assertGreaterEqual(self.stmt_executes() - before, transactions * 10, out)
        with connect(self.server, "sbtest") as c, c.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM sbtest1")
            self.assertEqual(cur.fetchone()[0], 1000)  # each transaction deletes one row and inserts it back
        for workload in ("oltp_point_select", "oltp_read_only", "oltp_write_only", "oltp_insert"):
            out = self.sysbench("--threads=2", "--time=2", "--report-interval=0", "run", workload=workload)
            self.assertGreater(int(re.search(r"transactions:\s+(\d+)", out).group(1)), 0, workload + out)
        # The user holds privileges on sbtest only.
        out = subprocess.run(["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", str(self.server.port), "-u", "sbuser",
                              "-psb-pw", "-e", "CREATE DATABASE elsewhere"], capture_output=True, text=True, timeout=30)
        self.assertIn("ERROR 1044 (42000)", out.stderr)


if __name__ == "__main__":
    unittest.main()
