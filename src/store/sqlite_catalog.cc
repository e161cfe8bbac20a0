// Catalog on SQLite (see catalog.h). One connection guarded by one mutex.
#include <sqlite3.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>

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

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &st_, nullptr); }
  ~Stmt() { sqlite3_finalize(st_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  sqlite3_stmt* get() const { return st_; }
  bool ok() const { return st_ != nullptr; }
  // The statement reset and unbound, for another use.
  sqlite3_stmt* Fresh() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
    return st_;
  }

 private:
  sqlite3_stmt* st_ = nullptr;
};

std::string Text(sqlite3_stmt* st, int col) {
  const unsigned char* p = sqlite3_column_text(st, col);
  return p ? reinterpret_cast<const char*>(p) : "";
}

// The row of a "SELECT id,path,size,mtime_ns,width,height,format,quality,bits,vals" statement.
CatalogRow ReadRow(sqlite3_stmt* st) {
  CatalogRow r;
  r.id = sqlite3_column_int64(st, 0);
  r.path.assign(static_cast<const char*>(sqlite3_column_blob(st, 1)),
                size_t(sqlite3_column_bytes(st, 1)));
  r.size = sqlite3_column_int64(st, 2);
  r.mtime_ns = sqlite3_column_int64(st, 3);
  r.width = sqlite3_column_int(st, 4);
  r.height = sqlite3_column_int(st, 5);
  r.format = Text(st, 6);
  r.descriptor.quality = sqlite3_column_int(st, 7);
  const int nbits = sqlite3_column_bytes(st, 8);
  r.descriptor.bits.resize(size_t(nbits) / 8);
  if (nbits > 0) std::memcpy(r.descriptor.bits.data(), sqlite3_column_blob(st, 8), nbits / 8 * 8);
  r.descriptor.values =
      FromHalfBytes(sqlite3_column_blob(st, 9), size_t(sqlite3_column_bytes(st, 9)));
  return r;
}

constexpr const char* kRowColumns = "id,path,size,mtime_ns,width,height,format,quality,bits,vals";

class SqliteCatalog : public Catalog {
 public:
  SqliteCatalog(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
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
      for (auto [k, v] : {std::pair<const char*, std::string>{"schema_version",
                                                              std::to_string(kSchemaVersion)},
                          {"method", create->method},
                          {"method_version", std::to_string(create->method_version)},
                          {"factory", create->factory}}) {
        RETURN_IF_ERROR(SetMeta(k, v));
      }
      RETURN_IF_ERROR(Exec("COMMIT"));
    }
    Stmt st(db_, "SELECT key,value FROM meta");
    if (!st.ok()) return CorruptionError(path_ + ": not a neardup index catalog");
    std::string schema;
    while (sqlite3_step(st.get()) == SQLITE_ROW) {
      std::string k = Text(st.get(), 0), v = Text(st.get(), 1);
      if (k == "schema_version") schema = v;
      if (k == "method") meta_.method = v;
      if (k == "method_version") meta_.method_version = std::atoi(v.c_str());
      if (k == "factory") meta_.factory = v;
    }
    if (schema != std::to_string(kSchemaVersion) || meta_.method.empty()) {
      return CorruptionError(path_ + ": not a neardup index catalog of schema version " +
                             std::to_string(kSchemaVersion));
    }
    // The statements of the per-file paths (Scan's lookups, imports, commits), prepared once.
    const std::string find_row = std::string("SELECT ") + kRowColumns + " FROM items WHERE path=?1";
    find_row_ = std::make_unique<Stmt>(db_, find_row.c_str());
    find_id_ = std::make_unique<Stmt>(db_, "SELECT id FROM items WHERE path=?1");
    delete_ = std::make_unique<Stmt>(db_, "DELETE FROM items WHERE id=?1");
    mark_removed_ = std::make_unique<Stmt>(db_, "INSERT OR IGNORE INTO removed(id) VALUES(?1)");
    for (Stmt* st : {find_row_.get(), find_id_.get(), delete_.get(), mark_removed_.get()}) {
      if (!st->ok()) return CorruptionError(path_ + ": " + sqlite3_errmsg(db_));
    }
    return Status::Ok();
  }

  const CatalogMeta& meta() const override { return meta_; }

  std::optional<CatalogRow> Find(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    sqlite3_stmt* st = find_row_->Fresh();
    sqlite3_bind_blob(st, 1, path.data(), int(path.size()), SQLITE_STATIC);
    std::optional<CatalogRow> row;
    if (sqlite3_step(st) == SQLITE_ROW) row = ReadRow(st);
    sqlite3_reset(st);  // ends the statement's read transaction now, not at the next lookup
    return row;
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
    RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    std::vector<std::string> missing;
    for (const std::string& p : paths) {
      StatusOr<bool> gone = DeletePathLocked(p);
      if (!gone.ok()) {
        (void)Exec("ROLLBACK");
        return gone.status();
      }
      if (!*gone) missing.push_back(p);
    }
    RETURN_IF_ERROR(Exec("COMMIT"));
    return missing;
  }

  StatusOr<int64_t> Count() override { return Scalar("SELECT COUNT(*) FROM items"); }
  StatusOr<int64_t> MaxId() override {
    return Scalar("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name='items'), 0)");
  }

  Status ForEach(int64_t after_id, const std::function<void(CatalogRow&&)>& fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string sql =
        std::string("SELECT ") + kRowColumns + " FROM items WHERE id>?1 ORDER BY id";
    Stmt st(db_, sql.c_str());
    if (!st.ok()) return Error("read");
    sqlite3_bind_int64(st.get(), 1, after_id);
    int rc;
    while ((rc = sqlite3_step(st.get())) == SQLITE_ROW) fn(ReadRow(st.get()));
    return rc == SQLITE_DONE ? Status::Ok() : Error("read");
  }

  StatusOr<std::vector<int64_t>> RemovedIds() override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt st(db_, "SELECT id FROM removed ORDER BY id");
    std::vector<int64_t> ids;
    while (sqlite3_step(st.get()) == SQLITE_ROW) ids.push_back(sqlite3_column_int64(st.get(), 0));
    return ids;
  }

  Status ClearRemoved(const std::vector<int64_t>& ids) override {
    std::lock_guard<std::mutex> lock(mu_);
    RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Stmt st(db_, "DELETE FROM removed WHERE id=?1");
    for (int64_t id : ids) {
      sqlite3_reset(st.get());
      sqlite3_bind_int64(st.get(), 1, id);
      if (sqlite3_step(st.get()) != SQLITE_DONE) {
        (void)Exec("ROLLBACK");
        return Error("write");
      }
    }
    return Exec("COMMIT");
  }

  StatusOr<std::vector<std::optional<std::string>>> Paths(
      const std::vector<int64_t>& ids) override {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt st(db_, "SELECT path FROM items WHERE id=?1");
    std::vector<std::optional<std::string>> out;
    for (int64_t id : ids) {
      sqlite3_reset(st.get());
      sqlite3_bind_int64(st.get(), 1, id);
      if (sqlite3_step(st.get()) == SQLITE_ROW) {
        out.emplace_back(std::string(static_cast<const char*>(sqlite3_column_blob(st.get(), 0)),
                                     size_t(sqlite3_column_bytes(st.get(), 0))));
      } else {
        out.emplace_back(std::nullopt);
      }
    }
    return out;
  }

 private:
  Status Error(const char* what) {
    return IOError(path_ + ": cannot " + what + " the index catalog: " + sqlite3_errmsg(db_));
  }
  Status Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) == SQLITE_OK) return Status::Ok();
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return IOError(path_ + ": " + msg);
  }
  Status SetMeta(const char* key, const std::string& value) {
    Stmt st(db_, "INSERT OR REPLACE INTO meta(key,value) VALUES(?1,?2)");
    sqlite3_bind_text(st.get(), 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st.get(), 2, value.c_str(), -1, SQLITE_STATIC);
    return sqlite3_step(st.get()) == SQLITE_DONE ? Status::Ok() : Error("write");
  }
  StatusOr<int64_t> Scalar(const char* sql) {
    std::lock_guard<std::mutex> lock(mu_);
    Stmt st(db_, sql);
    if (!st.ok() || sqlite3_step(st.get()) != SQLITE_ROW) return Error("read");
    return int64_t(sqlite3_column_int64(st.get(), 0));
  }

  // Deletes the row of `path` (its id goes to `removed`); false when there was none.
  StatusOr<bool> DeletePathLocked(const std::string& path) {
    sqlite3_stmt* find = find_id_->Fresh();
    sqlite3_bind_blob(find, 1, path.data(), int(path.size()), SQLITE_STATIC);
    const bool found = sqlite3_step(find) == SQLITE_ROW;
    const int64_t id = found ? sqlite3_column_int64(find, 0) : 0;
    sqlite3_reset(find);
    if (!found) return false;
    sqlite3_stmt* del = delete_->Fresh();
    sqlite3_stmt* rem = mark_removed_->Fresh();
    sqlite3_bind_int64(del, 1, id);
    sqlite3_bind_int64(rem, 1, id);
    if (sqlite3_step(del) != SQLITE_DONE || sqlite3_step(rem) != SQLITE_DONE) {
      return Error("write");
    }
    return true;
  }

  Status CommitLocked() {
    if (pending_.empty()) return Status::Ok();
    RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Stmt ins(db_,
             "INSERT INTO items(path,size,mtime_ns,width,height,format,quality,bits,vals) "
             "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)");
    Status s = ins.ok() ? Status::Ok() : Error("write");
    for (size_t i = 0; s.ok() && i < pending_.size(); ++i) {
      const CatalogRow& r = pending_[i];
      StatusOr<bool> replaced = DeletePathLocked(r.path);
      if (!replaced.ok()) {
        s = replaced.status();
        break;
      }
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
      if (sqlite3_step(st) != SQLITE_DONE) s = Error("write");
    }
    pending_.clear();
    if (!s.ok()) {
      (void)Exec("ROLLBACK");
      return s;
    }
    return Exec("COMMIT");
  }

  std::mutex mu_;  // guards everything below and every use of db_
  sqlite3* db_;
  std::string path_;
  CatalogMeta meta_;
  std::vector<CatalogRow> pending_;
  std::unique_ptr<Stmt> find_row_, find_id_, delete_, mark_removed_;
  std::chrono::steady_clock::time_point last_commit_ = std::chrono::steady_clock::now();
};

StatusOr<std::unique_ptr<Catalog>> OpenFile(const std::string& path, const CatalogMeta* create) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return IOError(path + ": cannot open the index catalog: " + msg);
  }
  sqlite3_busy_timeout(db, 10000);
  auto catalog = std::make_unique<SqliteCatalog>(db, path);
  RETURN_IF_ERROR(catalog->Init(create));
  return std::unique_ptr<Catalog>(std::move(catalog));
}

}  // namespace

StatusOr<std::unique_ptr<Catalog>> Catalog::Create(const std::string& path,
                                                   const CatalogMeta& meta) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return InvalidArgumentError(path + ": already exists");
  }
  return OpenFile(path, &meta);
}

StatusOr<std::unique_ptr<Catalog>> Catalog::Open(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFoundError(path + ": no index catalog here");
  return OpenFile(path, nullptr);
}

}  // namespace neardup::store
