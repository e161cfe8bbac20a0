// Catalog on SQLite (see catalog.h). One connection guarded by one mutex.
#include <sqlite3.h>
#include <sys/statvfs.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "store/catalog.h"
#include "store/half.h"

namespace neardup::store {
namespace {

constexpr int kSchemaVersion = 1;

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  path BLOB NOT NULL UNIQUE,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  format TEXT NOT NULL,
  quality INTEGER NOT NULL,
  bits BLOB,
  vals BLOB);
CREATE TABLE IF NOT EXISTS removed(id INTEGER PRIMARY KEY);
)sql";

// The columns of `items` this code reads and writes, in kRowColumns order.
constexpr const char* kItemColumns[] = {"id",     "path",   "size",    "mtime_ns", "width",
                                        "height", "format", "quality", "bits",     "vals"};
constexpr const char* kRowColumns = "id,path,size,mtime_ns,width,height,format,quality,bits,vals";
constexpr int64_t kMaxPathBytes = 1 << 16;
constexpr size_t kMaxFormatBytes = 32;

bool IsCorruption(int rc) {
  rc &= 0xff;
  return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

// A prepared statement, finalized on scope exit. Keeps the preparation's error message: later
// calls on the connection overwrite sqlite3_errmsg (it says "not an error" after a success).
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

std::string Text(sqlite3_stmt* st, int col) {
  const unsigned char* p = sqlite3_column_text(st, col);
  return p ? std::string(reinterpret_cast<const char*>(p), size_t(sqlite3_column_bytes(st, col)))
           : "";
}

// The bytes of a BLOB or TEXT column; false for NULL or a number.
bool Bytes(sqlite3_stmt* st, int col, std::string* out) {
  const int type = sqlite3_column_type(st, col);
  if (type != SQLITE_BLOB && type != SQLITE_TEXT) return false;
  const void* p = sqlite3_column_blob(st, col);
  out->assign(static_cast<const char*>(p), p ? size_t(sqlite3_column_bytes(st, col)) : 0);
  return true;
}

// An INTEGER column in [lo, hi]; false otherwise (NULL, text, real, out of range).
bool Integer(sqlite3_stmt* st, int col, int64_t lo, int64_t hi, int64_t* out) {
  if (sqlite3_column_type(st, col) != SQLITE_INTEGER) return false;
  *out = sqlite3_column_int64(st, col);
  return *out >= lo && *out <= hi;
}

// The row of a "SELECT <kRowColumns>" statement, or why it is not one this code wrote: each
// column's type, range and blob size is checked before anything is copied.
std::optional<std::string> ReadRow(sqlite3_stmt* st, CatalogRow* r) {
  int64_t v = 0;
  if (!Integer(st, 0, 1, INT64_MAX, &v)) return "id is not a positive integer";
  r->id = v;
  if (!Bytes(st, 1, &r->path)) return "path is NULL or not text";
  if (r->path.empty() || int64_t(r->path.size()) > kMaxPathBytes) {
    return "path of " + std::to_string(r->path.size()) + " bytes";
  }
  if (!Integer(st, 2, -1, INT64_MAX, &r->size)) return "size is not an integer >= -1";
  if (!Integer(st, 3, INT64_MIN, INT64_MAX, &r->mtime_ns)) return "mtime_ns is not an integer";
  if (!Integer(st, 4, 0, kMaxImageSide, &v)) return "width is not an integer in [0, 2^20]";
  r->width = int(v);
  if (!Integer(st, 5, 0, kMaxImageSide, &v)) return "height is not an integer in [0, 2^20]";
  r->height = int(v);
  if (sqlite3_column_type(st, 6) != SQLITE_TEXT) return "format is NULL or not text";
  r->format = Text(st, 6);
  if (r->format.size() > kMaxFormatBytes) return "format longer than 32 bytes";
  for (char c : r->format) {  // a decoder's name: letters, digits, '-', '_', '.'
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return "format holds a byte that is not a letter, digit, '-', '_' or '.'";
    }
  }
  if (!Integer(st, 7, 0, 100, &v)) return "quality is not an integer in [0, 100]";
  r->descriptor.quality = int(v);
  // bits and vals: NULL is an empty descriptor part (an empty vector binds as NULL).
  const int bits_type = sqlite3_column_type(st, 8);
  if (bits_type != SQLITE_NULL && bits_type != SQLITE_BLOB) return "hash is not a blob";
  const size_t nbits = size_t(sqlite3_column_bytes(st, 8));
  if (nbits % 8 != 0) return "hash blob of " + std::to_string(nbits) + " bytes (not 8k)";
  r->descriptor.bits.resize(nbits / 8);
  if (nbits > 0) std::memcpy(r->descriptor.bits.data(), sqlite3_column_blob(st, 8), nbits);
  const int vals_type = sqlite3_column_type(st, 9);
  if (vals_type != SQLITE_NULL && vals_type != SQLITE_BLOB) return "vector is not a blob";
  const size_t nvals = size_t(sqlite3_column_bytes(st, 9));
  if (nvals % sizeof(Half) != 0) return "vector blob of " + std::to_string(nvals) + " bytes (odd)";
  r->descriptor.values = FromHalfBytes(sqlite3_column_blob(st, 9), nvals);
  for (float x : r->descriptor.values) {
    if (!std::isfinite(x)) return "vector holds a NaN or infinite component";
  }
  if (r->descriptor.bits.empty() && r->descriptor.values.empty()) return "no hash and no vector";
  return std::nullopt;
}

class SqliteCatalog : public Catalog {
 public:
  SqliteCatalog(sqlite3* db, std::string path, BadRowFn on_bad)
      : db_(db), path_(std::move(path)), on_bad_(std::move(on_bad)) {}
  ~SqliteCatalog() override {
    (void)Commit();
    find_row_.reset();  // statements are finalized before the connection closes
    find_id_.reset();
    delete_.reset();
    mark_removed_.reset();
    sqlite3_close(db_);
  }

  Status Init(const CatalogMeta* create) {
    (void)Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");  // WAL may be unsupported
    if (create) {
      RETURN_IF_ERROR(Exec(kSchema));
      RETURN_IF_ERROR(Exec("BEGIN"));
      for (auto [k, v] :
           {std::pair<const char*, std::string>{"schema_version", std::to_string(kSchemaVersion)},
            {"method", create->method},
            {"method_version", std::to_string(create->method_version)},
            {"factory", create->factory}}) {
        Status s = SetMeta(k, v);
        if (!s.ok()) {
          (void)Exec("ROLLBACK");
          return s;
        }
      }
      RETURN_IF_ERROR(Exec("COMMIT"));
    }
    RETURN_IF_ERROR(CheckTables());
    Stmt st(db_, "SELECT key,value FROM meta");
    if (!st.ok()) return PrepareError(st, "read");
    std::string schema;
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
      std::string k = Text(st.get(), 0), v = Text(st.get(), 1);
      if (k == "schema_version") schema = v;
      if (k == "method") meta_.method = v;
      if (k == "method_version") meta_.method_version = std::atoi(v.c_str());
      if (k == "factory") meta_.factory = v;
    }
    if (rc != SQLITE_DONE) return StepError(rc, "read");
    if (schema != std::to_string(kSchemaVersion) || meta_.method.empty()) {
      return CorruptionError(path_ + ": not a neardup index catalog of schema version " +
                             std::to_string(kSchemaVersion) + " (table meta lacks its rows)");
    }
    // The statements of the per-file paths (Scan's lookups, imports, commits), prepared once.
    const std::string find_row = std::string("SELECT ") + kRowColumns + " FROM items WHERE path=?1";
    find_row_ = std::make_unique<Stmt>(db_, find_row.c_str());
    find_id_ = std::make_unique<Stmt>(db_, "SELECT id FROM items WHERE path=?1");
    delete_ = std::make_unique<Stmt>(db_, "DELETE FROM items WHERE id=?1");
    mark_removed_ = std::make_unique<Stmt>(db_, "INSERT OR IGNORE INTO removed(id) VALUES(?1)");
    for (Stmt* s : {find_row_.get(), find_id_.get(), delete_.get(), mark_removed_.get()}) {
      if (!s->ok()) return PrepareError(*s, "read");
    }
    return Status::Ok();
  }

  const CatalogMeta& meta() const override { return meta_; }

  StatusOr<std::optional<CatalogRow>> Find(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    sqlite3_stmt* st = find_row_->Fresh();
    sqlite3_bind_blob(st, 1, path.data(), int(path.size()), SQLITE_STATIC);
    std::optional<CatalogRow> row;
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) row = Validated(st);
    Status s = rc == SQLITE_ROW || rc == SQLITE_DONE ? Status::Ok() : StepError(rc, "read");
    sqlite3_reset(st);  // ends the statement's read transaction now, not at the next lookup
    RETURN_IF_ERROR(s);
    return row;
  }

  Status CheckWritable() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (sqlite3_db_readonly(db_, "main") == 1) {
      return IOError(path_ +
                     ": cannot write the index catalog: the file or its folder is "
                     "read-only");
    }
    // Taking the write lock touches the journal: a read-only folder or file fails here.
    RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE", "write"));
    return Exec("ROLLBACK", "write");
  }

  Status Put(CatalogRow row) override {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back(std::move(row));
    const auto now = std::chrono::steady_clock::now();
    if (pending_.size() >= kCommitEvery || now - last_commit_ >= kCommitInterval) {
      last_commit_ = now;
      return CommitLocked();
    }
    return Status::Ok();
  }

  Status Commit() override {
    std::lock_guard<std::mutex> lock(mu_);
    return CommitLocked();
  }

  StatusOr<std::vector<std::string>> Remove(const std::vector<std::string>& paths) override {
    std::lock_guard<std::mutex> lock(mu_);
    RETURN_IF_ERROR(CommitLocked());
    RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE", "write"));
    std::vector<std::string> missing;
    for (const std::string& p : paths) {
      StatusOr<bool> gone = DeletePathLocked(p);
      if (!gone.ok()) {
        (void)Exec("ROLLBACK");
        return gone.status();
      }
      if (!*gone) missing.push_back(p);
    }
    Status s = Exec("COMMIT", "write");
    if (!s.ok()) {
      (void)Exec("ROLLBACK");
      return s;
    }
    return missing;
  }

  StatusOr<int64_t> Count() override { return Scalar("SELECT COUNT(*) FROM items", 0); }
  StatusOr<int64_t> CountUpTo(int64_t max_id) override {
    return Scalar("SELECT COUNT(*) FROM items WHERE id<=?1", max_id);
  }
  StatusOr<int64_t> CountRemovedUpTo(int64_t max_id) override {
    return Scalar("SELECT COUNT(*) FROM removed WHERE id<=?1", max_id);
  }
  StatusOr<int64_t> MaxId() override {
    return Scalar("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name='items'), 0)", 0);
  }

  Status ForEach(int64_t after_id, const std::function<void(CatalogRow&&)>& fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string sql = std::string("SELECT ") + kRowColumns + " FROM items WHERE id>?1 ORDER BY id";
    Stmt st(db_, sql.c_str());
    if (!st.ok()) return PrepareError(st, "read");
    sqlite3_bind_int64(st.get(), 1, after_id);
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
      std::optional<CatalogRow> row = Validated(st.get());
      if (row) fn(std::move(*row));
    }
    return rc == SQLITE_DONE ? Status::Ok() : StepError(rc, "read");
  }

  StatusOr<std::vector<int64_t>> RemovedIds() override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt st(db_, "SELECT id FROM removed ORDER BY id");
    if (!st.ok()) return PrepareError(st, "read");
    std::vector<int64_t> ids;
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
      int64_t id = 0;
      if (Integer(st.get(), 0, 1, INT64_MAX, &id)) ids.push_back(id);  // others match nothing
    }
    if (rc != SQLITE_DONE) return StepError(rc, "read");
    return ids;
  }

  Status ClearRemoved(const std::vector<int64_t>& ids) override {
    std::lock_guard<std::mutex> lock(mu_);
    RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE", "write"));
    Stmt st(db_, "DELETE FROM removed WHERE id=?1");
    Status s = st.ok() ? Status::Ok() : PrepareError(st, "write");
    for (size_t i = 0; s.ok() && i < ids.size(); ++i) {
      sqlite3_reset(st.get());
      sqlite3_bind_int64(st.get(), 1, ids[i]);
      const int rc = sqlite3_step(st.get());
      if (rc != SQLITE_DONE) s = StepError(rc, "write");
    }
    if (s.ok()) s = Exec("COMMIT", "write");
    if (!s.ok()) (void)Exec("ROLLBACK");
    return s;
  }

  StatusOr<std::vector<std::optional<CatalogRow>>> Rows(const std::vector<int64_t>& ids) override {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string sql = std::string("SELECT ") + kRowColumns + " FROM items WHERE id=?1";
    Stmt st(db_, sql.c_str());
    if (!st.ok()) return PrepareError(st, "read");
    std::vector<std::optional<CatalogRow>> out;
    out.reserve(ids.size());
    for (int64_t id : ids) {
      sqlite3_reset(st.get());
      sqlite3_bind_int64(st.get(), 1, id);
      const int rc = sqlite3_step(st.get());
      if (rc == SQLITE_ROW) {
        out.push_back(Validated(st.get()));
      } else if (rc == SQLITE_DONE) {
        out.emplace_back(std::nullopt);
      } else {
        Status s = StepError(rc, "read");
        sqlite3_reset(st.get());
        return s;
      }
    }
    sqlite3_reset(st.get());
    return out;
  }

 private:
  // "<catalog>: the index catalog is damaged (<sqlite's reason>)..." or "cannot read/write".
  Status SqlError(int rc, const std::string& what, const std::string& detail) {
    if (IsCorruption(rc)) {
      return CorruptionError(path_ + ": the index catalog is damaged (" + detail +
                             "): restore it from a backup, or create a new index and add the "
                             "images again");
    }
    return IOError(path_ + ": cannot " + what + " the index catalog: " + detail);
  }
  Status StepError(int rc, const std::string& what) {
    return SqlError(rc, what, Reason(rc, sqlite3_errmsg(db_)));
  }
  // SQLite's message, with the system's reason for an I/O failure ("disk I/O error" alone does
  // not say that the disk is full).
  std::string Reason(int rc, std::string message) {
    const int sys = sqlite3_system_errno(db_);
    if (sys != 0 && ((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_FULL ||
                     (rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY)) {
      message += std::string(" (") + std::strerror(sys) + ")";
    } else if ((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_FULL) {
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
  Status PrepareError(const Stmt& st, const std::string& what) {
    return SqlError(st.rc(), what, Reason(st.rc(), st.error()));
  }
  Status Exec(const char* sql, const std::string& what = "use") {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return Status::Ok();
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return SqlError(rc, what, Reason(rc, msg));
  }
  Status SetMeta(const char* key, const std::string& value) {
    Stmt st(db_, "INSERT OR REPLACE INTO meta(key,value) VALUES(?1,?2)");
    if (!st.ok()) return PrepareError(st, "write");
    sqlite3_bind_text(st.get(), 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st.get(), 2, value.c_str(), -1, SQLITE_STATIC);
    const int rc = sqlite3_step(st.get());
    return rc == SQLITE_DONE ? Status::Ok() : StepError(rc, "write");
  }
  // The single integer of `sql`, whose ?1 (if any) is bound to `arg`.
  StatusOr<int64_t> Scalar(const char* sql, int64_t arg) {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt st(db_, sql);
    if (!st.ok()) return PrepareError(st, "read");
    if (sqlite3_bind_parameter_count(st.get()) > 0) sqlite3_bind_int64(st.get(), 1, arg);
    const int rc = sqlite3_step(st.get());
    if (rc != SQLITE_ROW) {
      return rc == SQLITE_DONE ? CorruptionError(path_ + ": a count returned no row")
                               : StepError(rc, "read");
    }
    return int64_t(sqlite3_column_int64(st.get(), 0));
  }

  // The tables and columns this code uses exist: a dropped table is named, not discovered as a
  // failed statement later.
  Status CheckTables() {
    for (const char* table : {"meta", "items", "removed"}) {
      const std::string sql = std::string("PRAGMA table_info(") + table + ")";
      Stmt st(db_, sql.c_str());
      if (!st.ok()) return PrepareError(st, "read");
      std::set<std::string> columns;
      int rc;
      while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) columns.insert(Text(st.get(), 1));
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
      const std::vector<std::string> needed =
          std::string(table) == "items"
              ? std::vector<std::string>(std::begin(kItemColumns), std::end(kItemColumns))
          : std::string(table) == "meta" ? std::vector<std::string>{"key", "value"}
                                         : std::vector<std::string>{"id"};
      for (const std::string& c : needed) {
        if (!columns.count(c)) {
          return CorruptionError(path_ + ": table " + table + " lacks column " + c +
                                 ": not a neardup index or damaged");
        }
      }
    }
    return Status::Ok();
  }

  // The current row of a kRowColumns statement, or nullopt (reported) when it is a bad row.
  std::optional<CatalogRow> Validated(sqlite3_stmt* st) {
    CatalogRow row;
    std::optional<std::string> problem = ReadRow(st, &row);
    if (!problem) return row;
    ReportBad({sqlite3_column_int64(st, 0), row.path, *problem});
    return std::nullopt;
  }
  void ReportBad(const BadRow& bad) {
    if (on_bad_ && reported_.insert(bad.id).second) on_bad_(bad);
  }

  // Deletes the row of `path` (its id goes to `removed`); false when there was none.
  StatusOr<bool> DeletePathLocked(const std::string& path) {
    sqlite3_stmt* find = find_id_->Fresh();
    sqlite3_bind_blob(find, 1, path.data(), int(path.size()), SQLITE_STATIC);
    const int rc = sqlite3_step(find);
    const bool found = rc == SQLITE_ROW;
    const int64_t id = found ? sqlite3_column_int64(find, 0) : 0;
    Status s = found || rc == SQLITE_DONE ? Status::Ok() : StepError(rc, "read");
    sqlite3_reset(find);
    RETURN_IF_ERROR(s);
    if (!found) return false;
    sqlite3_stmt* del = delete_->Fresh();
    sqlite3_stmt* rem = mark_removed_->Fresh();
    sqlite3_bind_int64(del, 1, id);
    sqlite3_bind_int64(rem, 1, id);
    int step = sqlite3_step(del);
    if (step == SQLITE_DONE) step = sqlite3_step(rem);
    s = step == SQLITE_DONE ? Status::Ok() : StepError(step, "write");
    sqlite3_reset(del);
    sqlite3_reset(rem);
    RETURN_IF_ERROR(s);
    return true;
  }

  Status CommitLocked() {
    if (pending_.empty()) return Status::Ok();
    Status s = Exec("BEGIN IMMEDIATE", "write");
    if (s.ok()) s = InsertPendingLocked();
    pending_.clear();
    if (s.ok()) s = Exec("COMMIT", "write");
    if (!s.ok()) {
      (void)Exec("ROLLBACK");
      return s;
    }
    return s;
  }

  Status InsertPendingLocked() {
    Stmt ins(db_,
             "INSERT INTO items(path,size,mtime_ns,width,height,format,quality,bits,vals) "
             "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)");
    if (!ins.ok()) return PrepareError(ins, "write");
    for (const CatalogRow& r : pending_) {
      ASSIGN_OR_RETURN(bool replaced, DeletePathLocked(r.path));
      (void)replaced;
      std::vector<Half> half = ToHalf(r.descriptor.values);
      sqlite3_stmt* st = ins.get();
      sqlite3_reset(st);
      sqlite3_bind_blob(st, 1, r.path.data(), int(r.path.size()), SQLITE_STATIC);
      sqlite3_bind_int64(st, 2, r.size);
      sqlite3_bind_int64(st, 3, r.mtime_ns);
      sqlite3_bind_int(st, 4, r.width);
      sqlite3_bind_int(st, 5, r.height);
      sqlite3_bind_text(st, 6, r.format.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_int(st, 7, r.descriptor.quality);
      sqlite3_bind_blob(st, 8, r.descriptor.bits.data(), int(r.descriptor.bits.size() * 8),
                        SQLITE_STATIC);
      sqlite3_bind_blob(st, 9, half.data(), int(half.size() * sizeof(Half)), SQLITE_STATIC);
      const int rc = sqlite3_step(st);
      if (rc != SQLITE_DONE) return StepError(rc, "write");
    }
    return Status::Ok();
  }

  std::mutex mu_;  // guards everything below and every use of db_
  sqlite3* db_;
  std::string path_;
  BadRowFn on_bad_;
  std::set<int64_t> reported_;  // ids of the bad rows already handed to on_bad_
  CatalogMeta meta_;
  std::vector<CatalogRow> pending_;
  std::unique_ptr<Stmt> find_row_, find_id_, delete_, mark_removed_;
  std::chrono::steady_clock::time_point last_commit_ = std::chrono::steady_clock::now();
};

// `path` for a file: URI (RFC 3986: bytes other than unreserved ones and '/' percent-encoded).
std::string UriPath(const std::string& path) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

StatusOr<std::unique_ptr<Catalog>> OpenFile(const std::string& path, const CatalogMeta* create,
                                            BadRowFn on_bad) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  std::string name = path;
  // On a read-only file system SQLite cannot create the WAL's shared-memory file, and no process
  // can write the catalog: open it immutable, read-only, so queries still work (writes fail in
  // CheckWritable with the reason).
  std::string dir = std::filesystem::path(path).parent_path().string();
  struct statvfs fs {};
  if (!create && ::statvfs(dir.empty() ? "." : dir.c_str(), &fs) == 0 && (fs.f_flag & ST_RDONLY)) {
    name = "file:" + UriPath(path) + "?immutable=1";
    flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  }
  int rc = sqlite3_open_v2(name.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return IOError(path + ": cannot open the index catalog: " + msg);
  }
  sqlite3_busy_timeout(db, 10000);
  auto catalog = std::make_unique<SqliteCatalog>(db, path, std::move(on_bad));
  RETURN_IF_ERROR(catalog->Init(create));
  return std::unique_ptr<Catalog>(std::move(catalog));
}

}  // namespace

StatusOr<std::unique_ptr<Catalog>> Catalog::Create(const std::string& path, const CatalogMeta& meta,
                                                   BadRowFn on_bad) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return InvalidArgumentError(path + ": already exists");
  }
  return OpenFile(path, &meta, std::move(on_bad));
}

StatusOr<std::unique_ptr<Catalog>> Catalog::Open(const std::string& path, BadRowFn on_bad) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFoundError(path + ": no index catalog here");
  return OpenFile(path, nullptr, std::move(on_bad));
}

}  // namespace neardup::store
