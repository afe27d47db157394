// Node's mysql2 against a running StrataDB (tests/integration/test_sql_node_mysql2.py starts
// it): a pool, DDL, DML, transactions, prepared statements (execute(): the binary protocol)
// of every common type, text-protocol queries, and errors that leave the connection usable.
// Prints "ok" and exits 0, or throws.
'use strict';
const assert = require('node:assert/strict');
const mysql = require('mysql2/promise');

async function expectError(promise, errno) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.errno, errno, `${e.code}: ${e.message}`);
    return e;
  }
  assert.fail(`expected error ${errno}`);
}

async function main() {
  const pool = mysql.createPool({
    host: '127.0.0.1',
    port: Number(process.env.STRATA_PORT),
    user: 'root',
    password: process.env.STRATA_PASSWORD,
    connectionLimit: 4,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  try {
    await pool.query('CREATE DATABASE node_app');
    await pool.query(`CREATE TABLE node_app.items (
      id INT PRIMARY KEY AUTO_INCREMENT, i BIGINT, d DECIMAL(10,2), f DOUBLE, s VARCHAR(50),
      b BLOB, dt DATETIME, dd DATE, t TIME, n INT NULL, u BIGINT UNSIGNED, mb MEDIUMBLOB)`);

    // Prepared INSERT with every type, NULL included.
    const blob = Buffer.from([0, 1, 2, 255, 254, 39, 92]);
    const [ins] = await pool.execute(
      'INSERT INTO node_app.items (i, d, f, s, b, dt, dd, t, n, u) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [-9007199254740991, '12345678.91', 2.5, "it's \"quoted\" ✓", blob, '2024-02-29 23:59:58', '1999-12-31',
       '12:34:56', null, '18446744073709551615']);
    assert.equal(ins.affectedRows, 1);
    assert.equal(ins.insertId, 1);

    // Prepared SELECT: the binary result set, each type decoded by mysql2.
    const [rows, fields] = await pool.execute('SELECT * FROM node_app.items WHERE id = ?', [ins.insertId]);
    assert.equal(rows.length, 1);
    const r = rows[0];
    assert.equal(r.i, '-9007199254740991');
    assert.equal(r.d, '12345678.91');
    assert.equal(r.f, 2.5);
    assert.equal(r.s, "it's \"quoted\" ✓");
    assert.deepEqual(r.b, blob);
    assert.equal(r.dt, '2024-02-29 23:59:58');
    assert.equal(r.dd, '1999-12-31');
    assert.equal(r.t, '12:34:56');
    assert.equal(r.n, null);
    assert.equal(r.u, '18446744073709551615');
    assert.deepEqual(fields.map((f) => f.name), ['id', 'i', 'd', 'f', 's', 'b', 'dt', 'dd', 't', 'n', 'u', 'mb']);

    // The same statement many times (mysql2 keeps it prepared per connection).
    for (let k = 0; k < 50; k++) {
      const [res] = await pool.execute('INSERT INTO node_app.items (i, s) VALUES (?, ?)', [k, `row ${k}`]);
      assert.equal(res.affectedRows, 1);
    }
    const [[count]] = await pool.execute('SELECT COUNT(*) AS c, SUM(i) AS s FROM node_app.items WHERE s LIKE ?', ['row %']);
    assert.equal(Number(count.c), 50);
    assert.equal(Number(count.s), (49 * 50) / 2);

    // The pool's connections write concurrently.
    await Promise.all(Array.from({ length: 20 }, (_, k) =>
      pool.execute('INSERT INTO node_app.items (i, s) VALUES (?, ?)', [1000 + k, 'parallel'])));
    const [[par]] = await pool.query("SELECT COUNT(*) AS c FROM node_app.items WHERE s = 'parallel'");
    assert.equal(Number(par.c), 20);

    // Transactions on one connection: rollback leaves nothing, commit keeps the row.
    const conn = await pool.getConnection();
    try {
      await conn.beginTransaction();
      await conn.execute('INSERT INTO node_app.items (id, s) VALUES (?, ?)', [500, 'rolled back']);
      await conn.rollback();
      const [none] = await conn.execute('SELECT id FROM node_app.items WHERE id = ?', [500]);
      assert.equal(none.length, 0);
      await conn.beginTransaction();
      await conn.execute('INSERT INTO node_app.items (id, s) VALUES (?, ?)', [501, 'committed']);
      await conn.commit();
      const [one] = await conn.execute('SELECT s FROM node_app.items WHERE id = ?', [501]);
      assert.deepEqual(one, [{ s: 'committed' }]);

      // Errors: each has MySQL's number, and the connection goes on working.
      await expectError(conn.execute('INSERT INTO node_app.items (id) VALUES (?)', [501]), 1062);
      await expectError(conn.query('SELEC 1'), 1064);
      await expectError(conn.execute('SELECT * FROM node_app.missing WHERE id = ?', [1]), 1146);
      await expectError(conn.execute('INSERT INTO node_app.items (id, s) VALUES (?, ?)', [502]), 1210);
      const [[alive]] = await conn.execute('SELECT ? + 1 AS v', [41]);
      assert.equal(Number(alive.v), 42);
    } finally {
      conn.release();
    }

    // Text protocol with client-side placeholders; a 1 MiB MEDIUMBLOB through execute() (a
    // BLOB holds 64 KiB: 1406, as in MySQL's strict mode).
    const [txt] = await pool.query('SELECT s FROM node_app.items WHERE id = ?', [501]);
    assert.deepEqual(txt, [{ s: 'committed' }]);
    const big = Buffer.alloc(1 << 20, 7);
    await expectError(pool.execute('INSERT INTO node_app.items (id, b) VALUES (?, ?)', [600, big]), 1406);
    await pool.execute('INSERT INTO node_app.items (id, mb) VALUES (?, ?)', [600, big]);
    const [[bigRow]] = await pool.execute('SELECT mb FROM node_app.items WHERE id = ?', [600]);
    assert.ok(bigRow.mb.equals(big));

    // UPDATE through execute: affected rows.
    const [upd] = await pool.execute('UPDATE node_app.items SET n = ? WHERE s = ?', [7, 'parallel']);
    assert.equal(upd.affectedRows, 20);
  } finally {
    await pool.end();
  }
  console.log('ok');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
