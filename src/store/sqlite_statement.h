// Small helpers over SQLite's C API for the stores: a prepared statement that finalizes itself, and
// typed reads of result columns that say whether the stored value is what was asked for. Private
// to the library.
#ifndef NEARDUP_SRC_STORE_SQLITE_STATEMENT_H_
#define NEARDUP_SRC_STORE_SQLITE_STATEMENT_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>

namespace neardup::store {

// True for the result codes of a damaged or foreign file (SQLITE_CORRUPT, SQLITE_NOTADB), also as
// extended codes.
inline bool IsCorruptionCode(int rc) {
  rc &= 0xff;
  return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

// A prepared statement, finalized on scope exit; it must not outlive its connection. Keeps the
// preparation's error message: later calls on the connection overwrite sqlite3_errmsg (it says
// "not an error" after a success).
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &st_, nullptr);
    if (rc_ != SQLITE_OK) error_ = sqlite3_errmsg(db);
  }
  ~Stmt() { sqlite3_finalize(st_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  sqlite3_stmt* get() const { return st_; }
  bool ok() const { return st_ != nullptr; }
  int rc() const { return rc_; }
  const std::string& error() const { return error_; }
  // The statement reset and unbound, for another use.
  sqlite3_stmt* Fresh() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
    return st_;
  }

 private:
  sqlite3_stmt* st_ = nullptr;
  int rc_ = SQLITE_OK;
  std::string error_;
};

// The column as text; "" for NULL.
inline std::string ColumnText(sqlite3_stmt* st, int col) {
  const unsigned char* p = sqlite3_column_text(st, col);
  return p ? std::string(reinterpret_cast<const char*>(p), size_t(sqlite3_column_bytes(st, col)))
           : "";
}

// The bytes of a BLOB or TEXT column; false for NULL or a number.
inline bool ColumnBytes(sqlite3_stmt* st, int col, std::string* out) {
  const int type = sqlite3_column_type(st, col);
  if (type != SQLITE_BLOB && type != SQLITE_TEXT) return false;
  const void* p = sqlite3_column_blob(st, col);
  out->assign(static_cast<const char*>(p), p ? size_t(sqlite3_column_bytes(st, col)) : 0);
  return true;
}

// An INTEGER column in [lo, hi]; false otherwise (NULL, text, real, out of range).
inline bool ColumnInteger(sqlite3_stmt* st, int col, int64_t lo, int64_t hi, int64_t* out) {
  if (sqlite3_column_type(st, col) != SQLITE_INTEGER) return false;
  *out = sqlite3_column_int64(st, col);
  return *out >= lo && *out <= hi;
}

}  // namespace neardup::store

#endif  // NEARDUP_SRC_STORE_SQLITE_STATEMENT_H_
