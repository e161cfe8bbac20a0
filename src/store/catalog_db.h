// The index catalog's SQLite connection (see catalog.h): the file's schema (tables, meta rows and
// their checks at open) and SQLite's results turned into Status messages that name the file.
// Private to src/store/; sqlite_catalog.cc builds the Catalog on it.
#ifndef NEARDUP_SRC_STORE_CATALOG_DB_H_
#define NEARDUP_SRC_STORE_CATALOG_DB_H_

#include <sqlite3.h>

#include <string>
#include <utility>

#include "neardup/status.h"
#include "store/catalog.h"
#include "store/sqlite_statement.h"

namespace neardup::store {

// The columns of `items` the catalog reads, in this order: the key and stamp, then the descriptor
// row (descriptor_row.h): "id,path,size,mtime_ns,width,...".
std::string ItemColumnList();
inline constexpr int kFirstDescriptorColumn = 4;  // of ItemColumnList

// Not thread-safe: the catalog's mutex guards every use.
class CatalogDb {
 public:
  // Takes ownership of the open connection `db` to the file `path`.
  CatalogDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~CatalogDb() { sqlite3_close(db_); }  // every statement is finalized before
  CatalogDb(const CatalogDb&) = delete;
  CatalogDb& operator=(const CatalogDb&) = delete;

  sqlite3* get() const { return db_; }
  const std::string& path() const { return path_; }

  // Writes the tables and meta rows of a new catalog (one transaction).
  Status Create(const CatalogMeta& meta);
  // The tables and columns the catalog uses exist, and the meta rows are a neardup index's of this
  // schema version: Corruption naming what is missing, e.g. "<path>: table items lacks column
  // vals: not a neardup index or damaged".
  StatusOr<CatalogMeta> Check();

  // "<path>: the index catalog is damaged (<detail>): restore it ..." for a damaged file, else
  // "<path>: cannot <what> the index catalog: <detail>" (IOError). `what`: "read", "write", "use".
  Status SqlError(int rc, const std::string& what, const std::string& detail) const;
  // SqlError of a failed sqlite3_step (or other call) with the connection's message.
  Status StepError(int rc, const std::string& what) const;
  // SqlError of a statement that could not be prepared.
  Status PrepareError(const Stmt& st, const std::string& what) const;
  // Runs `sql` (one or more statements without results).
  Status Exec(const char* sql, const std::string& what = "use");

 private:
  // SQLite's message, with the system's reason for an I/O failure ("disk I/O error" alone does
  // not say that the disk is full).
  std::string Reason(int rc, std::string message) const;
  Status SetMeta(const char* key, const std::string& value);
  Status CheckTables();

  sqlite3* db_;
  std::string path_;
};

}  // namespace neardup::store

#endif  // NEARDUP_SRC_STORE_CATALOG_DB_H_
