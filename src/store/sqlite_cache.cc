// SQLite-backed DescriptorCache. One connection guarded by one mutex; writes are buffered and
// committed in one transaction per batch (WAL journal, so readers in other processes never block).
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <utility>
#include <vector>

#include "neardup/cache.h"
#include "neardup/decode.h"
#include "store/descriptor_row.h"
#include "store/sqlite_uri.h"

namespace neardup {
namespace {

// 2: `vals` holds float16 (was float32). 3: `local` (serialized local features). 4: `decoder`
// (kDecoderVersion of a failure's verdict). A cache of another version is dropped and recreated:
// it only holds what can be computed again.
constexpr int kSchemaVersion = 4;

constexpr int kMaxMessageBytes = 4096;

constexpr size_t kFlushEvery = 512;  // bounds memory and work lost on a crash

// The insert's parameters: ?1-?5 the key and stamp, ?6-?8 the verdict, then the descriptor row.
constexpr int kFirstRowParam = 9;

// The descriptors table: the key (path, method), the stamp that makes an entry valid, a failure's
// verdict, and the descriptor row (descriptor_row.h) in the order of schema 4.
std::string Schema() {
  return "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
         "CREATE TABLE IF NOT EXISTS descriptors(\n"
         "  path BLOB NOT NULL,\n"
         "  method TEXT NOT NULL,\n"
         "  version INTEGER NOT NULL,\n"
         "  size INTEGER NOT NULL,\n"
         "  mtime_ns INTEGER NOT NULL,\n"
         "  " +
         store::DescriptorColumnDefinitions(store::kCacheRow) +
         ",\n"
         "  error_code INTEGER NOT NULL,\n"
         "  error TEXT NOT NULL,\n"
         "  decoder INTEGER NOT NULL,\n"
         "  PRIMARY KEY(path, method)) WITHOUT ROWID;\n"
         // Evidence on scored pairs: a and b are descriptor fingerprints, version the options'.
         "CREATE TABLE IF NOT EXISTS pairs(\n"
         "  method TEXT NOT NULL,\n"
         "  a INTEGER NOT NULL,\n"
         "  b INTEGER NOT NULL,\n"
         "  version INTEGER NOT NULL,\n"
         "  evidence BLOB NOT NULL,\n"
         "  PRIMARY KEY(a, b, version, method)) WITHOUT ROWID;\n";
}

struct PendingPair {
  uint64_t a, b, version;
  std::vector<uint8_t> evidence;
};

// " (<strerror>)" of the last failed system call behind an SQLite error, e.g. "Read-only file
// system" where SQLite only says "unable to open database file"; "" when there is none.
std::string SystemError(sqlite3* db) {
  const int e = sqlite3_system_errno(db);
  return e != 0 ? std::string(" (") + std::strerror(e) + ")" : std::string();
}

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
    sqlite3_finalize(lookup_pair_);
    sqlite3_finalize(insert_pair_);
    sqlite3_close(db_);
  }

  // `read_only`: the file is opened immutable (its folder cannot be written): nothing is created.
  Status Init(bool read_only) {
    char* err = nullptr;
    if (!read_only && sqlite3_exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                                   nullptr, nullptr, &err) != SQLITE_OK) {
      // Not fatal: some file systems do not support WAL.
      sqlite3_free(err);
      err = nullptr;
    }
    if (const int rc = sqlite3_exec(db_, Schema().c_str(), nullptr, nullptr, &err);
        rc != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      msg = path_ + ": cannot create cache tables: " + msg;
      // Not a database, or a damaged one; otherwise the disk or the folder refused (full,
      // read-only).
      const int primary = rc & 0xff;
      return primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT
                 ? CorruptionError(msg)
                 : IOError(msg + SystemError(db_));
    }
    RETURN_IF_ERROR(CheckSchemaVersion());
    const std::string columns = store::DescriptorColumnList(store::kCacheRow);
    const std::string lookup = "SELECT error_code,error,decoder," + columns +
                               " FROM descriptors WHERE path=?1 AND method=?2 AND version=?3 AND "
                               "size=?4 AND mtime_ns=?5";
    std::string insert =
        "INSERT OR REPLACE INTO descriptors(path,method,version,size,mtime_ns,error_code,error,"
        "decoder," +
        columns + ") VALUES(?1";
    for (int i = 2; i < kFirstRowParam + store::DescriptorColumnCount(store::kCacheRow); ++i) {
      insert += ",?" + std::to_string(i);
    }
    insert += ")";
    if (sqlite3_prepare_v2(db_, lookup.c_str(), -1, &lookup_, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_, insert.c_str(), -1, &insert_, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_,
                           "SELECT evidence FROM pairs WHERE a=?1 AND b=?2 AND version=?3 AND "
                           "method=?4",
                           -1, &lookup_pair_, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_,
                           "INSERT OR REPLACE INTO pairs(method,a,b,version,evidence) "
                           "VALUES(?4,?1,?2,?3,?5)",
                           -1, &insert_pair_, nullptr) != SQLITE_OK) {
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
    const int rc = sqlite3_step(lookup_);
    if (rc != SQLITE_ROW) {
      if (rc != SQLITE_DONE && read_error_.empty()) {
        // Reported once: a damaged file fails every lookup the same way.
        read_error_ =
            path_ + ": cannot read the cache (" + sqlite3_errmsg(db_) + "); files are recomputed";
        warnings_.push_back(read_error_);
      }
      sqlite3_reset(lookup_);
      return std::nullopt;
    }
    CacheEntry e;
    bool stale = false;
    Status row = ReadRow(&e, &stale);
    sqlite3_reset(lookup_);
    if (!row.ok()) {
      warnings_.push_back("cache row for " + stamp.path + " was damaged (" + row.message() +
                          "); recomputed");
      return std::nullopt;
    }
    if (stale) return std::nullopt;
    return e;
  }

  std::optional<std::vector<uint8_t>> LookupPair(uint64_t a, uint64_t b,
                                                 uint64_t version) override {
    std::lock_guard<std::mutex> lock(mu_);
    BindPairKey(lookup_pair_, a, b, version);
    std::optional<std::vector<uint8_t>> out;
    if (sqlite3_step(lookup_pair_) == SQLITE_ROW &&
        sqlite3_column_type(lookup_pair_, 0) == SQLITE_BLOB) {
      const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(lookup_pair_, 0));
      out.emplace(p, p + sqlite3_column_bytes(lookup_pair_, 0));
    }
    sqlite3_reset(lookup_pair_);
    return out;
  }

  void PutPair(uint64_t a, uint64_t b, uint64_t version, std::vector<uint8_t> evidence) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!write_error_.ok()) return;
    pending_pairs_.push_back({a, b, version, std::move(evidence)});
    if (pending_pairs_.size() >= 16 * kFlushEvery) write_error_ = FlushLocked();
  }

  std::vector<std::string> TakeWarnings() override {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(warnings_, {});
  }

  void Put(const FileStamp& stamp, const CacheEntry& entry) override {
    std::lock_guard<std::mutex> lock(mu_);
    // After a failed write (disk full, read-only) the rest would fail alike: keep nothing.
    if (!write_error_.ok()) return;
    pending_.push_back({stamp, entry});
    if (pending_.size() >= kFlushEvery) write_error_ = FlushLocked();
  }

  Status Flush() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (write_error_.ok()) write_error_ = FlushLocked();
    pending_.clear();
    pending_pairs_.clear();
    return write_error_;
  }

 private:
  // The current row of lookup_ into `e`, checked column by column: Corruption naming the first
  // column that is NULL, of the wrong type or out of range. `stale`: a failure verdict reached by
  // other decoders (a miss, not damage).
  Status ReadRow(CacheEntry* e, bool* stale) {
    enum { kCode, kError, kDecoder, kFirstRowColumn };  // the lookup's columns
    auto integer = [&](int col, const char* name, int64_t lo, int64_t hi, int64_t* out) {
      if (sqlite3_column_type(lookup_, col) != SQLITE_INTEGER)
        return CorruptionError(std::string(name) + " is not a number");
      *out = sqlite3_column_int64(lookup_, col);
      if (*out < lo || *out > hi) {
        return CorruptionError(std::string(name) + " " + std::to_string(*out) + " out of range");
      }
      return Status::Ok();
    };
    int64_t code = 0;
    RETURN_IF_ERROR(integer(kCode, "error code", 0, int64_t(StatusCode::kUnimplemented), &code));
    if (code != 0) {
      int64_t decoder = 0;
      RETURN_IF_ERROR(integer(kDecoder, "decoder version", 0, INT32_MAX, &decoder));
      if (sqlite3_column_type(lookup_, kError) != SQLITE_TEXT ||
          sqlite3_column_bytes(lookup_, kError) == 0) {
        return CorruptionError("failure without a message");
      }
      // Decoders' messages are a line; a longer one would be printed whole for every run.
      if (const int n = sqlite3_column_bytes(lookup_, kError); n > kMaxMessageBytes) {
        return CorruptionError("failure message of " + std::to_string(n) + " bytes");
      }
      if (decoder != kDecoderVersion) {
        *stale = true;
        return Status::Ok();
      }
      e->error = Status(static_cast<StatusCode>(code),
                        reinterpret_cast<const char*>(sqlite3_column_text(lookup_, kError)));
      // A failure has no image facts worth keeping; its descriptor columns are not read.
      return Status::Ok();
    }
    store::DescriptorRow row;
    RETURN_IF_ERROR(store::ReadDescriptorRow(lookup_, kFirstRowColumn, store::kCacheRow, &row));
    e->width = row.width;
    e->height = row.height;
    e->format = std::move(row.format);
    e->descriptor = std::move(row.descriptor);
    return Status::Ok();
  }

  Status CheckSchemaVersion() {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key='schema_version'", -1, &st, nullptr);
    int found = -1;  // no version yet: a new cache
    const int rc = st != nullptr ? sqlite3_step(st) : sqlite3_errcode(db_);
    if (rc == SQLITE_ROW) {
      // Anything but a number (NULL, text) is an unknown layout: recreated below.
      found = sqlite3_column_type(st, 0) == SQLITE_NULL ? 0 : sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      return CorruptionError(path_ + ": cannot read the cache: " + sqlite3_errmsg(db_));
    }
    if (found == -1) {
      std::string sql = "INSERT OR REPLACE INTO meta VALUES('schema_version','" +
                        std::to_string(kSchemaVersion) + "')";
      if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
        return IOError(path_ + ": cannot write cache: " + sqlite3_errmsg(db_));
      }
    } else if (found != kSchemaVersion) {
      // Another layout: start the cache afresh (it only holds what can be recomputed).
      std::string sql = "DROP TABLE IF EXISTS descriptors; DROP TABLE IF EXISTS pairs; " +
                        Schema() + "INSERT OR REPLACE INTO meta VALUES('schema_version','" +
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

  Status WriteError() {
    return IOError(path_ + ": cannot write the cache: " + sqlite3_errmsg(db_) + SystemError(db_));
  }

  void BindPairKey(sqlite3_stmt* st, uint64_t a, uint64_t b, uint64_t version) {
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, static_cast<sqlite3_int64>(a));
    sqlite3_bind_int64(st, 2, static_cast<sqlite3_int64>(b));
    sqlite3_bind_int64(st, 3, static_cast<sqlite3_int64>(version));
    sqlite3_bind_text(st, 4, method_.c_str(), -1, SQLITE_STATIC);
  }

  Status FlushLocked() {
    if (pending_.empty() && pending_pairs_.empty()) return Status::Ok();
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return WriteError();
    }
    for (const Pending& p : pending_) {
      sqlite3_reset(insert_);
      sqlite3_bind_blob(insert_, 1, p.stamp.path.data(), int(p.stamp.path.size()), SQLITE_STATIC);
      sqlite3_bind_text(insert_, 2, method_.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_int(insert_, 3, version_);
      sqlite3_bind_int64(insert_, 4, p.stamp.size);
      sqlite3_bind_int64(insert_, 5, p.stamp.mtime_ns);
      sqlite3_bind_int(insert_, 6, static_cast<int>(p.entry.error.code()));
      sqlite3_bind_text(insert_, 7, p.entry.error.message().c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_int(insert_, 8, kDecoderVersion);
      store::BindDescriptorRow(insert_, kFirstRowParam, store::kCacheRow, p.entry.width,
                               p.entry.height, p.entry.format, p.entry.descriptor);
      if (sqlite3_step(insert_) != SQLITE_DONE) {
        Status s = WriteError();
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        pending_.clear();
        pending_pairs_.clear();
        return s;
      }
    }
    for (const PendingPair& p : pending_pairs_) {
      BindPairKey(insert_pair_, p.a, p.b, p.version);
      sqlite3_bind_blob(insert_pair_, 5, p.evidence.data(), int(p.evidence.size()), SQLITE_STATIC);
      if (sqlite3_step(insert_pair_) != SQLITE_DONE) {
        Status s = WriteError();
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        pending_.clear();
        pending_pairs_.clear();
        return s;
      }
    }
    pending_.clear();
    pending_pairs_.clear();
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
      Status s = WriteError();
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
  sqlite3_stmt* lookup_pair_ = nullptr;
  sqlite3_stmt* insert_pair_ = nullptr;
  std::vector<Pending> pending_;
  std::vector<PendingPair> pending_pairs_;
  Status write_error_;                 // the first failed write; later entries are dropped
  std::string read_error_;             // the first failed lookup (reported once)
  std::vector<std::string> warnings_;  // for TakeWarnings
};

StatusOr<std::unique_ptr<DescriptorCache>> Open(const std::string& path, const Method& method,
                                                bool read_only) {
  sqlite3* db = nullptr;
  const int rc =
      read_only
          ? sqlite3_open_v2(store::ImmutableFileUri(path).c_str(), &db,
                            SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr)
          : sqlite3_open_v2(path.c_str(), &db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                            nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) + SystemError(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    // SQLite's last errno is that of its read-only retry ("No such file"); say why the file
    // could not be created instead (e.g. "Read-only file system").
    std::error_code ec;
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    const std::string folder = parent.empty() ? "." : parent.string();
    if (!std::filesystem::exists(path, ec) && ::access(folder.c_str(), W_OK) != 0) {
      msg = "cannot create it in " + folder + ": " + std::strerror(errno);
    }
    return IOError(path + ": cannot open cache: " + msg);
  }
  sqlite3_busy_timeout(db, 5000);
  auto cache = std::make_unique<SqliteCache>(db, path, method.name(), method.version());
  RETURN_IF_ERROR(cache->Init(read_only));
  return std::unique_ptr<DescriptorCache>(std::move(cache));
}

}  // namespace

StatusOr<std::unique_ptr<DescriptorCache>> OpenSqliteCache(const std::string& path,
                                                           const Method& method) {
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return IOError(path + ": cannot create folder " + parent.string() + ": " + ec.message());
  const std::string folder = parent.empty() ? "." : parent.string();
  StatusOr<std::unique_ptr<DescriptorCache>> cache = Open(path, method, /*read_only=*/false);
  if (cache.ok()) return cache;
  // In a folder that cannot be written (read-only mount) SQLite cannot make the WAL index it
  // needs even to read: a cache made earlier is still read, as an immutable file.
  if (std::filesystem::exists(path, ec) && ::access(folder.c_str(), W_OK) != 0) {
    StatusOr<std::unique_ptr<DescriptorCache>> read_only = Open(path, method, /*read_only=*/true);
    if (read_only.ok()) return read_only;
  }
  return cache;
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
