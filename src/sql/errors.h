// The SQL layer's error catalogue: every error a MySQL client can get from the SQL layer is
// built here, by name, with the error number, SQLSTATE and message text MySQL 8 sends for it
// (the MySQL symbol is beside each one). Callers write `return ErrUnknownColumn(name,
// "where clause");`, never a number and a state by hand, so that one error always reads the
// same wherever it is raised. Messages are part of the protocol: clients and tests match them.
//
// The lowest library of src/sql (strata_sql_errors): every other folder may include it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace strata::sql {

// Error numbers that code compares against (Status::mysql_errno), not only raises.
inline constexpr uint16_t kErNoSuchTable = 1146;     // ER_NO_SUCH_TABLE
inline constexpr uint16_t kErLockDeadlock = 1213;    // ER_LOCK_DEADLOCK: write-write conflict, retry
inline constexpr uint16_t kErTransCacheFull = 1197;  // ER_TRANS_CACHE_FULL: max_txn_bytes passed

// ---- Syntax and features (SQLSTATE 42000) ----------------------------------------------

// ER_PARSE_ERROR 1064: "<what> near '<near>' at line <line>".
Status ErrSyntax(std::string_view what, std::string_view near, size_t line);
// ER_PARSE_ERROR 1064: a `*` where an expression is expected.
Status ErrStarNotAllowed();
// ER_NOT_SUPPORTED_YET 1235: "This version of StrataDB doesn't yet support '<feature>'".
Status ErrNotSupportedYet(std::string_view feature);
// ER_NOT_SUPPORTED_YET 1235 for a statement kind the executor has no case for.
Status ErrStatementNotSupportedYet();

// ---- Names ------------------------------------------------------------------------------

Status ErrNoDatabaseSelected();                                         // ER_NO_DB_ERROR 1046
Status ErrUnknownDatabase(std::string_view db);                         // ER_BAD_DB_ERROR 1049
Status ErrNoSuchTable(std::string_view db, std::string_view table);     // ER_NO_SUCH_TABLE 1146
Status ErrUnknownTable(std::string_view names);                         // ER_BAD_TABLE_ERROR 1051
Status ErrNoTablesUsed();                                               // ER_NO_TABLES_USED 1096
// ER_BAD_FIELD_ERROR 1054: "Unknown column '<column>' in '<clause>'" (clause: "field list",
// "where clause", "order clause", "group statement", "having clause").
Status ErrUnknownColumn(std::string_view column, std::string_view clause);
Status ErrUnionOrderBy();                        // ER_WRONG_USAGE 1221
Status ErrUnionInto();                           // ER_WRONG_USAGE 1221
Status ErrSetOperandColumns();                   // ER_WRONG_NUMBER_OF_COLUMNS_IN_SELECT 1222
Status ErrSubqueryRows();                        // ER_SUBQUERY_NO_1_ROW 1242
Status ErrOperandColumns(size_t columns);         // ER_OPERAND_COLUMNS 1241
Status ErrAmbiguousColumn(std::string_view column, std::string_view clause);  // ER_NON_UNIQ_ERROR 1052
Status ErrNonUniqueTable(std::string_view alias);                           // ER_NONUNIQ_TABLE 1066
Status ErrUnknownSystemVariable(std::string_view name);                 // ER_UNKNOWN_SYSTEM_VARIABLE 1193
Status ErrUnknownFunction(std::string_view db, std::string_view name);  // ER_SP_DOES_NOT_EXIST 1305
Status ErrUnknownCollation(std::string_view name);                    // ER_UNKNOWN_COLLATION 1273
Status ErrUnknownCharacterSet(std::string_view name);                 // ER_UNKNOWN_CHARACTER_SET 1115
Status ErrCollationCharsetMismatch(std::string_view collation, std::string_view charset);  // 1253
Status ErrWrongParameterCount(std::string_view function);              // ER_WRONG_PARAMCOUNT_TO_NATIVE_FCT 1582
Status ErrInvalidGroupFunction();                                       // ER_INVALID_GROUP_FUNC_USE 1111
Status ErrWrongLimitArguments();                                        // ER_WRONG_ARGUMENTS 1210 (LIMIT)
Status ErrWrongArguments(std::string_view function);                    // ER_WRONG_ARGUMENTS 1210
Status ErrWrongValue(std::string_view kind, std::string_view value);     // ER_WRONG_VALUE 1525
// ER_INVALID_JSON_TEXT_IN_PARAM 3141: argument `arg` (1-based) of `function` is not JSON.
Status ErrInvalidJsonText(size_t arg, std::string_view function, std::string_view problem, size_t position);
Status ErrInvalidJsonPath(size_t arg, std::string_view function);          // ER_INVALID_JSON_PATH 3143
Status ErrInvalidJsonPathWildcard(size_t arg, std::string_view function);  // ER_INVALID_JSON_PATH_WILDCARD 3149
Status ErrJsonTooDeep();                                                   // ER_JSON_DOCUMENT_TOO_DEEP 3157
Status ErrJsonRemoveRoot();                                                // ER_JSON_VACUOUS_PATH 3153

// ---- Values -------------------------------------------------------------------------------

// ER_DATA_OUT_OF_RANGE 1690 (22003).
Status ErrBigintOutOfRange();
Status ErrBigintOutOfRange(std::string_view expression);
Status ErrDecimalOutOfRange(std::string_view expression);
Status ErrDoubleOutOfRange(std::string_view expression);  // MySQL names DOUBLE for a FLOAT too
// ER_TRUNCATED_WRONG_VALUE_FOR_FIELD 1366: a string that is not a decimal.
Status ErrIncorrectDecimalValue(std::string_view text);
// Writing a value into a column (row numbers count from 1 within the statement).
Status ErrOutOfRangeForColumn(std::string_view column, uint64_t row);  // ER_WARN_DATA_OUT_OF_RANGE 1264
// "Incorrect <kind> value: '<value>' for column ..." — ER_TRUNCATED_WRONG_VALUE 1292 (22007)
// for the temporal kinds "date", "datetime", "time"; 1366 (HY000) for the others.
Status ErrIncorrectValueForColumn(std::string_view kind, std::string_view value, std::string_view column,
                                  uint64_t row);
Status ErrDataTooLong(std::string_view column, uint64_t row);    // ER_DATA_TOO_LONG 1406
Status ErrDataTruncated(std::string_view column, uint64_t row);  // WARN_DATA_TRUNCATED 1265

// ---- Rows ---------------------------------------------------------------------------------

// ER_DUP_ENTRY 1062: "Duplicate entry '<key>' for key '<table>.<index>'".
Status ErrDuplicateEntry(std::string_view key, std::string_view table, std::string_view index);
Status ErrColumnCannotBeNull(std::string_view column);    // ER_BAD_NULL_ERROR 1048
Status ErrNoDefaultForField(std::string_view column);     // ER_NO_DEFAULT_FOR_FIELD 1364
Status ErrColumnCountMismatch(uint64_t row);              // ER_WRONG_VALUE_COUNT_ON_ROW 1136
// ER_TOO_BIG_SELECT 1104: a per-statement limit on rows held in memory (what: "GROUP BY",
// "DISTINCT", "result").
Status ErrTooManyRows(std::string_view what, size_t limit);
Status ErrWindowContext(std::string_view function);  // ER_WINDOW_INVALID_WINDOW_FUNC_USE 3593
Status ErrNoSuchWindow(std::string_view name);        // ER_WINDOW_NO_SUCH_WINDOW 3579
Status ErrCteRecursionDepth(uint64_t rounds);  // ER_CTE_MAX_RECURSION_DEPTH 3636
Status ErrCteRecursiveForm(std::string_view name);  // ER_CTE_RECURSIVE_REQUIRES_NONRECURSIVE_FIRST 3574
Status ErrServerShutdown();           // ER_SERVER_SHUTDOWN 1053
Status ErrQueryInterrupted();         // ER_QUERY_INTERRUPTED 1317 (KILL QUERY)
Status ErrUnknownThread(uint64_t id); // ER_NO_SUCH_THREAD 1094
Status ErrExecutionTimeExceeded();    // ER_QUERY_TIMEOUT 3024
Status ErrStatementMemory(size_t limit_bytes);  // ER_OUT_OF_RESOURCES 1041

// ---- Schema changes -------------------------------------------------------------------------

Status ErrTooBigPrecision(uint32_t precision, std::string_view column, uint32_t max = 65);  // ER_TOO_BIG_PRECISION 1426
Status ErrTooBigScale(uint32_t scale, std::string_view column);          // ER_TOO_BIG_SCALE 1425
Status ErrMBiggerThanD(std::string_view column);                          // ER_M_BIGGER_THAN_D 1427
Status ErrColumnLengthTooBig(std::string_view column);                   // ER_TOO_BIG_FIELDLENGTH 1074
Status ErrWrongColumnSpecifier(std::string_view column);                 // ER_WRONG_FIELD_SPEC 1063
Status ErrInvalidDefault(std::string_view column);                       // ER_INVALID_DEFAULT 1067
Status ErrKeyColumnDoesNotExist(std::string_view column);                // ER_KEY_COLUMN_DOES_NOT_EXIST 1072
Status ErrDuplicateColumn(std::string_view column);                      // ER_DUP_FIELDNAME 1060
Status ErrTableMustHaveColumns();                                        // ER_TABLE_MUST_HAVE_COLUMNS 1113
Status ErrMultiplePrimaryKey();                                          // ER_MULTIPLE_PRI_KEY 1068
Status ErrDuplicateKeyName(std::string_view index);                      // ER_DUP_KEYNAME 1061
Status ErrWrongAutoKey();                                                // ER_WRONG_AUTO_KEY 1075
Status ErrTableExists(std::string_view table);
Status ErrViewColumnCount();                                       // ER_VIEW_WRONG_LIST 1353
Status ErrNotView(std::string_view db, std::string_view name);     // ER_WRONG_OBJECT 1347
Status ErrNotBaseTable(std::string_view db, std::string_view name);  // ER_WRONG_OBJECT 1347
Status ErrViewRecursion(std::string_view db, std::string_view name);  // ER_VIEW_RECURSIVE 1462
Status ErrViewNotUpdatable(std::string_view name, std::string_view statement);  // ER_NON_UPDATABLE_TABLE 1288                           // ER_TABLE_EXISTS_ERROR 1050
Status ErrCantDropKey(std::string_view index);                           // ER_CANT_DROP_FIELD_OR_KEY 1091
Status ErrDatabaseExists(std::string_view db);                           // ER_DB_CREATE_EXISTS 1007
Status ErrDatabaseDoesNotExist(std::string_view db);                     // ER_DB_DROP_EXISTS 1008

// ---- System variables ---------------------------------------------------------------------

Status ErrGlobalVariable(std::string_view name);                           // ER_GLOBAL_VARIABLE 1229
Status ErrWrongTypeForVariable(std::string_view name);                     // ER_WRONG_TYPE_FOR_VAR 1232
Status ErrWrongValueForVariable(std::string_view name, std::string_view value);  // ER_WRONG_VALUE_FOR_VAR 1231

// ---- Prepared statements ------------------------------------------------------------------

// ER_UNKNOWN_STMT_HANDLER 1243: "Unknown prepared statement handler (<name>) given to <where>".
Status ErrUnknownStmtHandler(std::string_view name, std::string_view where);
// ER_MAX_PREPARED_STMT_COUNT_REACHED 1461 (42000).
Status ErrMaxPreparedStmtCount(uint64_t limit);
// ER_PS_MANY_PARAM 1390: "Prepared statement contains too many placeholders".
Status ErrTooManyPlaceholders();
// ER_UNSUPPORTED_PS 1295: a statement kind PREPARE does not take.
Status ErrUnsupportedPs();

// ---- Accounts and privileges (session/accounts.cc) ---------------------------------------

// ER_TABLEACCESS_DENIED_ERROR 1142: "SELECT command denied to user 'u'@'h' for table 't'".
Status ErrTableAccessDenied(std::string_view command, std::string_view user, std::string_view host,
                            std::string_view table);
// ER_DBACCESS_DENIED_ERROR 1044: "Access denied for user 'u'@'h' to database 'db'".
Status ErrDbAccessDenied(std::string_view user, std::string_view host, std::string_view db);
// ER_SPECIFIC_ACCESS_DENIED_ERROR 1227: "… you need (at least one of) the X privilege(s) …".
Status ErrSpecificAccessDenied(std::string_view privilege);
// ER_CANNOT_USER 1396: "Operation CREATE USER failed for 'u'@'h'".
Status ErrCannotUser(std::string_view operation, std::string_view accounts);
// ER_NONEXISTING_GRANT 1141: "There is no such grant defined for user 'u' on host 'h'".
Status ErrNonexistingGrant(std::string_view user, std::string_view host);
// Roles: ER_UNKNOWN_AUTHID 3523, ER_ROLE_NOT_GRANTED 3530, ER_ROLE_GRANTED_TO_ITSELF 3573
// (each account as `user`@`host`).
Status ErrUnknownAuthId(std::string_view user, std::string_view host);
Status ErrRoleNotGranted(std::string_view role_user, std::string_view role_host, std::string_view user,
                         std::string_view host);
Status ErrRoleGrantedToItself(std::string_view user, std::string_view host, std::string_view role_user,
                              std::string_view role_host);
// ER_NONEXISTING_TABLE_GRANT 1147.
Status ErrNonexistingTableGrant(std::string_view user, std::string_view host, std::string_view table);
// ER_CANT_CREATE_USER_WITH_GRANT 1410: GRANT to an account that does not exist.
Status ErrCantCreateUserWithGrant();
// ER_ILLEGAL_GRANT_FOR_TABLE 1144: a global privilege granted on a database or table.
Status ErrIllegalGrantForTable();
// ER_PLUGIN_IS_NOT_LOADED 1524: an authentication plugin other than the two supported.
Status ErrPluginNotLoaded(std::string_view plugin);
// ER_KILL_DENIED_ERROR 1095: "You are not owner of thread N".
Status ErrKillDenied(uint64_t id);

}  // namespace strata::sql
