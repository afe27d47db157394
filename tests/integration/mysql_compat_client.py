"""Client-side helpers for test_mysql_compat.py that reach below PyMySQL's public API:

- `read_handshake(port)`: the server's HandshakeV10, parsed from a raw socket;
- `RawStatements`: the binary protocol (COM_STMT_*) spoken over a PyMySQL connection, which
  keeps doing the handshake, authentication and packet framing (sequence ids, 16 MiB
  splits); the tests build the command payloads byte by byte, so they can check what the
  protocol pages promise (cursor flags, new-params-bound = 0, date lengths);
- `Libmariadb`: the C client library through ctypes, for the calls no Python driver offers
  (mysql_reset_connection, mysql_list_fields)."""
import ctypes
import socket
import struct

from pymysql.constants import COMMAND
from pymysql.protocol import FieldDescriptorPacket

CURSOR_TYPE_READ_ONLY = 0x01
PARAMETER_COUNT_AVAILABLE = 0x08
STATUS_IN_TRANS = 0x0001
STATUS_AUTOCOMMIT = 0x0002
STATUS_MORE_RESULTS = 0x0008
STATUS_CURSOR_EXISTS = 0x0040
STATUS_LAST_ROW_SENT = 0x0080
STATUS_NO_BACKSLASH_ESCAPES = 0x0200
CLIENT_DEPRECATE_EOF = 1 << 24

TYPE_TINY, TYPE_SHORT, TYPE_LONG, TYPE_DOUBLE, TYPE_NULL = 0x01, 0x02, 0x03, 0x05, 0x06
TYPE_TIMESTAMP, TYPE_LONGLONG, TYPE_DATE, TYPE_TIME, TYPE_DATETIME = 0x07, 0x08, 0x0A, 0x0B, 0x0C
TYPE_VAR_STRING = 0xFD


def read_handshake(port):
    """The fields of the server's first packet (HandshakeV10) that clients act on."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        head = s.recv(4, socket.MSG_WAITALL)
        length = head[0] | head[1] << 8 | head[2] << 16
        p = s.recv(length, socket.MSG_WAITALL)
    assert p[0] == 10, p
    end = p.index(b"\0", 1)
    version = p[1:end].decode()
    pos = end + 1 + 4 + 8 + 1  # connection id, auth-plugin-data-part-1, filler
    cap_low, charset, status, cap_high, auth_len = struct.unpack_from("<HBHHB", p, pos)
    reserved = p[pos + 8:pos + 18]
    return {"version": version, "capabilities": cap_low | cap_high << 16, "charset": charset,
            "status": status, "reserved": reserved}


def lenenc(data, pos):
    """(integer, next position) of a length-encoded integer."""
    first = data[pos]
    if first < 0xFB:
        return first, pos + 1
    size = {0xFC: 2, 0xFD: 3, 0xFE: 8}[first]
    return int.from_bytes(data[pos + 1:pos + 1 + size], "little"), pos + 1 + size


def eof_status(packet):
    """Status flags of an EOF packet (0xfe, warnings u16, status u16) or of an OK packet."""
    data = packet if isinstance(packet, bytes) else packet.get_all_data()
    if data[0] == 0xFE and len(data) < 9:
        return struct.unpack_from("<H", data, 3)[0]
    _, pos = lenenc(data, 1)
    _, pos = lenenc(data, pos)
    return struct.unpack_from("<H", data, pos)[0]


class RawStatements:
    """COM_STMT_* over a PyMySQL connection (opened without CLIENT_DEPRECATE_EOF, which
    PyMySQL does not speak: every column list ends with an EOF packet)."""

    def __init__(self, conn):
        self.conn = conn

    def _send(self, command, payload):
        self.conn._execute_command(command, payload)

    def _read(self):
        return self.conn._read_packet().get_all_data()

    def prepare(self, sql):
        """(statement id, parameter definitions, column definitions)."""
        self._send(COMMAND.COM_STMT_PREPARE, sql.encode())
        first = self._read()
        assert first[0] == 0, first
        stmt_id, ncols, nparams = struct.unpack_from("<IHH", first, 1)
        params = [self.conn._read_packet(FieldDescriptorPacket) for _ in range(nparams)]
        if nparams:
            assert self._read()[0] == 0xFE
        cols = [self.conn._read_packet(FieldDescriptorPacket) for _ in range(ncols)]
        if ncols:
            assert self._read()[0] == 0xFE
        return stmt_id, params, cols

    def execute(self, stmt_id, params=(), flags=0, bind_types=True, long_data=()):
        """params: (type, unsigned, value bytes or None). Returns (columns, rows, status):
        rows are raw binary-row payloads; status is the last EOF/OK's status flags."""
        payload = struct.pack("<IBI", stmt_id, flags, 1)
        if params:
            bitmap = bytearray((len(params) + 7) // 8)
            for i, (_, _, value) in enumerate(params):
                if value is None and i not in long_data:
                    bitmap[i // 8] |= 1 << (i % 8)
            payload += bytes(bitmap) + bytes([1 if bind_types else 0])
            if bind_types:
                payload += b"".join(struct.pack("<BB", t, 0x80 if u else 0) for t, u, _ in params)
            payload += b"".join(v for i, (_, _, v) in enumerate(params) if v is not None and i not in long_data)
        self._send(COMMAND.COM_STMT_EXECUTE, payload)
        return self._read_result()

    def _read_result(self):
        first = self._read()
        if first[0] == 0:
            return [], [], eof_status(first)
        ncols, _ = lenenc(first, 0)
        cols = [self.conn._read_packet(FieldDescriptorPacket) for _ in range(ncols)]
        status = eof_status(self._read())
        if status & STATUS_CURSOR_EXISTS:
            return cols, [], status
        rows, status = self._read_rows()
        return cols, rows, status

    def _read_rows(self):
        rows = []
        while True:
            p = self._read()
            if p[0] == 0xFE and len(p) < 9:
                return rows, eof_status(p)
            rows.append(p)

    def fetch(self, stmt_id, count):
        self._send(COMMAND.COM_STMT_FETCH, struct.pack("<II", stmt_id, count))
        return self._read_rows()

    def reset(self, stmt_id):
        self._send(COMMAND.COM_STMT_RESET, struct.pack("<I", stmt_id))
        return self._read()

    def send_long_data(self, stmt_id, param, data):
        self._send(COMMAND.COM_STMT_SEND_LONG_DATA, struct.pack("<IH", stmt_id, param) + data)

    def close(self, stmt_id):
        self._send(COMMAND.COM_STMT_CLOSE, struct.pack("<I", stmt_id))


def binary_values(row, cols):
    """Decodes a binary result row: integers, doubles and strings as Python values; a
    temporal value as (length byte, raw bytes) so that tests can check the lengths."""
    assert row[0] == 0
    nbitmap = (len(cols) + 9) // 8
    bitmap, pos, out = row[1:1 + nbitmap], 1 + nbitmap, []
    for i, col in enumerate(cols):
        if bitmap[(i + 2) // 8] & (1 << ((i + 2) % 8)):
            out.append(None)
            continue
        t = col.type_code
        unsigned = bool(col.flags & 0x20)
        fixed = {TYPE_TINY: "b", TYPE_SHORT: "h", 0x0D: "h", TYPE_LONG: "i", 0x09: "i", TYPE_LONGLONG: "q",
                 TYPE_DOUBLE: "d", 0x04: "f"}
        if t in fixed:
            fmt = fixed[t].upper() if unsigned and t not in (TYPE_DOUBLE, 0x04) else fixed[t]
            out.append(struct.unpack_from("<" + fmt, row, pos)[0])
            pos += struct.calcsize(fmt)
        elif t in (TYPE_DATE, TYPE_DATETIME, TYPE_TIMESTAMP, TYPE_TIME):
            n = row[pos]
            out.append((n, bytes(row[pos + 1:pos + 1 + n])))
            pos += 1 + n
        else:
            n, pos = lenenc(row, pos)
            out.append(bytes(row[pos:pos + n]))
            pos += n
    assert pos == len(row), (pos, len(row))
    return out


class Libmariadb:
    """A libmariadb connection (MYSQL*) through ctypes."""

    lib = None

    @classmethod
    def _load(cls):
        if cls.lib is not None:
            return cls.lib
        lib = ctypes.CDLL("libmariadb.so.3")
        vp, cp, u = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint
        for name, res, args in [
            ("mysql_init", vp, [vp]), ("mysql_real_connect", vp, [vp, cp, cp, cp, cp, u, cp, ctypes.c_ulong]),
            ("mysql_query", ctypes.c_int, [vp, cp]), ("mysql_store_result", vp, [vp]),
            ("mysql_num_fields", u, [vp]), ("mysql_fetch_row", ctypes.POINTER(cp), [vp]),
            ("mysql_free_result", None, [vp]), ("mysql_reset_connection", ctypes.c_int, [vp]),
            ("mysql_list_fields", vp, [vp, cp, cp]), ("mysql_fetch_field_direct", vp, [vp, u]),
            ("mysql_errno", u, [vp]), ("mysql_error", cp, [vp]), ("mysql_sqlstate", cp, [vp]),
            ("mysql_close", None, [vp]),
        ]:
            f = getattr(lib, name)
            f.restype, f.argtypes = res, args
        cls.lib = lib
        return lib

    def __init__(self, port, user, password, db=None):
        self.lib = self._load()
        self.m = self.lib.mysql_init(None)
        if not self.lib.mysql_real_connect(self.m, b"127.0.0.1", user.encode(), password.encode(),
                                           db.encode() if db else None, port, None, 0):
            raise RuntimeError(self.lib.mysql_error(self.m).decode())

    def error(self):
        return self.lib.mysql_errno(self.m), self.lib.mysql_sqlstate(self.m).decode()

    def query(self, sql):
        """All rows of a statement's result as lists of str/None; [] without a result set."""
        if self.lib.mysql_query(self.m, sql.encode()) != 0:
            raise RuntimeError(f"{sql}: {self.error()} {self.lib.mysql_error(self.m).decode()}")
        res = self.lib.mysql_store_result(self.m)
        if not res:
            return []
        n = self.lib.mysql_num_fields(res)
        rows = []
        while True:
            row = self.lib.mysql_fetch_row(res)
            if not row:
                break
            rows.append([row[i].decode() if row[i] is not None else None for i in range(n)])
        self.lib.mysql_free_result(res)
        return rows

    def reset_connection(self):
        return self.lib.mysql_reset_connection(self.m)

    def list_fields(self, table):
        """Column names from COM_FIELD_LIST, or None with the error in error()."""
        res = self.lib.mysql_list_fields(self.m, table.encode(), None)
        if not res:
            return None
        names = [ctypes.cast(self.lib.mysql_fetch_field_direct(res, i), ctypes.POINTER(ctypes.c_char_p))[0].decode()
                 for i in range(self.lib.mysql_num_fields(res))]
        self.lib.mysql_free_result(res)
        return names

    def close(self):
        self.lib.mysql_close(self.m)
