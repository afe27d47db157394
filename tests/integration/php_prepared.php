<?php
// Prepared statements through PHP's mysqlnd (an implementation of the binary protocol
// independent of libmariadb): mysqli prepare / bind_param / send_long_data / execute /
// get_result, a read-only cursor, result metadata at prepare time, and PDO with server-side
// prepares (ATTR_EMULATE_PREPARES off). Driven by test_sql_php_prepared.py; prints "ok" and
// exits 0, or prints what differed and exits 1.
mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
$port = (int)getenv('STRATA_PORT');
$password = getenv('STRATA_PASSWORD');
$failures = 0;

function expect($what, $got, $want) {
    global $failures;
    if ($got !== $want) {
        $failures++;
        fwrite(STDERR, "$what: got " . var_export($got, true) . ", want " . var_export($want, true) . "\n");
    }
}

$db = new mysqli('127.0.0.1', 'root', $password, '', $port);
$db->query('CREATE DATABASE php');
$db->select_db('php');
$db->query('CREATE TABLE t (id INT PRIMARY KEY, i BIGINT, d DOUBLE, dec_ DECIMAL(10,2), s VARCHAR(20), ' .
           'b MEDIUMBLOB, dt DATETIME, da DATE)');

$ins = $db->prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
expect('param_count', $ins->param_count, 8);
$id = 1; $i = -9000000000; $d = 1.25; $dec = '12.50'; $s = "it's"; $b = null;
$dt = '2026-11-25 10:20:30'; $da = '2026-11-25';
$ins->bind_param('iidssbss', $id, $i, $d, $dec, $s, $b, $dt, $da);
$ins->send_long_data(5, str_repeat('x', 70000));
$ins->send_long_data(5, 'end');
$ins->execute();
expect('affected_rows', $ins->affected_rows, 1);
$id = 2; $i = null; $d = null; $dec = null; $s = null; $dt = null; $da = null;
$ins->execute();  // NULLs (and no long data this time: b is NULL)
$ins->close();

$sel = $db->prepare('SELECT id, i, d, dec_, s, LENGTH(b), RIGHT(b, 3), dt, da FROM t WHERE id >= ? ORDER BY id');
$fields = array_map(fn($f) => $f->name, $sel->result_metadata()->fetch_fields());
expect('columns at prepare', $fields, ['id', 'i', 'd', 'dec_', 's', 'LENGTH(b)', 'RIGHT(b, 3)', 'dt', 'da']);
$min = 1;
$sel->bind_param('i', $min);
$sel->execute();
$rows = $sel->get_result()->fetch_all(MYSQLI_NUM);
expect('row 1', $rows[0], [1, -9000000000, 1.25, '12.50', "it's", 70003, 'end', '2026-11-25 10:20:30', '2026-11-25']);
expect('row 2', $rows[1], [2, null, null, null, null, null, null, null, null]);

// A read-only cursor fetched one row at a time.
$cur = $db->stmt_init();
$cur->prepare('SELECT id FROM t ORDER BY id');
$cur->attr_set(MYSQLI_STMT_ATTR_CURSOR_TYPE, MYSQLI_CURSOR_TYPE_READ_ONLY);
$cur->attr_set(MYSQLI_STMT_ATTR_PREFETCH_ROWS, 1);
$cur->execute();
$cur->bind_result($got);
$ids = [];
while ($cur->fetch()) $ids[] = $got;
expect('cursor rows', $ids, [1, 2]);
$cur->close();

// Errors: at prepare, and the session goes on.
try {
    $db->prepare('SELECT * FROM missing');
    expect('prepare of a missing table', 'no error', 'error 1146');
} catch (mysqli_sql_exception $e) {
    expect('prepare error', $e->getCode(), 1146);
}

// PDO with server-side prepares.
$pdo = new PDO("mysql:host=127.0.0.1;port=$port;dbname=php", 'root', $password,
               [PDO::ATTR_EMULATE_PREPARES => false, PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$q = $pdo->prepare('SELECT s, id * ? AS x, dt FROM t WHERE id = ?');
$q->execute([10, 1]);  // strings: INT * '10' is a DOUBLE, as in MySQL
expect('pdo row', $q->fetch(PDO::FETCH_NUM), ["it's", 10.0, '2026-11-25 10:20:30']);
$q->bindValue(1, 10, PDO::PARAM_INT);  // an integer parameter: the product stays an integer
$q->bindValue(2, 2, PDO::PARAM_INT);
$q->execute();
expect('pdo nulls', $q->fetch(PDO::FETCH_NUM), [null, 20, null]);
$u = $pdo->prepare('UPDATE t SET s = ? WHERE id = ?');
$u->execute(['new', 2]);
expect('pdo affected', $u->rowCount(), 1);
expect('pdo update seen', $pdo->query('SELECT s FROM t WHERE id = 2')->fetchColumn(), 'new');

if ($failures) exit(1);
echo "ok\n";
