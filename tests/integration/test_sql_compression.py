"""The compressed protocol with a real client: `mariadb --compress` (zlib) runs DDL, DML and
a big, compressible result; a byte-counting TCP proxy between client and server shows the
result crossed the wire compressed. (zstd's framing is covered by mysql_compression_test:
no client in Debian 12 speaks it.)"""
import socket
import subprocess
import threading
import unittest

from sql_common import PASSWORD, sql_server


class CountingProxy:
    """Forwards one port to the server's, counting the bytes the server sends."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.server_bytes = 0
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self.pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self.pump, args=(upstream, client, True), daemon=True).start()

    def pump(self, src, dst, from_server):
        try:
            while data := src.recv(65536):
                if from_server:
                    with self.lock:
                        self.server_bytes += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class CompressionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = sql_server()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def cli(self, sql, *extra, port=None):
        out = subprocess.run(["mariadb", "--no-defaults", "-h", "127.0.0.1", "-P", str(port or self.server.port), "-u", "root",
                              f"--password={PASSWORD}", "--batch", "--skip-column-names", *extra, "-e", sql],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout

    def test_compressed_session(self):
        out = self.cli("CREATE DATABASE z; CREATE TABLE z.t (id INT PRIMARY KEY, s TEXT); "
                       "INSERT INTO z.t VALUES (1, REPEAT('abc', 1000)), (2, NULL); "
                       "SELECT id, LENGTH(s) FROM z.t ORDER BY id; SELECT @@version_comment;", "--compress")
        self.assertEqual(out.split("\n")[:2], ["1\t3000", "2\tNULL"])
        proxy = CountingProxy(self.server.port)
        out = self.cli("SELECT REPEAT('x', 2000000)", "--compress", port=proxy.port)
        compressed = proxy.server_bytes
        self.assertEqual(out.strip(), "x" * 2000000)
        proxy = CountingProxy(self.server.port)
        self.cli("SELECT REPEAT('x', 2000000)", port=proxy.port)
        plain = proxy.server_bytes
        self.assertGreater(plain, 2000000)
        self.assertLess(compressed, plain / 20)


if __name__ == "__main__":
    unittest.main()
