// Catalog on SQLite (see catalog.h): the rows of table `items` through one connection guarded by
// one mutex. The file's schema and error messages are catalog_db's; a row's descriptor columns are
// read and written by descriptor_row's code, as the descriptor cache's are.
#include <sqlite3.h>
#include <sys/statvfs.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "store/catalog.h"
#include "store/catalog_db.h"
#include "store/descriptor_row.h"
#include "store/sqlite_statement.h"
#include "store/sqlite_uri.h"

namespace neardup::store {
namespace {

constexpr int64_t kMaxPathBytes = 1 << 16;

// The row of a "SELECT <ItemColumnList>" statement, or why it is not one this code wrote: each
// column's type, range and blob size is checked before anything is copied.
Status ReadRow(sqlite3_stmt* st, CatalogRow* r) {
  int64_t v = 0;
  if (!ColumnInteger(st, 0, 1, INT64_MAX, &v)) {
    return CorruptionError("id is not a positive integer");
  }
  r->id = v;
  if (!ColumnBytes(st, 1, &r->path)) return CorruptionError("path is NULL or not text");
  if (r->path.empty() || int64_t(r->path.size()) > kMaxPathBytes) {
    return CorruptionError("path of " + std::to_string(r->path.size()) + " bytes");
  }
  if (!ColumnInteger(st, 2, -1, INT64_MAX, &r->size)) {
    return CorruptionError("size is not an integer >= -1");
  }
  if (!ColumnInteger(st, 3, INT64_MIN, INT64_MAX, &r->mtime_ns)) {
    return CorruptionError("mtime_ns is not an integer");
  }
  DescriptorRow row;
  RETURN_IF_ERROR(ReadDescriptorRow(st, kFirstDescriptorColumn, kCatalogRow, &row));
  r->width = row.width;
  r->height = row.height;
  r->format = std::move(row.format);
  r->descriptor = std::move(row.descriptor);
  return Status::Ok();
}

class SqliteCatalog : public Catalog {
 public:
  SqliteCatalog(sqlite3* db, std::string path, BadRowFn on_bad)
      : db_(db, std::move(path)), on_bad_(std::move(on_bad)) {}
  ~SqliteCatalog() override { (void)Commit(); }  // the statements finalize before db_ closes

  Status Init(const CatalogMeta* create) {
    (void)Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");  // WAL may be unsupported
    if (create) RETURN_IF_ERROR(db_.Create(*create));
    ASSIGN_OR_RETURN(meta_, db_.Check());
    // The statements of the per-file paths (Scan's lookups, imports, commits), prepared once.
    const std::string find_row = "SELECT " + ItemColumnList() + " FROM items WHERE path=?1";
    find_row_ = std::make_unique<Stmt>(db_.get(), find_row.c_str());
    find_id_ = std::make_unique<Stmt>(db_.get(), "SELECT id FROM items WHERE path=?1");
    delete_ = std::make_unique<Stmt>(db_.get(), "DELETE FROM items WHERE id=?1");
    mark_removed_ =
        std::make_unique<Stmt>(db_.get(), "INSERT OR IGNORE INTO removed(id) VALUES(?1)");
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
    if (sqlite3_db_readonly(db_.get(), "main") == 1) {
      return IOError(db_.path() +
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
    std::string sql = "SELECT " + ItemColumnList() + " FROM items WHERE id>?1 ORDER BY id";
    Stmt st(db_.get(), sql.c_str());
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
    Stmt st(db_.get(), "SELECT id FROM removed ORDER BY id");
    if (!st.ok()) return PrepareError(st, "read");
    std::vector<int64_t> ids;
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) {
      int64_t id = 0;
      if (ColumnInteger(st.get(), 0, 1, INT64_MAX, &id)) ids.push_back(id);  // others match nothing
    }
    if (rc != SQLITE_DONE) return StepError(rc, "read");
    return ids;
  }

  Status ClearRemoved(const std::vector<int64_t>& ids) override {
    std::lock_guard<std::mutex> lock(mu_);
    RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE", "write"));
    Stmt st(db_.get(), "DELETE FROM removed WHERE id=?1");
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
    const std::string sql = "SELECT " + ItemColumnList() + " FROM items WHERE id=?1";
    Stmt st(db_.get(), sql.c_str());
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
  Status StepError(int rc, const std::string& what) { return db_.StepError(rc, what); }
  Status PrepareError(const Stmt& st, const std::string& what) {
    return db_.PrepareError(st, what);
  }
  Status Exec(const char* sql, const std::string& what = "use") { return db_.Exec(sql, what); }

  // The single integer of `sql`, whose ?1 (if any) is bound to `arg`.
  StatusOr<int64_t> Scalar(const char* sql, int64_t arg) {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt st(db_.get(), sql);
    if (!st.ok()) return PrepareError(st, "read");
    if (sqlite3_bind_parameter_count(st.get()) > 0) sqlite3_bind_int64(st.get(), 1, arg);
    const int rc = sqlite3_step(st.get());
    if (rc != SQLITE_ROW) {
      return rc == SQLITE_DONE ? CorruptionError(db_.path() + ": a count returned no row")
                               : StepError(rc, "read");
    }
    return int64_t(sqlite3_column_int64(st.get(), 0));
  }

  // The current row of an ItemColumnList statement, or nullopt (reported) when it is a bad row.
  std::optional<CatalogRow> Validated(sqlite3_stmt* st) {
    CatalogRow row;
    Status problem = ReadRow(st, &row);
    if (problem.ok()) return row;
    ReportBad({sqlite3_column_int64(st, 0), row.path, problem.message()});
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
    std::string sql = "INSERT INTO items(path,size,mtime_ns," + DescriptorColumnList(kCatalogRow) +
                      ") VALUES(?1,?2,?3";
    for (int i = 0; i < DescriptorColumnCount(kCatalogRow); ++i) {
      sql += ",?" + std::to_string(kFirstRowParam + i);
    }
    sql += ")";
    Stmt ins(db_.get(), sql.c_str());
    if (!ins.ok()) return PrepareError(ins, "write");
    for (const CatalogRow& r : pending_) {
      ASSIGN_OR_RETURN(bool replaced, DeletePathLocked(r.path));
      (void)replaced;
      sqlite3_stmt* st = ins.get();
      sqlite3_reset(st);
      sqlite3_bind_blob(st, 1, r.path.data(), int(r.path.size()), SQLITE_STATIC);
      sqlite3_bind_int64(st, 2, r.size);
      sqlite3_bind_int64(st, 3, r.mtime_ns);
      BindDescriptorRow(st, kFirstRowParam, kCatalogRow, r.width, r.height, r.format, r.descriptor);
      const int rc = sqlite3_step(st);
      if (rc != SQLITE_DONE) return StepError(rc, "write");
    }
    return Status::Ok();
  }

  // The insert's parameters: ?1-?3 the path and stamp, then the descriptor row.
  static constexpr int kFirstRowParam = 4;

  std::mutex mu_;  // guards everything below and every use of db_
  CatalogDb db_;   // first: closed after the statements below are finalized
  BadRowFn on_bad_;
  std::set<int64_t> reported_;  // ids of the bad rows already handed to on_bad_
  CatalogMeta meta_;
  std::vector<CatalogRow> pending_;
  std::unique_ptr<Stmt> find_row_, find_id_, delete_, mark_removed_;
  std::chrono::steady_clock::time_point last_commit_ = std::chrono::steady_clock::now();
};

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
    name = ImmutableFileUri(path);
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
