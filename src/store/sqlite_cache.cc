// SQLite-backed DescriptorCache. One connection guarded by one mutex; writes are buffered and
// committed in one transaction per batch (WAL journal, so readers in other processes never block).
#include <sqlite3.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <vector>

#include "neardup/cache.h"
#include "store/half.h"

namespace neardup {
namespace {

// 2: `vals` holds float16 (was float32). 3: `local` (serialized local features). A cache of another version is dropped and recreated: it
// only holds what can be computed again.
constexpr int kSchemaVersion = 3;

constexpr size_t kFlushEvery = 512;  // bounds memory and work lost on a crash

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS descriptors(
  path BLOB NOT NULL,
  method TEXT NOT NULL,
  version INTEGER NOT NULL,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  format TEXT NOT NULL,
  quality INTEGER NOT NULL,
  bits BLOB,
  vals BLOB,
  local BLOB,
  error_code INTEGER NOT NULL,
  error TEXT NOT NULL,
  PRIMARY KEY(path, method)) WITHOUT ROWID;
)sql";

struct Pending {
  FileStamp stamp;
  CacheEntry entry;
};

class SqliteCache : public DescriptorCache {
 public:
  SqliteCache(sqlite3* db, std::string path, std::string method, int version)
      : db_(db), path_(std::move(path)), method_(std::move(method)), version_(version) {}

  ~SqliteCache() override {
    (void)Flush();
    sqlite3_finalize(lookup_);
    sqlite3_finalize(insert_);
    sqlite3_close(db_);
  }

  Status Init() {
    char* err = nullptr;
    if (sqlite3_exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr,
                     &err) != SQLITE_OK) {
      // Not fatal: some file systems do not support WAL.
      sqlite3_free(err);
      err = nullptr;
    }
    if (sqlite3_exec(db_, kSchema, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return CorruptionError(path_ + ": cannot create cache tables: " + msg);
    }
    RETURN_IF_ERROR(CheckSchemaVersion());
    if (sqlite3_prepare_v2(db_,
                           "SELECT width,height,format,quality,bits,vals,error_code,error,local "
                           "FROM descriptors WHERE path=?1 AND method=?2 AND version=?3 "
                           "AND size=?4 AND mtime_ns=?5",
                           -1, &lookup_, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_,
                           "INSERT OR REPLACE INTO descriptors(path,method,version,size,"
                           "mtime_ns,width,height,format,quality,bits,vals,error_code,error,local) "
                           "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
                           -1, &insert_, nullptr) != SQLITE_OK) {
      return CorruptionError(path_ + ": " + sqlite3_errmsg(db_));
    }
    return Status::Ok();
  }

  std::optional<CacheEntry> Lookup(const FileStamp& stamp) override {
    std::lock_guard<std::mutex> lock(mu_);
    sqlite3_reset(lookup_);
    sqlite3_bind_blob(lookup_, 1, stamp.path.data(), int(stamp.path.size()), SQLITE_STATIC);
    sqlite3_bind_text(lookup_, 2, method_.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_int(lookup_, 3, version_);
    sqlite3_bind_int64(lookup_, 4, stamp.size);
    sqlite3_bind_int64(lookup_, 5, stamp.mtime_ns);
    if (sqlite3_step(lookup_) != SQLITE_ROW) return std::nullopt;
    CacheEntry e;
    e.width = sqlite3_column_int(lookup_, 0);
    e.height = sqlite3_column_int(lookup_, 1);
    e.format = reinterpret_cast<const char*>(sqlite3_column_text(lookup_, 2));
    e.descriptor.quality = sqlite3_column_int(lookup_, 3);
    ReadBlob(4, &e.descriptor.bits);
    e.descriptor.values = FromHalfBytes(sqlite3_column_blob(lookup_, 5),
                                        size_t(sqlite3_column_bytes(lookup_, 5)));
    ReadBlob(8, &e.descriptor.local);
    int code = sqlite3_column_int(lookup_, 6);
    if (code != 0) {
      e.error = Status(static_cast<StatusCode>(code),
                       reinterpret_cast<const char*>(sqlite3_column_text(lookup_, 7)));
    }
    sqlite3_reset(lookup_);
    return e;
  }

  void Put(const FileStamp& stamp, const CacheEntry& entry) override {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.push_back({stamp, entry});
    if (pending_.size() >= kFlushEvery) (void)FlushLocked();
  }

  Status Flush() override {
    std::lock_guard<std::mutex> lock(mu_);
    return FlushLocked();
  }

 private:
  template <typename T>
  void ReadBlob(int col, std::vector<T>* out) {
    const void* p = sqlite3_column_blob(lookup_, col);
    int n = sqlite3_column_bytes(lookup_, col);
    out->resize(size_t(n) / sizeof(T));
    if (p != nullptr && n > 0) std::memcpy(out->data(), p, out->size() * sizeof(T));
  }

  Status CheckSchemaVersion() {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key='schema_version'", -1, &st, nullptr);
    int found = -1;
    if (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
      found = std::atoi(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    }
    sqlite3_finalize(st);
    if (found == -1) {
      std::string sql = "INSERT OR REPLACE INTO meta VALUES('schema_version','" +
                        std::to_string(kSchemaVersion) + "')";
      if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
        return IOError(path_ + ": cannot write cache: " + sqlite3_errmsg(db_));
      }
    } else if (found != kSchemaVersion) {
      // Another layout: start the cache afresh (it only holds what can be recomputed).
      std::string sql = "DROP TABLE IF EXISTS descriptors; " + std::string(kSchema) +
                        "INSERT OR REPLACE INTO meta VALUES('schema_version','" +
                        std::to_string(kSchemaVersion) + "')";
      char* err = nullptr;
      if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : sqlite3_errmsg(db_);
        sqlite3_free(err);
        return IOError(path_ + ": cannot recreate cache of schema version " +
                       std::to_string(found) + ": " + msg);
      }
    }
    return Status::Ok();
  }

  Status FlushLocked() {
    if (pending_.empty()) return Status::Ok();
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return IOError(path_ + ": " + sqlite3_errmsg(db_));
    }
    std::vector<Half> half;
    for (const Pending& p : pending_) {
      const Descriptor& d = p.entry.descriptor;
      half = ToHalf(d.values);
      sqlite3_reset(insert_);
      sqlite3_bind_blob(insert_, 1, p.stamp.path.data(), int(p.stamp.path.size()), SQLITE_STATIC);
      sqlite3_bind_text(insert_, 2, method_.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_int(insert_, 3, version_);
      sqlite3_bind_int64(insert_, 4, p.stamp.size);
      sqlite3_bind_int64(insert_, 5, p.stamp.mtime_ns);
      sqlite3_bind_int(insert_, 6, p.entry.width);
      sqlite3_bind_int(insert_, 7, p.entry.height);
      sqlite3_bind_text(insert_, 8, p.entry.format.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_int(insert_, 9, d.quality);
      sqlite3_bind_blob(insert_, 10, d.bits.data(), int(d.bits.size() * 8), SQLITE_STATIC);
      sqlite3_bind_blob(insert_, 11, half.data(), int(half.size() * sizeof(Half)), SQLITE_STATIC);
      sqlite3_bind_int(insert_, 12, static_cast<int>(p.entry.error.code()));
      sqlite3_bind_text(insert_, 13, p.entry.error.message().c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_blob(insert_, 14, d.local.data(), int(d.local.size()), SQLITE_STATIC);
      if (sqlite3_step(insert_) != SQLITE_DONE) {
        Status s = IOError(path_ + ": " + sqlite3_errmsg(db_));
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        pending_.clear();
        return s;
      }
    }
    pending_.clear();
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      Status s = IOError(path_ + ": " + sqlite3_errmsg(db_));
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return s;
    }
    return Status::Ok();
  }

  std::mutex mu_;  // guards everything below and every use of db_
  sqlite3* db_;
  std::string path_;
  std::string method_;
  int version_;
  sqlite3_stmt* lookup_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  std::vector<Pending> pending_;
};

}  // namespace

StatusOr<std::unique_ptr<DescriptorCache>> OpenSqliteCache(const std::string& path,
                                                           const Method& method) {
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return IOError(path + ": cannot create folder " + parent.string() + ": " + ec.message());
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return IOError(path + ": cannot open cache: " + msg);
  }
  sqlite3_busy_timeout(db, 5000);
  auto cache = std::make_unique<SqliteCache>(db, path, method.name(), method.version());
  RETURN_IF_ERROR(cache->Init());
  return std::unique_ptr<DescriptorCache>(std::move(cache));
}

std::string DefaultCachePath() {
  if (const char* p = std::getenv("NEARDUP_CACHE"); p && *p) return p;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
    return std::string(x) + "/neardup/descriptors.sqlite";
  }
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.cache/neardup/descriptors.sqlite";
}

}  // namespace neardup
