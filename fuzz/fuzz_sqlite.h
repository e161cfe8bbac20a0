// SQLite helpers of the row-reader targets: they damage the rows of a real cache or catalog the
// way a bad disk, another program or a hand edit would, then read them back through the library.
#ifndef NEARDUP_FUZZ_FUZZ_SQLITE_H_
#define NEARDUP_FUZZ_FUZZ_SQLITE_H_

#include <fuzzer/FuzzedDataProvider.h>
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace neardup::fuzz {

inline void ExecOrDie(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "fuzz setup: %s: %s\n", sql.c_str(), err ? err : sqlite3_errmsg(db));
    std::abort();
  }
}

inline sqlite3* OpenOrDie(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "fuzz setup: cannot open %s\n", path.c_str());
    std::abort();
  }
  sqlite3_busy_timeout(db, 1000);
  return db;
}

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "fuzz setup: cannot write %s\n", path.c_str());
    std::abort();
  }
}

// Recreates `table` with its own definition less every NOT NULL constraint (keys and UNIQUE stay),
// keeping its rows: the reader must not rely on constraints a damaged file no longer has.
inline void DropNotNull(sqlite3* db, const std::string& table) {
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE type='table' AND name=?1", -1, &st,
                     nullptr);
  sqlite3_bind_text(st, 1, table.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st) != SQLITE_ROW) {
    std::fprintf(stderr, "fuzz setup: no table %s\n", table.c_str());
    std::abort();
  }
  std::string sql = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  for (size_t at; (at = sql.find(" NOT NULL")) != std::string::npos;) sql.erase(at, 9);
  const std::string copy = table + "_relaxed";
  sql = "CREATE TABLE " + copy + sql.substr(sql.find('('));
  ExecOrDie(db, "BEGIN; " + sql + "; INSERT INTO " + copy + " SELECT * FROM " + table +
                    "; DROP TABLE " + table + "; ALTER TABLE " + copy + " RENAME TO " + table +
                    "; COMMIT;");
}

// The column names of `table`, in order, less those in `except`.
inline std::vector<std::string> Columns(sqlite3* db, const std::string& table,
                                        const std::vector<std::string>& except) {
  std::vector<std::string> out;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, ("PRAGMA table_info(" + table + ")").c_str(), -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string name = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
    bool skip = false;
    for (const std::string& e : except) skip = skip || e == name;
    if (!skip) out.push_back(name);
  }
  sqlite3_finalize(st);
  return out;
}

// "a=?1,b=?2,..." and "a,b,..." for `columns`.
inline std::string Assignments(const std::vector<std::string>& columns) {
  std::string out;
  for (size_t c = 0; c < columns.size(); ++c) {
    out += (c ? "," : "") + columns[c] + "=?" + std::to_string(c + 1);
  }
  return out;
}
inline std::string List(const std::vector<std::string>& columns) {
  std::string out;
  for (size_t c = 0; c < columns.size(); ++c) out += (c ? "," : "") + columns[c];
  return out;
}

// Binds parameter `i` of `st` to a value of a fuzzed storage class: the column's original value,
// NULL, an integer (often a small or extreme one), a real (NaN and infinities included), text or
// a blob (any bytes). Text and blobs are copied (SQLITE_TRANSIENT).
inline void BindFuzzed(sqlite3_stmt* st, int i, FuzzedDataProvider& fdp,
                       const sqlite3_value* original) {
  switch (fdp.ConsumeIntegralInRange<int>(0, 5)) {
    case 0:
      sqlite3_bind_value(st, i, original);
      break;
    case 1:
      sqlite3_bind_null(st, i);
      break;
    case 2:
      sqlite3_bind_int64(st, i, fdp.ConsumeIntegral<int64_t>());
      break;
    case 3:
      sqlite3_bind_double(st, i, fdp.ConsumeFloatingPoint<double>());
      break;
    case 4: {
      std::string s = fdp.ConsumeRandomLengthString(4096);
      sqlite3_bind_text(st, i, s.data(), int(s.size()), SQLITE_TRANSIENT);
      break;
    }
    default: {
      std::string s = fdp.ConsumeRandomLengthString(1 << 16);
      sqlite3_bind_blob(st, i, s.data(), int(s.size()), SQLITE_TRANSIENT);
      break;
    }
  }
}

// The values of one row (`sql` selects it), kept to be bound again as "unchanged".
class SavedRow {
 public:
  SavedRow(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
      std::fprintf(stderr, "fuzz setup: no row for %s\n", sql.c_str());
      std::abort();
    }
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      values_.push_back(sqlite3_value_dup(sqlite3_column_value(st, c)));
    }
    sqlite3_finalize(st);
  }
  ~SavedRow() {
    for (sqlite3_value* v : values_) sqlite3_value_free(v);
  }
  SavedRow(const SavedRow&) = delete;
  SavedRow& operator=(const SavedRow&) = delete;
  const sqlite3_value* operator[](size_t c) const { return values_[c]; }
  size_t size() const { return values_.size(); }

 private:
  std::vector<sqlite3_value*> values_;
};

}  // namespace neardup::fuzz

#endif  // NEARDUP_FUZZ_FUZZ_SQLITE_H_
