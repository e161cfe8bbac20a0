// The catalog of an image index (SQLite): one row per indexed image or imported hash, with its
// descriptor; the source of truth from which the vector index (src/search/vector_index.h) can
// always be rebuilt. Private to the library.
//
// Ids are SQLite AUTOINCREMENT row ids: they only grow and are never reused, so "every row with an
// id above N" is exactly what was added after a vector index that holds rows up to N was saved.
// A removed row's id goes to the `removed` table until the vector index has dropped it too.
// Writes are buffered and committed in transactions of at most kCommitEvery rows or
// kCommitInterval of work (WAL journal):
// a process killed at any moment leaves every committed row and nothing of the others.
//
// Errors: every SQLite result is checked. A damaged file (SQLITE_CORRUPT, SQLITE_NOTADB) is
// Corruption, never "no row"; a refused read or write (disk full, read-only folder) is IOError;
// each message names the catalog file. A row whose columns are not what this code writes (NULL
// where a value is required, a blob of the wrong size, a width out of range, ...) is a bad row:
// it is handed to the BadRowFn given at Open (at most once per id and catalog object) and read
// as if it were absent, so an add of its file replaces it. A row's image facts and descriptor are
// stored and checked as the descriptor cache's are (descriptor_row.h): sides up to 2^31 - 1, a
// decoder's format name ("" with a 0x0 size for an imported hash), finite values.
#ifndef NEARDUP_SRC_STORE_CATALOG_H_
#define NEARDUP_SRC_STORE_CATALOG_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "neardup/descriptor.h"
#include "neardup/status.h"

namespace neardup::store {

struct CatalogMeta {
  std::string method;  // method string (MakeMethod)
  int method_version = 0;
  std::string factory;  // Faiss factory string of the vector index
};

struct CatalogRow {
  int64_t id = 0;     // set by the catalog
  std::string path;   // absolute path of a file, or the ID of an imported hash
  int64_t size = -1;  // bytes of the file; -1 for an imported hash (no file)
  int64_t mtime_ns = 0;
  int width = 0;
  int height = 0;
  std::string format;  // ImageInfo::format; "" for an imported hash (width = height = 0)
  Descriptor descriptor;
};

// A row that failed validation.
struct BadRow {
  int64_t id = 0;
  std::string path;    // its path or ID bytes when readable, else empty
  std::string reason;  // e.g. "bits blob of 2 bytes", "unknown format of 3 bytes"
};
// Called with the catalog's mutex held: it must not call back into the catalog.
using BadRowFn = std::function<void(const BadRow&)>;

inline constexpr size_t kCommitEvery = 16;  // a commit costs ~1 ms (WAL), a file ~10 ms
inline constexpr std::chrono::milliseconds kCommitInterval{250};

// Thread safety: every method may be called concurrently (one connection behind a mutex).
// A catalog owns its connection: it is neither copied nor assigned.
class Catalog {
 public:
  virtual ~Catalog() = default;
  Catalog() = default;
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // Creates the catalog file at `path`. AlreadyExists when a file is there.
  static StatusOr<std::unique_ptr<Catalog>> Create(const std::string& path, const CatalogMeta& meta,
                                                   BadRowFn on_bad_row = nullptr);
  // Opens an existing catalog. NotFound; Corruption when it is not an SQLite file, a table or
  // column is missing or the meta rows are not a neardup index's ("<path>: table items is
  // missing: not a neardup index or damaged").
  static StatusOr<std::unique_ptr<Catalog>> Open(const std::string& path,
                                                 BadRowFn on_bad_row = nullptr);

  virtual const CatalogMeta& meta() const = 0;

  // The committed row of `path`; nullopt when there is none or it is a bad row.
  virtual StatusOr<std::optional<CatalogRow>> Find(const std::string& path) = 0;
  // Fails with IOError when the catalog cannot be written (read-only file or folder), before any
  // work is done.
  virtual Status CheckWritable() = 0;
  // Buffers `row`; when committed it replaces the row of the same path (whose id goes to
  // `removed`) and gets a new id. Commits by itself every kCommitEvery rows or kCommitInterval.
  virtual Status Put(CatalogRow row) = 0;
  // Commits the buffered rows in one transaction.
  virtual Status Commit() = 0;
  // Deletes the row of each path (committed at once); returns the paths that had none.
  virtual StatusOr<std::vector<std::string>> Remove(const std::vector<std::string>& paths) = 0;

  // Rows in the catalog (bad rows included).
  virtual StatusOr<int64_t> Count() = 0;
  // Rows with id <= max_id, and ids in `removed` with id <= max_id.
  virtual StatusOr<int64_t> CountUpTo(int64_t max_id) = 0;
  virtual StatusOr<int64_t> CountRemovedUpTo(int64_t max_id) = 0;
  // The largest id ever given (0 when none), removed rows included.
  virtual StatusOr<int64_t> MaxId() = 0;
  // Calls fn for every committed row with id > after_id, in id order; bad rows are skipped.
  virtual Status ForEach(int64_t after_id, const std::function<void(CatalogRow&&)>& fn) = 0;
  // Ids removed since the vector index last confirmed their removal (ClearRemoved).
  virtual StatusOr<std::vector<int64_t>> RemovedIds() = 0;
  virtual Status ClearRemoved(const std::vector<int64_t>& ids) = 0;
  // The row of each id; an id with no row (removed) or a bad row gets nullopt.
  virtual StatusOr<std::vector<std::optional<CatalogRow>>> Rows(
      const std::vector<int64_t>& ids) = 0;
};

}  // namespace neardup::store

#endif  // NEARDUP_SRC_STORE_CATALOG_H_
