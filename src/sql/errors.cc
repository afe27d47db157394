#include "sql/errors.h"

#include <fmt/format.h>

namespace strata::sql {
namespace {

Status Invalid(uint16_t code, std::string_view state, std::string message) {
  return Status::InvalidArgument(std::move(message)).WithMysql(code, state);
}

bool IsTemporalKind(std::string_view kind) { return kind == "datetime" || kind == "date" || kind == "time"; }

}  // namespace

Status ErrSyntax(std::string_view what, std::string_view near, size_t line) {
  return Invalid(1064, "42000", fmt::format("{} near '{}' at line {}", what, near, line));
}
Status ErrStarNotAllowed() { return Invalid(1064, "42000", "'*' is not allowed here"); }
Status ErrNotSupportedYet(std::string_view feature) {
  return Status::NotSupported(fmt::format("This version of StrataDB doesn't yet support '{}'", feature))
      .WithMysql(1235, "42000");
}
Status ErrStatementNotSupportedYet() {
  return Status::NotSupported("This version of StrataDB doesn't yet support this statement").WithMysql(1235, "42000");
}

Status ErrNoDatabaseSelected() { return Invalid(1046, "3D000", "No database selected"); }
Status ErrUnknownDatabase(std::string_view db) { return Invalid(1049, "42000", fmt::format("Unknown database '{}'", db)); }
Status ErrNoSuchTable(std::string_view db, std::string_view table) {
  return Status::NotFound(fmt::format("Table '{}.{}' doesn't exist", db, table)).WithMysql(1146, "42S02");
}
Status ErrUnknownTable(std::string_view names) { return Invalid(1051, "42S02", fmt::format("Unknown table '{}'", names)); }
Status ErrNoTablesUsed() { return Invalid(1096, "HY000", "No tables used"); }
Status ErrUnknownColumn(std::string_view column, std::string_view clause) {
  return Invalid(1054, "42S22", fmt::format("Unknown column '{}' in '{}'", column, clause));
}
Status ErrUnionOrderBy() { return Invalid(1221, "HY000", "Incorrect usage of UNION and ORDER BY"); }
Status ErrUnionInto() { return Invalid(1221, "HY000", "Incorrect usage of UNION and INTO"); }
Status ErrSetOperandColumns() {
  return Invalid(1222, "21000", "The used SELECT statements have a different number of columns");
}
Status ErrViewColumnCount() {
  return Invalid(1353, "HY000", "In definition of view, derived table or common table expression, SELECT list and "
                                "column names list have different column counts");
}
Status ErrNotView(std::string_view db, std::string_view name) {
  return Invalid(1347, "HY000", fmt::format("'{}.{}' is not VIEW", db, name));
}
Status ErrNotBaseTable(std::string_view db, std::string_view name) {
  return Invalid(1347, "HY000", fmt::format("'{}.{}' is not BASE TABLE", db, name));
}
Status ErrViewRecursion(std::string_view db, std::string_view name) {
  return Invalid(1462, "HY000", fmt::format("`{}`.`{}` contains view recursion", db, name));
}
Status ErrViewNotUpdatable(std::string_view name, std::string_view statement) {
  return Invalid(1288, "HY000", fmt::format("The target table {} of the {} is not updatable", name, statement));
}
Status ErrSubqueryRows() { return Invalid(1242, "21000", "Subquery returns more than 1 row"); }
Status ErrOperandColumns(size_t columns) {
  return Invalid(1241, "21000", fmt::format("Operand should contain {} column(s)", columns));
}
Status ErrAmbiguousColumn(std::string_view column, std::string_view clause) {
  return Invalid(1052, "23000", fmt::format("Column '{}' in {} is ambiguous", column, clause));
}
Status ErrNonUniqueTable(std::string_view alias) {
  return Invalid(1066, "42000", fmt::format("Not unique table/alias: '{}'", alias));
}
Status ErrUnknownSystemVariable(std::string_view name) {
  return Invalid(1193, "HY000", fmt::format("Unknown system variable '{}'", name));
}
Status ErrUnknownFunction(std::string_view db, std::string_view name) {
  return Invalid(1305, "42000", fmt::format("FUNCTION {}.{} does not exist", db, name));
}
Status ErrUnknownCollation(std::string_view name) {
  return Invalid(1273, "HY000", fmt::format("Unknown collation: '{}'", name));
}
Status ErrUnknownCharacterSet(std::string_view name) {
  return Invalid(1115, "42000", fmt::format("Unknown character set: '{}'", name));
}
Status ErrCollationCharsetMismatch(std::string_view collation, std::string_view charset) {
  return Invalid(1253, "42000", fmt::format("COLLATION '{}' is not valid for CHARACTER SET '{}'", collation, charset));
}
Status ErrWrongParameterCount(std::string_view function) {
  return Invalid(1582, "42000", fmt::format("Incorrect parameter count in the call to native function '{}'", function));
}
Status ErrInvalidGroupFunction() { return Invalid(1111, "HY000", "Invalid use of group function"); }
Status ErrWrongLimitArguments() { return Invalid(1210, "HY000", "Incorrect arguments to LIMIT"); }
Status ErrWrongValue(std::string_view kind, std::string_view value) {
  return Invalid(1525, "HY000", fmt::format("Incorrect {} value: '{}'", kind, value));
}
Status ErrWrongArguments(std::string_view function) {
  return Invalid(1210, "HY000", fmt::format("Incorrect arguments to {}", function));
}
Status ErrInvalidJsonText(size_t arg, std::string_view function, std::string_view problem, size_t position) {
  return Invalid(3141, "22032", fmt::format("Invalid JSON text in argument {} to function {}: \"{}\" at position {}.",
                                            arg, function, problem, position));
}
Status ErrInvalidJsonPath(size_t arg, std::string_view function) {
  return Invalid(3143, "42000", fmt::format("Invalid JSON path expression. The error is around character position 0 "
                                            "in argument {} to function {}.", arg, function));
}
Status ErrJsonTooDeep() { return Invalid(3157, "22032", "The JSON document exceeds the maximum depth of 100."); }
Status ErrJsonRemoveRoot() { return Invalid(3153, "42000", "The path expression '$' is not allowed in this context."); }
Status ErrInvalidJsonPathWildcard(size_t arg, std::string_view function) {
  return Invalid(3149, "42000", fmt::format("In this situation, path expressions may not contain the * and ** tokens "
                                            "(argument {} to function {}).", arg, function));
}

Status ErrBigintOutOfRange() { return Invalid(1690, "22003", "BIGINT value is out of range"); }
Status ErrBigintOutOfRange(std::string_view expression) {
  return Invalid(1690, "22003", fmt::format("BIGINT value is out of range in '{}'", expression));
}
Status ErrDecimalOutOfRange(std::string_view expression) {
  return Invalid(1690, "22003", fmt::format("DECIMAL value is out of range in '{}'", expression));
}
Status ErrDoubleOutOfRange(std::string_view expression) {
  return Invalid(1690, "22003", fmt::format("DOUBLE value is out of range in '{}'", expression));
}
Status ErrIncorrectDecimalValue(std::string_view text) {
  return Invalid(1366, "HY000", fmt::format("Incorrect DECIMAL value: '{}'", text));
}
Status ErrOutOfRangeForColumn(std::string_view column, uint64_t row) {
  return Invalid(1264, "22003", fmt::format("Out of range value for column '{}' at row {}", column, row));
}
Status ErrIncorrectValueForColumn(std::string_view kind, std::string_view value, std::string_view column,
                                  uint64_t row) {
  bool temporal = IsTemporalKind(kind);
  return Invalid(temporal ? 1292 : 1366, temporal ? "22007" : "HY000",
                 fmt::format("Incorrect {} value: '{}' for column '{}' at row {}", kind, value, column, row));
}
Status ErrDataTooLong(std::string_view column, uint64_t row) {
  return Invalid(1406, "22001", fmt::format("Data too long for column '{}' at row {}", column, row));
}
Status ErrDataTruncated(std::string_view column, uint64_t row) {
  return Invalid(1265, "01000", fmt::format("Data truncated for column '{}' at row {}", column, row));
}

Status ErrDuplicateEntry(std::string_view key, std::string_view table, std::string_view index) {
  return Status::AlreadyExists(fmt::format("Duplicate entry '{}' for key '{}.{}'", key, table, index))
      .WithMysql(1062, "23000");
}
Status ErrColumnCannotBeNull(std::string_view column) {
  return Invalid(1048, "23000", fmt::format("Column '{}' cannot be null", column));
}
Status ErrNoDefaultForField(std::string_view column) {
  return Invalid(1364, "HY000", fmt::format("Field '{}' doesn't have a default value", column));
}
Status ErrColumnCountMismatch(uint64_t row) {
  return Invalid(1136, "21S01", fmt::format("Column count doesn't match value count at row {}", row));
}
Status ErrWindowContext(std::string_view function) {
  return Invalid(3593, "HY000", fmt::format("You cannot use the window function '{}' in this context.'", function));
}
Status ErrNoSuchWindow(std::string_view name) {
  return Invalid(3579, "HY000", fmt::format("Window name '{}' is not defined.", name));
}
Status ErrCteRecursionDepth(uint64_t rounds) {
  return Invalid(3636, "HY000", fmt::format("Recursive query aborted after {} iterations. Try increasing "
                                            "@@cte_max_recursion_depth to a larger value.", rounds));
}
Status ErrCteRecursiveForm(std::string_view name) {
  return Invalid(3574, "HY000", fmt::format("Recursive Common Table Expression '{}' should have one or more "
                                            "non-recursive query blocks followed by one or more recursive ones", name));
}
Status ErrStatementMemory(size_t limit_bytes) {
  return Status::ResourceExhausted(fmt::format("Out of memory: the statement's intermediate rows exceed the {} MiB "
                                               "one statement may hold; add conditions or an index",
                                               limit_bytes >> 20))
      .WithMysql(1041, "HY000");
}
Status ErrServerShutdown() { return Invalid(1053, "08S01", "Server shutdown in progress"); }
Status ErrQueryInterrupted() { return Invalid(1317, "70100", "Query execution was interrupted"); }
Status ErrUnknownThread(uint64_t id) { return Invalid(1094, "HY000", fmt::format("Unknown thread id: {}", id)); }
Status ErrExecutionTimeExceeded() {
  return Invalid(3024, "HY000", "Query execution was interrupted, maximum statement execution time exceeded");
}
Status ErrTooManyRows(std::string_view what, size_t limit) {
  return Status::ResourceExhausted(fmt::format("{} exceeds the limit of {} rows per statement", what, limit))
      .WithMysql(1104, "42000");
}

Status ErrTooBigPrecision(uint32_t precision, std::string_view column, uint32_t max) {
  return Invalid(1426, "42000", fmt::format("Too-big precision {} specified for '{}'. Maximum is {}.", precision, column, max));
}
Status ErrTooBigScale(uint32_t scale, std::string_view column) {
  return Invalid(1425, "42000", fmt::format("Too big scale {} specified for column '{}'. Maximum is 30.", scale, column));
}
Status ErrMBiggerThanD(std::string_view column) {
  return Invalid(1427, "42000",
                 fmt::format("For float(M,D), double(M,D) or decimal(M,D), M must be >= D (column '{}').", column));
}
Status ErrColumnLengthTooBig(std::string_view column) {
  return Invalid(1074, "42000",
                 fmt::format("Column length too big for column '{}' (max = 16383); use BLOB or TEXT instead", column));
}
Status ErrWrongColumnSpecifier(std::string_view column) {
  return Invalid(1063, "42000", fmt::format("Incorrect column specifier for column '{}'", column));
}
Status ErrInvalidDefault(std::string_view column) {
  return Invalid(1067, "42000", fmt::format("Invalid default value for '{}'", column));
}
Status ErrKeyColumnDoesNotExist(std::string_view column) {
  return Invalid(1072, "42000", fmt::format("Key column '{}' doesn't exist in table", column));
}
Status ErrDuplicateColumn(std::string_view column) {
  return Invalid(1060, "42S21", fmt::format("Duplicate column name '{}'", column));
}
Status ErrTableMustHaveColumns() { return Invalid(1113, "42000", "A table must have at least 1 column"); }
Status ErrMultiplePrimaryKey() { return Invalid(1068, "42000", "Multiple primary key defined"); }
Status ErrDuplicateKeyName(std::string_view index) {
  return Invalid(1061, "42000", fmt::format("Duplicate key name '{}'", index));
}
Status ErrWrongAutoKey() {
  return Invalid(1075, "42000",
                 "Incorrect table definition; there can be only one auto column and it must be defined as a key");
}
Status ErrTableExists(std::string_view table) {
  return Invalid(1050, "42S01", fmt::format("Table '{}' already exists", table));
}
Status ErrCantDropKey(std::string_view index) {
  return Invalid(1091, "42000", fmt::format("Can't DROP '{}'; check that column/key exists", index));
}
Status ErrDatabaseExists(std::string_view db) {
  return Invalid(1007, "HY000", fmt::format("Can't create database '{}'; database exists", db));
}
Status ErrDatabaseDoesNotExist(std::string_view db) {
  return Invalid(1008, "HY000", fmt::format("Can't drop database '{}'; database doesn't exist", db));
}

Status ErrGlobalVariable(std::string_view name) {
  return Invalid(1229, "HY000", fmt::format("Variable '{}' is a GLOBAL variable and should be set with SET GLOBAL", name));
}
Status ErrWrongTypeForVariable(std::string_view name) {
  return Invalid(1232, "42000", fmt::format("Incorrect argument type to variable '{}'", name));
}
Status ErrWrongValueForVariable(std::string_view name, std::string_view value) {
  return Invalid(1231, "42000", fmt::format("Variable '{}' can't be set to the value of '{}'", name, value));
}

Status ErrUnknownStmtHandler(std::string_view name, std::string_view where) {
  return Invalid(1243, "HY000", fmt::format("Unknown prepared statement handler ({}) given to {}", name, where));
}
Status ErrMaxPreparedStmtCount(uint64_t limit) {
  return Invalid(1461, "42000",
                 fmt::format("Can't create more than max_prepared_stmt_count statements (current value: {})", limit));
}
Status ErrTooManyPlaceholders() {
  return Invalid(1390, "HY000", "Prepared statement contains too many placeholders");
}
Status ErrUnsupportedPs() {
  return Invalid(1295, "HY000", "This command is not supported in the prepared statement protocol yet");
}

Status ErrTableAccessDenied(std::string_view command, std::string_view user, std::string_view host,
                            std::string_view table) {
  return Invalid(1142, "42000", fmt::format("{} command denied to user '{}'@'{}' for table '{}'", command, user, host, table));
}

Status ErrDbAccessDenied(std::string_view user, std::string_view host, std::string_view db) {
  return Invalid(1044, "42000", fmt::format("Access denied for user '{}'@'{}' to database '{}'", user, host, db));
}

Status ErrSpecificAccessDenied(std::string_view privilege) {
  return Invalid(1227, "42000",
                 fmt::format("Access denied; you need (at least one of) the {} privilege(s) for this operation", privilege));
}

Status ErrCannotUser(std::string_view operation, std::string_view accounts) {
  return Invalid(1396, "HY000", fmt::format("Operation {} failed for {}", operation, accounts));
}

Status ErrUnknownAuthId(std::string_view user, std::string_view host) {
  return Invalid(3523, "HY000", fmt::format("Unknown authorization ID `{}`@`{}`", user, host));
}

Status ErrRoleNotGranted(std::string_view role_user, std::string_view role_host, std::string_view user,
                         std::string_view host) {
  return Invalid(3530, "HY000",
                 fmt::format("`{}`@`{}` is not granted to `{}`@`{}`", role_user, role_host, user, host));
}

Status ErrRoleGrantedToItself(std::string_view user, std::string_view host, std::string_view role_user,
                              std::string_view role_host) {
  return Invalid(3573, "HY000",
                 fmt::format("User account `{}`@`{}` is directly or indirectly granted to the role `{}`@`{}`. "
                             "The GRANT would create a loop",
                             user, host, role_user, role_host));
}

Status ErrNonexistingGrant(std::string_view user, std::string_view host) {
  return Invalid(1141, "42000", fmt::format("There is no such grant defined for user '{}' on host '{}'", user, host));
}

Status ErrNonexistingTableGrant(std::string_view user, std::string_view host, std::string_view table) {
  return Invalid(1147, "42000",
                 fmt::format("There is no such grant defined for user '{}' on host '{}' on table '{}'", user, host, table));
}

Status ErrCantCreateUserWithGrant() {
  return Invalid(1410, "42000", "You are not allowed to create a user with GRANT");
}

Status ErrIllegalGrantForTable() {
  return Invalid(1144, "42000", "Illegal GRANT/REVOKE command; please consult the manual to see which privileges can be used");
}

Status ErrPluginNotLoaded(std::string_view plugin) {
  return Invalid(1524, "HY000", fmt::format("Plugin '{}' is not loaded", plugin));
}

Status ErrKillDenied(uint64_t id) { return Invalid(1095, "HY000", fmt::format("You are not owner of thread {}", id)); }

}  // namespace strata::sql
