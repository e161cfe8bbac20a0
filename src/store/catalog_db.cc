#include "store/catalog_db.h"

#include <sys/statvfs.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <utility>
#include <vector>

#include "store/descriptor_row.h"

namespace neardup::store {
namespace {

constexpr int kSchemaVersion = 1;

// The catalog's tables. `items`: one row per image or imported hash, the descriptor row
// (descriptor_row.h) after its key and stamp; `removed`: ids the vector index still has to drop.
std::string Schema() {
  return "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
         "CREATE TABLE IF NOT EXISTS items(\n"
         "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
         "  path BLOB NOT NULL UNIQUE,\n"
         "  size INTEGER NOT NULL,\n"
         "  mtime_ns INTEGER NOT NULL,\n"
         "  " +
         DescriptorColumnDefinitions(kCatalogRow) +
         ");\n"
         "CREATE TABLE IF NOT EXISTS removed(id INTEGER PRIMARY KEY);\n";
}

}  // namespace

std::string ItemColumnList() {
  return "id,path,size,mtime_ns," + DescriptorColumnList(kCatalogRow);
}

Status CatalogDb::Create(const CatalogMeta& meta) {
  RETURN_IF_ERROR(Exec(Schema().c_str()));
  RETURN_IF_ERROR(Exec("BEGIN"));
  for (auto [k, v] :
       {std::pair<const char*, std::string>{"schema_version", std::to_string(kSchemaVersion)},
        {"method", meta.method},
        {"method_version", std::to_string(meta.method_version)},
        {"factory", meta.factory}}) {
    Status s = SetMeta(k, v);
    if (!s.ok()) {
      (void)Exec("ROLLBACK");
      return s;
    }
  }
  return Exec("COMMIT");
}

StatusOr<CatalogMeta> CatalogDb::Check() {
  RETURN_IF_ERROR(CheckTables());
  Stmt st(db_, "SELECT key,value FROM meta");
  if (!st.ok()) return PrepareError(st, "read");
  CatalogMeta meta;
  std::string schema;
  int rc;
  while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    std::string k = ColumnText(st.get(), 0), v = ColumnText(st.get(), 1);
    if (k == "schema_version") schema = v;
    if (k == "method") meta.method = v;
    if (k == "method_version") meta.method_version = std::atoi(v.c_str());
    if (k == "factory") meta.factory = v;
  }
  if (rc != SQLITE_DONE) return StepError(rc, "read");
  if (schema != std::to_string(kSchemaVersion) || meta.method.empty()) {
    return CorruptionError(path_ + ": not a neardup index catalog of schema version " +
                           std::to_string(kSchemaVersion) + " (table meta lacks its rows)");
  }
  return meta;
}

// A dropped table is named here, not discovered as a failed statement later.
Status CatalogDb::CheckTables() {
  std::vector<std::string> item_columns = {"id", "path", "size", "mtime_ns"};
  for (std::string& c : DescriptorColumnNames(kCatalogRow)) item_columns.push_back(std::move(c));
  const std::pair<const char*, std::vector<std::string>> kTables[] = {
      {"meta", {"key", "value"}}, {"items", item_columns}, {"removed", {"id"}}};
  for (const auto& [table, needed] : kTables) {
    const std::string sql = std::string("PRAGMA table_info(") + table + ")";
    Stmt st(db_, sql.c_str());
    if (!st.ok()) return PrepareError(st, "read");
    std::set<std::string> columns;
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) columns.insert(ColumnText(st.get(), 1));
    if (rc != SQLITE_DONE) {
      if ((rc & 0xff) == SQLITE_NOTADB) {
        return CorruptionError(path_ + ": not an SQLite file: not a neardup index or damaged");
      }
      return StepError(rc, "read");
    }
    if (columns.empty()) {
      return CorruptionError(path_ + ": table " + table +
                             " is missing: not a neardup index or damaged");
    }
    for (const std::string& c : needed) {
      if (!columns.count(c)) {
        return CorruptionError(path_ + ": table " + table + " lacks column " + c +
                               ": not a neardup index or damaged");
      }
    }
  }
  return Status::Ok();
}

Status CatalogDb::SqlError(int rc, const std::string& what, const std::string& detail) const {
  if (IsCorruptionCode(rc)) {
    return CorruptionError(path_ + ": the index catalog is damaged (" + detail +
                           "): restore it from a backup, or create a new index and add the "
                           "images again");
  }
  return IOError(path_ + ": cannot " + what + " the index catalog: " + detail);
}

Status CatalogDb::StepError(int rc, const std::string& what) const {
  return SqlError(rc, what, Reason(rc, sqlite3_errmsg(db_)));
}

Status CatalogDb::PrepareError(const Stmt& st, const std::string& what) const {
  return SqlError(st.rc(), what, Reason(st.rc(), st.error()));
}

Status CatalogDb::Exec(const char* sql, const std::string& what) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err ? err : sqlite3_errmsg(db_);
  sqlite3_free(err);
  return SqlError(rc, what, Reason(rc, msg));
}

std::string CatalogDb::Reason(int rc, std::string message) const {
  const int sys = sqlite3_system_errno(db_);
  const int primary = rc & 0xff;
  if (sys != 0 && (primary == SQLITE_IOERR || primary == SQLITE_FULL ||
                   primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY)) {
    message += std::string(" (") + std::strerror(sys) + ")";
  } else if (primary == SQLITE_IOERR || primary == SQLITE_FULL) {
    // SQLite's shared-memory file fails on a full disk without keeping errno.
    const std::string dir = std::filesystem::path(path_).parent_path().string();
    struct statvfs fs {};
    if (::statvfs(dir.empty() ? "." : dir.c_str(), &fs) == 0 &&
        uint64_t(fs.f_bavail) * fs.f_frsize < (uint64_t(1) << 20)) {
      message +=
          " (the device is full: " + std::to_string(uint64_t(fs.f_bavail) * fs.f_frsize / 1024) +
          " KB free)";
    }
  }
  return message;
}

Status CatalogDb::SetMeta(const char* key, const std::string& value) {
  Stmt st(db_, "INSERT OR REPLACE INTO meta(key,value) VALUES(?1,?2)");
  if (!st.ok()) return PrepareError(st, "write");
  sqlite3_bind_text(st.get(), 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(st.get(), 2, value.c_str(), -1, SQLITE_STATIC);
  const int rc = sqlite3_step(st.get());
  return rc == SQLITE_DONE ? Status::Ok() : StepError(rc, "write");
}

}  // namespace neardup::store
