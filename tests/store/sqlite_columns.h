// The column names of a table of an SQLite file, in order: for the tests that check an on-disk
// format is kept.
#ifndef NEARDUP_TESTS_STORE_SQLITE_COLUMNS_H_
#define NEARDUP_TESTS_STORE_SQLITE_COLUMNS_H_

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

namespace neardup::testing {

inline std::vector<std::string> SqliteColumns(const std::string& path, const std::string& table) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, ("PRAGMA table_info(" + table + ")").c_str(), -1, &st, nullptr);
  std::vector<std::string> names;
  while (sqlite3_step(st) == SQLITE_ROW) {
    names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 1)));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return names;
}

}  // namespace neardup::testing

#endif  // NEARDUP_TESTS_STORE_SQLITE_COLUMNS_H_
