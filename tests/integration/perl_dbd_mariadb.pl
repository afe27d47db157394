#!/usr/bin/perl
# Perl DBI with DBD::MariaDB against a running StrataDB (test_sql_perl_dbi.py starts it):
# DDL, DML, server-side prepared statements with placeholders of several types, NULLs,
# transactions, errors that leave the handle usable, and the affected-row counts that
# DBD::MariaDB's default CLIENT_FOUND_ROWS gives. Prints "ok", or dies.
use strict;
use warnings;
use DBI;

my $port = $ENV{STRATA_PORT} or die "STRATA_PORT not set";
my $dbh = DBI->connect("DBI:MariaDB:host=127.0.0.1;port=$port", "root", $ENV{STRATA_PASSWORD},
                       {RaiseError => 1, PrintError => 0, AutoCommit => 1, mariadb_server_prepare => 1})
  or die $DBI::errstr;

sub expect { my ($got, $want, $what) = @_; die "$what: got '" . ($got // 'NULL') . "', want '" . ($want // 'NULL') . "'\n"
  unless (defined $got ? $got : "\0NULL") eq (defined $want ? $want : "\0NULL"); }

$dbh->do("CREATE DATABASE perl_app");
$dbh->do("USE perl_app");
$dbh->do("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(40), amount DECIMAL(12,3), at DATETIME, n INT NULL)");

my $ins = $dbh->prepare("INSERT INTO t (id, name, amount, at, n) VALUES (?, ?, ?, ?, ?)");
for my $i (1 .. 5) {
  expect($ins->execute($i, "name'$i\"", "$i.125", "2024-01-0$i 10:20:30", $i % 2 ? undef : $i), 1, "insert $i");
}
my $row = $dbh->selectrow_arrayref("SELECT name, amount, at, n FROM t WHERE id = ?", undef, 2);
expect($row->[0], "name'2\"", "name");
expect($row->[1], "2.125", "decimal");
expect($row->[2], "2024-01-02 10:20:30", "datetime");
expect($row->[3], 2, "int");
$row = $dbh->selectrow_arrayref("SELECT n FROM t WHERE id = ?", undef, 1);
expect($row->[0], undef, "NULL");

# CLIENT_FOUND_ROWS (DBD::MariaDB's default): matched rows, changed or not.
expect($dbh->do("UPDATE t SET name = name WHERE id <= 3"), 3, "found rows");
expect($dbh->do("UPDATE t SET n = 7 WHERE id = 99"), "0E0", "no rows");

# Transactions.
$dbh->begin_work;
$dbh->do("INSERT INTO t (id, name) VALUES (10, 'rolled back')");
$dbh->rollback;
expect(scalar $dbh->selectrow_array("SELECT COUNT(*) FROM t WHERE id = 10"), 0, "rollback");
$dbh->begin_work;
$dbh->do("INSERT INTO t (id, name) VALUES (11, 'kept')");
$dbh->commit;
expect(scalar $dbh->selectrow_array("SELECT name FROM t WHERE id = 11"), "kept", "commit");

# Errors carry MySQL's numbers; the handle goes on.
eval { $ins->execute(1, "dup", 0, undef, undef); };
expect($dbh->err, 1062, "duplicate key");
eval { $dbh->do("SELEC 1"); };
expect($dbh->err, 1064, "syntax error");
eval { $dbh->selectrow_array("SELECT * FROM missing WHERE id = ?", undef, 1); };
expect($dbh->err, 1146, "unknown table");
expect(scalar $dbh->selectrow_array("SELECT SUM(amount) FROM t"), "15.625", "sum");

$dbh->disconnect;
print "ok\n";
