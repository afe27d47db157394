"""Accounts and privileges (sql/catalog/accounts.h): CREATE/ALTER/DROP USER, GRANT and
REVOKE at the global, database and table levels, SHOW GRANTS, 1045 with a log line,
1142/1044/1227 with MySQL's texts, REQUIRE SSL, ACCOUNT LOCK, host patterns, both
password plugins (PyMySQL and the mariadb CLI), what PROCESSLIST / KILL allow, and roles."""
import os
import ssl
import subprocess
import tempfile
import unittest

import pymysql

from harness import Server, run_binary
from sql_common import PASSWORD, connect, mariadb, sql_server


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the server's certificate is self-signed
    return ctx


class AccountsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = sql_server()
        cls.root = connect(cls.server)
        with cls.root.cursor() as cur:
            cur.execute("CREATE DATABASE app")
            cur.execute("CREATE TABLE app.t (id INT PRIMARY KEY, v INT)")
            cur.execute("CREATE TABLE app.t2 (id INT PRIMARY KEY)")
            cur.execute("INSERT INTO app.t VALUES (1, 10)")
            cur.execute("CREATE DATABASE other")

    @classmethod
    def tearDownClass(cls):
        cls.root.close()
        cls.server.cleanup()

    def sql(self, statement, args=None):
        with self.root.cursor() as cur:
            cur.execute(statement, args)
            return cur.fetchall()

    def login(self, user, password, database=None, autocommit=True, **kwargs):
        return pymysql.connect(host="127.0.0.1", port=self.server.port, user=user, password=password,
                               database=database, autocommit=autocommit, connect_timeout=10, **kwargs)

    def assertError(self, code, fn, *args, message=None):
        with self.assertRaises(pymysql.MySQLError) as ctx:
            fn(*args)
        self.assertEqual(ctx.exception.args[0], code, ctx.exception.args)
        if message is not None:
            self.assertEqual(ctx.exception.args[1], message)
        return ctx.exception.args[1]

    def test_login_password_and_1045(self):
        self.sql("CREATE USER 'alice'@'%' IDENTIFIED BY 'a-pw'")
        with self.login("alice", "a-pw") as c, c.cursor() as cur:
            cur.execute("SELECT CURRENT_USER(), USER()")
            self.assertEqual(cur.fetchone(), ("alice@%", "alice@localhost"))
        text = self.assertError(1045, self.login, "alice", "wrong")
        self.assertTrue(text.startswith("Access denied for user 'alice'@"), text)
        self.assertIn('"msg":"access denied"', self.server.log())
        self.assertIn('"user":"alice"', self.server.log())
        self.assertError(1396, self.sql, "CREATE USER 'alice'@'%' IDENTIFIED BY 'x'",
                         message="Operation CREATE USER failed for 'alice'@'%'")
        self.sql("CREATE USER IF NOT EXISTS 'alice'@'%' IDENTIFIED BY 'x'")  # a warning, not an error
        # Her own password she may change without CREATE USER.
        with self.login("alice", "a-pw") as c, c.cursor() as cur:
            cur.execute("SET PASSWORD = 'a-pw2'")
        self.login("alice", "a-pw2").close()
        self.assertError(1045, self.login, "alice", "a-pw")
        self.sql("ALTER USER 'alice'@'%' IDENTIFIED BY 'a-pw3'")
        self.login("alice", "a-pw3").close()
        self.sql("DROP USER 'alice'@'%'")
        self.assertError(1045, self.login, "alice", "a-pw3")
        self.assertError(1396, self.sql, "DROP USER 'alice'@'%'")
        self.sql("DROP USER IF EXISTS 'alice'@'%'")

    def test_privileges_at_each_level(self):
        self.sql("CREATE USER bob IDENTIFIED BY 'b-pw'")
        bob = self.login("bob", "b-pw")
        cur = bob.cursor()
        # No privilege: the tables and the database are closed, with MySQL's texts.
        self.assertError(1142, cur.execute, "SELECT * FROM app.t",
                         message="SELECT command denied to user 'bob'@'localhost' for table 't'")
        self.assertError(1044, cur.execute, "USE app",
                         message="Access denied for user 'bob'@'localhost' to database 'app'")
        self.assertError(1044, self.login, "bob", "b-pw", "app")
        cur.execute("SHOW DATABASES")
        self.assertEqual([r[0] for r in cur.fetchall()], ["information_schema"])
        cur.execute("SHOW GRANTS")
        self.assertEqual(cur.fetchall(), (("GRANT USAGE ON *.* TO `bob`@`%`",),))
        # Database level.
        self.sql("GRANT SELECT ON app.* TO 'bob'@'%'")
        cur.execute("SELECT v FROM app.t")
        self.assertEqual(cur.fetchall(), ((10,),))
        cur.execute("USE app")
        self.assertError(1142, cur.execute, "INSERT INTO t2 VALUES (1)",
                         message="INSERT command denied to user 'bob'@'localhost' for table 't2'")
        self.assertError(1142, cur.execute, "CREATE TABLE t3 (id INT)")
        # Table level: INSERT and UPDATE on t2 only.
        self.sql("GRANT INSERT, UPDATE ON app.t2 TO bob")
        cur.execute("INSERT INTO t2 VALUES (1)")
        self.assertError(1142, cur.execute, "INSERT INTO t VALUES (2, 2)")
        self.assertError(1142, cur.execute, "DELETE FROM t2")
        cur.execute("SHOW TABLES")  # t through the database grant, t2 through its own
        self.assertEqual(sorted(r[0] for r in cur.fetchall()), ["t", "t2"])
        self.assertError(1146, cur.execute, "SELECT * FROM app.nosuch")  # SELECT on app.*: it may know
        self.sql("REVOKE SELECT ON app.* FROM bob")
        # Without a privilege a table that does not exist answers 1142 too: no probing for names.
        self.assertError(1142, cur.execute, "SELECT * FROM app.nosuch")
        cur.execute("SHOW TABLES")
        self.assertEqual([r[0] for r in cur.fetchall()], ["t2"])
        # Reading columns in UPDATE's WHERE needs SELECT; so does ON DUPLICATE KEY UPDATE's
        # change of an existing row need UPDATE (bob has it on t2).
        cur.execute("UPDATE t2 SET id = 5")
        self.assertError(1142, cur.execute, "UPDATE t2 SET id = 6 WHERE id = 5",
                         message="SELECT command denied to user 'bob'@'localhost' for table 't2'")
        cur.execute("INSERT INTO t2 VALUES (5) ON DUPLICATE KEY UPDATE id = 7")
        self.sql("REVOKE UPDATE ON app.t2 FROM bob")
        self.assertError(1142, cur.execute, "INSERT INTO t2 VALUES (8) ON DUPLICATE KEY UPDATE id = 9")
        self.sql("GRANT SELECT ON app.* TO bob")
        self.assertEqual([r[0] for r in self.sql("SHOW GRANTS FOR 'bob'@'%'")],
                         ["GRANT USAGE ON *.* TO `bob`@`%`", "GRANT SELECT ON `app`.* TO `bob`@`%`",
                          "GRANT INSERT ON `app`.`t2` TO `bob`@`%`"])
        self.assertError(1147, self.sql, "REVOKE DELETE ON app.t FROM bob")
        # GRANT OPTION on a table does not let bob change another account's password.
        self.sql("CREATE USER victim IDENTIFIED BY 'v'")
        self.sql("GRANT SELECT ON app.t TO bob WITH GRANT OPTION")
        self.assertError(1227, cur.execute, "GRANT SELECT ON app.t TO victim IDENTIFIED BY 'pwn'")
        cur.execute("GRANT SELECT ON app.t TO victim")
        self.login("victim", "v").close()
        self.sql("DROP USER victim")
        self.sql("REVOKE SELECT, GRANT OPTION ON app.t FROM bob")
        # REVOKE takes effect at the next statement of an open session.
        self.sql("REVOKE SELECT ON app.* FROM bob")
        self.assertError(1142, cur.execute, "SELECT * FROM t")
        self.assertError(1141, self.sql, "REVOKE SELECT ON other.* FROM bob")
        # Global level and administrative privileges.
        self.assertError(1227, cur.execute, "CREATE USER eve",
                         message="Access denied; you need (at least one of) the CREATE USER privilege(s) for this operation")
        self.assertError(1227, cur.execute, "SET GLOBAL max_connections = 10")
        self.sql("GRANT ALL PRIVILEGES ON *.* TO bob WITH GRANT OPTION")
        cur.execute("CREATE DATABASE bobs")
        cur.execute("CREATE USER eve IDENTIFIED BY 'e'")
        cur.execute("GRANT SELECT ON bobs.* TO eve")
        cur.execute("DROP USER eve")
        self.sql("REVOKE ALL PRIVILEGES, GRANT OPTION FROM bob")
        self.assertError(1044, cur.execute, "DROP DATABASE bobs")
        self.assertError(1410, self.sql, "GRANT SELECT ON app.* TO nobody")
        self.assertError(1144, self.sql, "GRANT SUPER ON app.* TO bob")
        bob.close()
        self.sql("DROP USER bob")

    def test_require_ssl_lock_and_hosts(self):
        self.sql("CREATE USER 'sec'@'%' IDENTIFIED BY 's-pw' REQUIRE SSL")
        self.assertError(1045, self.login, "sec", "s-pw")
        with self.login("sec", "s-pw", ssl=tls_context()) as c, c.cursor() as cur:
            cur.execute("SELECT CURRENT_USER()")
            self.assertEqual(cur.fetchone()[0], "sec@%")
        with self.login("sec", "s-pw", ssl=tls_context()) as c, c.cursor() as cur:
            # Dropping one's own REQUIRE SSL is not a password change: CREATE USER is needed.
            self.assertError(1227, cur.execute, "ALTER USER CURRENT_USER() REQUIRE NONE")
        self.sql("ALTER USER 'sec'@'%' REQUIRE NONE ACCOUNT LOCK")
        self.assertError(3118, self.login, "sec", "s-pw")
        self.sql("ALTER USER 'sec'@'%' ACCOUNT UNLOCK")
        self.login("sec", "s-pw").close()
        # Host patterns: an account for another network does not admit a loopback client;
        # the most specific matching account wins.
        self.sql("CREATE USER 'far'@'10.%' IDENTIFIED BY 'f'")
        self.assertError(1045, self.login, "far", "f")
        self.sql("CREATE USER 'two'@'%' IDENTIFIED BY 'any'")
        self.sql("CREATE USER 'two'@'localhost' IDENTIFIED BY 'local'")
        with self.login("two", "local") as c, c.cursor() as cur:
            cur.execute("SELECT CURRENT_USER()")
            self.assertEqual(cur.fetchone()[0], "two@localhost")
        self.assertError(1045, self.login, "two", "any")

    def test_native_password_plugin_with_the_mariadb_cli(self):
        self.sql("CREATE USER 'nat'@'%' IDENTIFIED WITH mysql_native_password BY 'n-pw'")
        self.sql("GRANT SELECT ON app.t TO 'nat'@'%'")
        out = mariadb(self.server, "SELECT v FROM app.t;", password="n-pw", extra=["-u", "nat"])
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.split(), ["v", "10"])
        out = mariadb(self.server, "SELECT * FROM app.t2;", password="n-pw", extra=["-u", "nat"])
        self.assertIn("ERROR 1142 (42000)", out.stderr)

    def test_processlist_and_kill_need_privileges(self):
        self.sql("CREATE USER pl IDENTIFIED BY 'p'")
        with self.login("pl", "p") as c, c.cursor() as cur:
            cur.execute("SHOW PROCESSLIST")
            users = {r[1] for r in cur.fetchall()}
            self.assertEqual(users, {"pl"})  # root's sessions are not shown without PROCESS
            cur.execute("SELECT DISTINCT USER FROM information_schema.PROCESSLIST")
            self.assertEqual(cur.fetchall(), (("pl",),))
            root_id = self.sql("SELECT CONNECTION_ID()")[0][0]
            self.assertError(1095, cur.execute, f"KILL {root_id}", message=f"You are not owner of thread {root_id}")
            self.sql("GRANT PROCESS ON *.* TO pl")
            cur.execute("SHOW PROCESSLIST")
            self.assertIn("root", {r[1] for r in cur.fetchall()})

    def test_roles(self):
        """MySQL 8 roles: privileges reach a user only through active roles (default roles
        at login, SET ROLE), role hierarchies, SHOW GRANTS … USING, loops refused, DROP ROLE
        takes the role away from everyone, and the error codes of each misuse."""
        self.sql("CREATE ROLE app_read, 'app_write'@'%', app_all")
        self.sql("GRANT SELECT ON app.* TO app_read")
        self.sql("GRANT INSERT, UPDATE ON app.t TO app_write")
        self.sql("GRANT app_read, app_write TO app_all")  # a role of roles
        self.sql("CREATE USER carol IDENTIFIED BY 'c-pw'")
        self.sql("GRANT app_all TO carol")
        self.assertEqual([r[0] for r in self.sql("SHOW GRANTS FOR carol")],
                         ["GRANT USAGE ON *.* TO `carol`@`%`", "GRANT `app_all`@`%` TO `carol`@`%`"])
        self.assertEqual([r[0] for r in self.sql("SHOW GRANTS FOR carol USING app_all")],
                         ["GRANT USAGE ON *.* TO `carol`@`%`", "GRANT SELECT ON `app`.* TO `carol`@`%`",
                          "GRANT INSERT, UPDATE ON `app`.`t` TO `carol`@`%`", "GRANT `app_all`@`%` TO `carol`@`%`"])
        self.assertError(3530, self.sql, "SHOW GRANTS FOR carol USING app_read",
                         message="`app_read`@`%` is not granted to `carol`@`%`")
        # A granted role gives nothing until it is active.
        with self.login("carol", "c-pw") as c, c.cursor() as cur:
            cur.execute("SELECT CURRENT_ROLE()")
            self.assertEqual(cur.fetchone()[0], "NONE")
            self.assertError(1142, cur.execute, "SELECT * FROM app.t")
            cur.execute("SET ROLE app_all")
            cur.execute("SELECT CURRENT_ROLE()")
            self.assertEqual(cur.fetchone()[0], "`app_all`@`%`")
            cur.execute("SELECT v FROM app.t WHERE id = 1")
            self.assertEqual(cur.fetchone()[0], 10)
            cur.execute("INSERT INTO app.t VALUES (50, 1)")
            self.assertError(1142, cur.execute, "DELETE FROM app.t WHERE id = 50")  # no role has DELETE
            self.assertError(3530, cur.execute, "SET ROLE app_read")  # granted to app_all, not to carol
            cur.execute("SET ROLE NONE")
            self.assertError(1142, cur.execute, "SELECT * FROM app.t")
            # Her own default role, without CREATE USER.
            cur.execute("SET DEFAULT ROLE app_all TO CURRENT_USER")
            cur.execute("SET ROLE DEFAULT")
            cur.execute("SELECT COUNT(*) FROM app.t")
            self.assertError(1227, cur.execute, "CREATE ROLE x")
            self.assertError(1227, cur.execute, "GRANT app_read TO carol")
        with self.login("carol", "c-pw") as c, c.cursor() as cur:  # the default role is active at login
            cur.execute("SELECT CURRENT_ROLE()")
            self.assertEqual(cur.fetchone()[0], "`app_all`@`%`")
            cur.execute("SELECT COUNT(*) FROM app.t")
            # A revoked role lapses in sessions that had it active.
            self.sql("REVOKE app_all FROM carol")
            self.assertError(1142, cur.execute, "SELECT COUNT(*) FROM app.t")
            self.assertEqual([r[0] for r in self.sql("SHOW GRANTS FOR carol")], ["GRANT USAGE ON *.* TO `carol`@`%`"])
        # activate_all_roles_on_login, WITH ADMIN OPTION, ALTER USER … DEFAULT ROLE NONE.
        self.sql("GRANT app_read TO carol WITH ADMIN OPTION")
        self.sql("ALTER USER carol DEFAULT ROLE NONE")
        self.sql("CREATE USER dave IDENTIFIED BY 'd-pw'")
        with self.login("carol", "c-pw") as c, c.cursor() as cur:
            cur.execute("SELECT CURRENT_ROLE()")
            self.assertEqual(cur.fetchone()[0], "NONE")
            cur.execute("GRANT app_read TO dave")  # she administers app_read
            self.assertError(1227, cur.execute, "GRANT app_write TO dave")
        self.sql("SET GLOBAL activate_all_roles_on_login = ON")
        try:
            with self.login("dave", "d-pw") as c, c.cursor() as cur:
                cur.execute("SELECT CURRENT_ROLE()")
                self.assertEqual(cur.fetchone()[0], "`app_read`@`%`")
                cur.execute("SELECT COUNT(*) FROM app.t")
        finally:
            self.sql("SET GLOBAL activate_all_roles_on_login = OFF")
        # Misuse: unknown roles, loops, duplicates, a role cannot log in.
        self.assertError(3523, self.sql, "GRANT nosuchrole TO dave", message="Unknown authorization ID `nosuchrole`@`%`")
        self.assertError(3573, self.sql, "GRANT app_all TO app_read")
        self.assertError(1396, self.sql, "CREATE ROLE app_read", message="Operation CREATE ROLE failed for 'app_read'@'%'")
        self.sql("CREATE ROLE IF NOT EXISTS app_read")
        self.assertError(3118, self.login, "app_read", "")
        # DROP ROLE takes it away from every account and role.
        self.sql("DROP ROLE app_read")
        self.assertEqual([r[0] for r in self.sql("SHOW GRANTS FOR dave")], ["GRANT USAGE ON *.* TO `dave`@`%`"])
        self.assertEqual([r[0] for r in self.sql("SHOW GRANTS FOR app_all")],
                         ["GRANT USAGE ON *.* TO `app_all`@`%`", "GRANT `app_write`@`%` TO `app_all`@`%`"])
        self.assertError(1396, self.sql, "DROP ROLE app_read")
        # DROP USER of an account used as a role forgets it too: a new account of that name
        # does not reach anyone.
        self.sql("CREATE USER helper")
        self.sql("GRANT helper TO dave")
        self.sql("DROP USER helper")
        self.sql("CREATE USER helper")
        self.sql("GRANT SELECT ON app.* TO helper")
        self.assertEqual([r[0] for r in self.sql("SHOW GRANTS FOR dave")], ["GRANT USAGE ON *.* TO `dave`@`%`"])
        self.sql("DROP USER helper")
        # SET ROLE and SHOW GRANTS leave an open transaction open (MySQL commits only DDL).
        self.sql("GRANT app_write TO carol")
        with self.login("carol", "c-pw", autocommit=False) as c, c.cursor() as cur:
            cur.execute("SET ROLE app_write")
            cur.execute("INSERT INTO app.t VALUES (60, 1)")
            cur.execute("SET ROLE ALL")
            cur.execute("SHOW GRANTS")
            c.rollback()
        self.assertEqual(self.sql("SELECT COUNT(*) FROM app.t WHERE id = 60")[0][0], 0)
        self.assertError(1229, self.sql, "SET SESSION activate_all_roles_on_login = ON")
        self.sql("DROP ROLE IF EXISTS app_read, app_write, app_all")
        self.sql("DROP USER carol, dave")

    def test_trigger_definer(self):
        """A trigger body runs with its DEFINER's privileges (the creator by default): an
        invoker without rights on the audit table still fires an audit trigger root defined;
        one defined as a weaker account fails; only SUPER names another definer; a dropped
        definer is 1449; SHOW TRIGGERS / SHOW CREATE TRIGGER / information_schema show it."""
        self.sql("CREATE TABLE app.d (id INT PRIMARY KEY)")
        self.sql("CREATE TABLE app.audit (id INT PRIMARY KEY, what VARCHAR(10))")
        # The body names `audit` unqualified: the trigger's schema's, whatever database the
        # invoker has selected (a root-defined body must not reach the invoker's database).
        self.sql("USE app")
        self.sql("CREATE TRIGGER d_audit AFTER INSERT ON d FOR EACH ROW INSERT INTO audit VALUES (NEW.id, 'root')")
        self.sql("CREATE TABLE other.audit (id INT PRIMARY KEY, what VARCHAR(10))")
        self.sql("CREATE USER writer IDENTIFIED BY 'w-pw'")
        self.sql("GRANT INSERT, DELETE ON app.d TO writer")
        self.sql("GRANT SELECT ON other.* TO writer")
        with self.login("writer", "w-pw", database="other") as c, c.cursor() as cur:
            cur.execute("INSERT INTO app.d VALUES (1)")  # the trigger writes app.audit as root
            self.assertError(1142, cur.execute, "INSERT INTO app.audit VALUES (99, 'x')")
            cur.execute("SELECT DATABASE()")
            self.assertEqual(cur.fetchone()[0], "other")  # the invoker's database is back
        self.assertEqual(self.sql("SELECT id, what FROM app.audit"), ((1, "root"),))
        self.assertEqual(self.sql("SELECT COUNT(*) FROM other.audit"), ((0,),))
        self.sql("DROP TABLE other.audit")
        self.sql("DROP TRIGGER app.d_audit")
        self.sql("CREATE DEFINER = 'writer'@'%' TRIGGER d_weak AFTER INSERT ON app.d FOR EACH ROW "
                 "INSERT INTO app.audit VALUES (NEW.id, 'writer')")
        self.assertEqual(self.sql("SELECT Definer FROM information_schema.TRIGGERS WHERE TRIGGER_NAME = 'd_weak'"),
                         (("writer@%",),))
        self.assertIn("CREATE DEFINER=`writer`@`%` TRIGGER `d_weak`", self.sql("SHOW CREATE TRIGGER app.d_weak")[0][2])
        with self.login("writer", "w-pw") as c, c.cursor() as cur:
            self.assertError(1142, cur.execute, "INSERT INTO app.d VALUES (2)")  # writer may not write app.audit
        self.assertError(1142, self.sql, "INSERT INTO app.d VALUES (3)")  # root fires it too: as writer
        # Naming another definer needs SUPER.
        self.sql("GRANT TRIGGER ON app.* TO writer")
        with self.login("writer", "w-pw") as c, c.cursor() as cur:
            self.assertError(1227, cur.execute, "CREATE DEFINER = root TRIGGER d_up BEFORE DELETE ON app.d "
                                                "FOR EACH ROW DELETE FROM app.audit")
        self.sql("DROP USER writer")
        self.assertError(1449, self.sql, "INSERT INTO app.d VALUES (4)",
                         message="The user specified as a definer ('writer'@'%') does not exist")
        self.sql("DROP TABLE app.d, app.audit")


class OperatorCertificateTest(unittest.TestCase):
    """tls_cert / tls_key: the MySQL port offers the operator's certificate."""

    def test_server_presents_the_configured_certificate(self):
        with tempfile.TemporaryDirectory() as d:
            cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                            "-subj", "/CN=strata-operator-test", "-days", "2"], check=True, capture_output=True)
            server = Server(extra_args=["--root-password", PASSWORD, "--tls-cert", cert, "--tls-key", key]).start()
            try:
                ctx = ssl.create_default_context(cafile=cert)  # trusts only the operator's certificate
                ctx.check_hostname = False
                with connect(server, ssl=ctx) as c:
                    subject = dict(item[0] for item in c._sock.getpeercert()["subject"])
                    self.assertEqual(subject["commonName"], "strata-operator-test")
            finally:
                server.cleanup()
            out = run_binary(["start", "--data-dir", os.path.join(d, "data"), "--tls-cert", cert])
            self.assertNotEqual(out.returncode, 0)
            self.assertIn("'tls_cert' and 'tls_key' go together", out.stderr)


if __name__ == "__main__":
    unittest.main()
