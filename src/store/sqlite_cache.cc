// SQLite-backed DescriptorCache. One connection guarded by one mutex; writes are buffered and
// committed in one transaction per batch (WAL journal, so readers in other processes never block).
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "neardup/cache.h"
#include "neardup/decode.h"
#include "store/half.h"

namespace neardup {
namespace {

// 2: `vals` holds float16 (was float32). 3: `local` (serialized local features). 4: `decoder`
// (kDecoderVersion of a failure's verdict). A cache of another version is dropped and recreated:
// it only holds what can be computed again.
constexpr int kSchemaVersion = 4;

// Larger sides or pixel counts are damage, whatever pixel limit a run has.
constexpr int64_t kMaxSide = (int64_t{1} << 31) - 1;
constexpr int64_t kMaxStoredPixels = int64_t{1} << 40;
constexpr int kMaxMessageBytes = 4096;

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
  decoder INTEGER NOT NULL,
  PRIMARY KEY(path, method)) WITHOUT ROWID;
)sql";

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
    if (const int rc = sqlite3_exec(db_, kSchema, nullptr, nullptr, &err); rc != SQLITE_OK) {
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
    if (sqlite3_prepare_v2(db_,
                           "SELECT width,height,format,quality,bits,vals,error_code,error,local,"
                           "decoder FROM descriptors WHERE path=?1 AND method=?2 AND version=?3 "
                           "AND size=?4 AND mtime_ns=?5",
                           -1, &lookup_, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_,
                           "INSERT OR REPLACE INTO descriptors(path,method,version,size,"
                           "mtime_ns,width,height,format,quality,bits,vals,error_code,error,local,"
                           "decoder) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
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
    return write_error_;
  }

 private:
  // The current row of lookup_ into `e`, checked column by column: Corruption naming the first
  // column that is NULL, of the wrong type or out of range. `stale`: a failure verdict reached by
  // other decoders (a miss, not damage).
  Status ReadRow(CacheEntry* e, bool* stale) {
    enum { kWidth, kHeight, kFormat, kQuality, kBits, kVals, kCode, kError, kLocal, kDecoder };
    auto type = [&](int col) { return sqlite3_column_type(lookup_, col); };
    auto integer = [&](int col, const char* name, int64_t lo, int64_t hi, int64_t* out) {
      if (type(col) != SQLITE_INTEGER)
        return CorruptionError(std::string(name) + " is not a number");
      *out = sqlite3_column_int64(lookup_, col);
      if (*out < lo || *out > hi) {
        return CorruptionError(std::string(name) + " " + std::to_string(*out) + " out of range");
      }
      return Status::Ok();
    };
    auto blob = [&](int col, const char* name, size_t unit) -> StatusOr<std::string_view> {
      if (type(col) == SQLITE_NULL) return std::string_view();
      if (type(col) != SQLITE_BLOB) return CorruptionError(std::string(name) + " is not a blob");
      const size_t n = size_t(sqlite3_column_bytes(lookup_, col));
      if (n % unit != 0) {
        return CorruptionError(std::string(name) + " blob of " + std::to_string(n) + " bytes");
      }
      return std::string_view(static_cast<const char*>(sqlite3_column_blob(lookup_, col)), n);
    };

    int64_t code = 0;
    RETURN_IF_ERROR(integer(kCode, "error code", 0, int64_t(StatusCode::kUnimplemented), &code));
    if (code != 0) {
      int64_t decoder = 0;
      RETURN_IF_ERROR(integer(kDecoder, "decoder version", 0, INT32_MAX, &decoder));
      if (type(kError) != SQLITE_TEXT || sqlite3_column_bytes(lookup_, kError) == 0) {
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
    int64_t width = 0, height = 0, quality = 0;
    RETURN_IF_ERROR(integer(kWidth, "width", 1, kMaxSide, &width));
    RETURN_IF_ERROR(integer(kHeight, "height", 1, kMaxSide, &height));
    if (width * height > kMaxStoredPixels) {
      return CorruptionError("size " + std::to_string(width) + "x" + std::to_string(height));
    }
    RETURN_IF_ERROR(integer(kQuality, "quality", 0, 100, &quality));
    if (type(kFormat) != SQLITE_TEXT) return CorruptionError("format is not text");
    const std::string_view format(
        reinterpret_cast<const char*>(sqlite3_column_text(lookup_, kFormat)),
        size_t(sqlite3_column_bytes(lookup_, kFormat)));
    if (!IsDecodedFormatName(format)) {  // a stored name is printed (tables, --csv)
      return CorruptionError("unknown format of " + std::to_string(format.size()) + " bytes");
    }
    ASSIGN_OR_RETURN(std::string_view bits, blob(kBits, "bits", sizeof(uint64_t)));
    ASSIGN_OR_RETURN(std::string_view vals, blob(kVals, "values", sizeof(Half)));
    ASSIGN_OR_RETURN(std::string_view local, blob(kLocal, "local features", 1));
    e->width = int(width);
    e->height = int(height);
    e->format = std::string(format);
    e->descriptor.quality = int(quality);
    e->descriptor.bits.resize(bits.size() / sizeof(uint64_t));
    if (!bits.empty()) std::memcpy(e->descriptor.bits.data(), bits.data(), bits.size());
    e->descriptor.values = FromHalfBytes(vals.data(), vals.size());
    e->descriptor.local.assign(local.begin(), local.end());
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

  Status WriteError() {
    return IOError(path_ + ": cannot write the cache: " + sqlite3_errmsg(db_) + SystemError(db_));
  }

  Status FlushLocked() {
    if (pending_.empty()) return Status::Ok();
    if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
      return WriteError();
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
      sqlite3_bind_int(insert_, 15, kDecoderVersion);
      if (sqlite3_step(insert_) != SQLITE_DONE) {
        Status s = WriteError();
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        pending_.clear();
        return s;
      }
    }
    pending_.clear();
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
  std::vector<Pending> pending_;
  Status write_error_;                 // the first failed write; later entries are dropped
  std::string read_error_;             // the first failed lookup (reported once)
  std::vector<std::string> warnings_;  // for TakeWarnings
};

// `path` as an SQLite URI ("file:" + the path, with %, ? and # escaped).
std::string FileUri(const std::string& path) {
  std::string uri = "file:";
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c < 0x20 || c >= 0x7f) {
      char hex[4];
      std::snprintf(hex, sizeof(hex), "%%%02X", c);
      uri += hex;
    } else {
      uri += char(c);
    }
  }
  return uri;
}

StatusOr<std::unique_ptr<DescriptorCache>> Open(const std::string& path, const Method& method,
                                                bool read_only) {
  sqlite3* db = nullptr;
  const int rc =
      read_only
          ? sqlite3_open_v2((FileUri(path) + "?immutable=1").c_str(), &db,
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
