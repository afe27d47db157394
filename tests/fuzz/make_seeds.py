#!/usr/bin/python3
"""Writes the hand-made seeds (seed-*) of the fuzz corpora in tests/fuzz/corpus/<target>/.

    tests/fuzz/make_seeds.py

The other files in a corpus directory were found by fuzzing and kept because they reach code
the seeds do not (tests/fuzz/run_fuzz.sh explains the -merge=1 step). The first byte of most
inputs picks the target's mode (see each *_fuzz.cc)."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def lp(b):
    return varint(len(b)) + b


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


SQL = [
    "CREATE TABLE sbtest1(id INTEGER NOT NULL AUTO_INCREMENT, k INTEGER DEFAULT '0' NOT NULL, "
    "c CHAR(120) DEFAULT '' NOT NULL, PRIMARY KEY (id)) /*! ENGINE = innodb */",
    "INSERT INTO sbtest1(k, c, pad) VALUES(5,'abc','def'),(6,'x','y')",
    "SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN 1 AND 100 ORDER BY c",
    "UPDATE sbtest1 SET k=k+1 WHERE id=5; DELETE FROM sbtest1 WHERE id=5",
    "SELECT a, CASE WHEN b > 1 THEN CAST(c AS DECIMAL(10,2)) ELSE -d END AS x, COUNT(*) FROM db.t AS u "
    "WHERE a IN (1,2) AND NOT b LIKE 'x%' OR c IS NOT NULL GROUP BY a HAVING COUNT(*) > 1 "
    "ORDER BY 2 DESC LIMIT 10 OFFSET 5 FOR UPDATE",
    "INSERT IGNORE INTO t SET a=1, b=DEFAULT ON DUPLICATE KEY UPDATE b=VALUES(b)+1",
    "SELECT X'0AFF', 0x41, b'101', 1e3, .5, @u, @@global.x, d + INTERVAL 1 DAY, CONVERT(x USING utf8)",
    "SHOW FULL COLUMNS FROM t FROM db LIKE 'a%'; DESCRIBE t c; START TRANSACTION READ ONLY",
    "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */; -- comment\n# more\nSELECT 1",
    "CREATE TABLE `t` (`id` int NOT NULL, `v` varchar(64) COLLATE utf8mb4_bin DEFAULT NULL, "
    "`e` enum('a','b') DEFAULT 'a', PRIMARY KEY (`id`), UNIQUE KEY `u` (`v`(10) DESC)) ENGINE=InnoDB",
    "SELECT 'it''s', \"q\\\"\", `a``b`, ? FROM t WHERE x <=> NULL",
    "SELECT a.x, b.y FROM a, b AS bb JOIN c ON bb.k = c.k LEFT OUTER JOIN d USING (k, j) NATURAL RIGHT JOIN e "
    "CROSS JOIN (f JOIN g ON f.i = g.i) STRAIGHT_JOIN (SELECT 1 AS one) AS dt WHERE a.x > 1",
    "SELECT (SELECT MAX(y) FROM u WHERE u.k = t.k), EXISTS (SELECT 1), x NOT IN (SELECT z FROM v) FROM t",
    "(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL SELECT b FROM u EXCEPT SELECT c FROM v "
    "INTERSECT DISTINCT SELECT d FROM w ORDER BY 1 DESC LIMIT 3",
    "INSERT INTO t (a, b) SELECT x, y FROM u UNION SELECT 1, 2; CREATE OR REPLACE ALGORITHM=MERGE VIEW v (p, q) "
    "AS SELECT a, b FROM t WITH CHECK OPTION; DROP VIEW IF EXISTS v, w",
    "CREATE TABLE g (id SERIAL, p POINT NULL, q GEOMCOLLECTION) UNION = (a, b) KEY_BLOCK_SIZE 4.2",
    "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 5), c AS (SELECT * FROM r) "
    "SELECT i, ROW_NUMBER() OVER (PARTITION BY i % 2 ORDER BY i DESC ROWS BETWEEN 1 PRECEDING AND CURRENT ROW), "
    "SUM(i) OVER w, LAG(i, 1, 0) OVER w FROM c WINDOW w AS (ORDER BY i)",
    "SELECT j->'$.a[0]', j->>'$.\"b\"', GROUP_CONCAT(DISTINCT x ORDER BY y DESC SEPARATOR ';'), "
    "TRIM(LEADING 'x' FROM s), POSITION('a' IN s), EXTRACT(YEAR_MONTH FROM d), TIMESTAMPDIFF(DAY, a, b), "
    "DATE_ADD(d, INTERVAL '1 2:3' DAY_MINUTE) FROM t",
    "CREATE DEFINER=`root`@`%` TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW BEGIN SET NEW.a = OLD.a + 1, "
    "NEW.b = CONCAT(NEW.b, 'x'); INSERT INTO log VALUES (OLD.id); SET @n = @n + 1; END; DROP TRIGGER IF EXISTS db.tr",
    "EXPLAIN WITH c AS (SELECT 1) DELETE FROM t WHERE id IN (SELECT * FROM c); SELECT (WITH c AS (SELECT 1) "
    "UPDATE t SET a = 1); EXPLAIN FORMAT=TREE REPLACE INTO t SELECT 1 UNION SELECT 2 INTO @u",
]
for i, s in enumerate(SQL):
    write("sql_parser_fuzz", f"sql{i}", s.encode())

# WriteSet: mode 0 = encoded bytes, mode 1 = a description.
ws = bytes([1]) + varint(42) + varint(2) + bytes([1]) + lp(b"k1") + lp(b"v1") + bytes([2]) + lp(b"k2")
write("write_set_fuzz", "encoded", b"\x00" + ws)
write("write_set_fuzz", "empty", b"\x00" + bytes([1]) + varint(0) + varint(0))
write("write_set_fuzz", "built", b"\x01" + bytes(range(64)))

# Raft: mode 1 = a body (the target adds header and checksum), mode 2 = a description.
entry = varint(3) + varint(7) + bytes([0]) + lp(b"payload")
append = (bytes([1]) + b"".join(varint(v) for v in (1, 2, 3, 2, 6, 5)) + bytes([0]) + varint(0) +
          varint(99) + lp(b"") + varint(2) + entry + entry)
write("raft_message_fuzz", "append-body", b"\x01" + append)
snap = (bytes([9]) + b"".join(varint(v) for v in (1, 2, 3, 2, 6, 5)) + bytes([2]) + varint(0) +
        varint(0) + lp(b"ctx") + varint(0) + varint(100) + varint(3) + varint(3) + varint(1) +
        varint(2) + varint(3) + varint(1) + varint(4) + lp(b"snapshot-bytes"))
write("raft_message_fuzz", "snapshot-body", b"\x01" + snap)
write("raft_message_fuzz", "built", b"\x02" + bytes(range(200)))


# SST block: mode 0 = a raw block, mode 3 = a description.
def block(entries, interval):
    buf, restarts, last = bytearray(), [], b""
    for i, (k, v) in enumerate(entries):
        shared = 0
        if i % interval == 0:
            restarts.append(len(buf))
        else:
            while shared < min(len(k), len(last)) and k[shared] == last[shared]:
                shared += 1
        buf += varint(shared) + varint(len(k) - shared) + varint(len(v)) + k[shared:] + v
        last = k
    for r in restarts or [0]:
        buf += struct.pack("<I", r)
    buf += struct.pack("<I", len(restarts or [0]))
    return bytes(buf)


entries = [(b"key%03d" % i, b"value%d" % i) for i in range(40)]
write("sst_block_fuzz", "block", b"\x00" + block(entries, 16))
write("sst_block_fuzz", "block-interval1", b"\x00" + block(entries[:5], 1))
write("sst_block_fuzz", "stored-none", b"\x01" + block(entries[:10], 4))
write("sst_block_fuzz", "built", b"\x03" + bytes(range(256)))

# MySQL: mode 0 = HandshakeResponse41, 3 = framed packets, 4 = values to write and read.
caps = 0x00000200 | 0x00008000 | 0x00080000 | 0x00000008 | 0x00200000 | 0x00100000
hs = (struct.pack("<IIB", caps, 1 << 24, 45) + bytes(23) + b"root\x00" + bytes([20]) + bytes(range(20)) +
      b"db\x00" + b"caching_sha2_password\x00" + bytes([10]) + lp(b"_os") + lp(b"Linux") + b"")
write("mysql_packet_fuzz", "handshake", b"\x00" + hs)
write("mysql_packet_fuzz", "ssl-request", b"\x00" + struct.pack("<IIB", caps | 0x800, 1 << 24, 45) + bytes(23))
write("mysql_packet_fuzz", "reader", b"\x01" + bytes([3]) + b"abc" + b"xyz\x00" + bytes([0xfc, 1, 2]))
framed = b"\x05\x00\x00\x00\x03SELECT"[:9] + b"\x01\x00\x00\x01\x0e"
write("mysql_packet_fuzz", "channel", b"\x03" + bytes([7, 0x40, 0, 1]) + framed)
write("mysql_packet_fuzz", "write-read", b"\x04" + bytes(range(128)))
# COM_STMT_EXECUTE of two parameters (LONGLONG 5, VAR_STRING "hi"), types bound.
write("mysql_packet_fuzz", "stmt-execute", b"\x05" + bytes([2, 0]) + struct.pack("<IBI", 1, 0, 1) + bytes([0, 1, 8, 0, 0xfd, 0])
      + struct.pack("<q", 5) + b"\x02hi")
write("mysql_packet_fuzz", "binary-row", b"\x06" + bytes([7, 0, 0]) + b"2026-11-25 10:20:30" + bytes([9, 0, 0]) + b"-100:02:03")
