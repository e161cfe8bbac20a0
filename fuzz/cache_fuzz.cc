// The descriptor cache's row reader: the columns of a row of a real cache (made by
// OpenSqliteCache for the default method) are overwritten with fuzzed values of any storage class
// (NULL, integers, reals, text, blobs) using SQLite directly, then read back through the public
// API: Lookup, and Scan (what `find` runs) over the file the row describes, whose result is used
// as find uses it. Some inputs also damage the cache's schema_version and reopen the file.
// The tables are recreated without their NOT NULL constraints first: a damaged or foreign file
// has none to rely on. The file itself is not an image, so a row that is refused costs one failed
// decode, not a description.
#include <fuzzer/FuzzedDataProvider.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/fuzz_sqlite.h"
#include "fuzz/fuzz_util.h"
#include "fuzz/test_images.h"
#include "neardup/cache.h"
#include "neardup/descriptor.h"
#include "neardup/find.h"
#include "neardup/fuse.h"
#include "neardup/registry.h"
#include "neardup/verify.h"

namespace {

using neardup::fuzz::BindFuzzed;
using neardup::fuzz::ExecOrDie;

// The key columns: a row whose key changes is another file's, never found by this Lookup.
const std::vector<std::string> kKey = {"path", "method", "version", "size", "mtime_ns"};

struct Setup {
  std::string dir = neardup::fuzz::MakeTempDir("cache");
  std::string path = dir + "/cache.sqlite";
  std::string reopen_path = dir + "/reopen.sqlite";
  std::unique_ptr<neardup::Method> method;
  std::string file = dir + "/picture.jpg";
  neardup::FileStamp stamp;
  neardup::Descriptor real;  // a good descriptor of another picture, as find compares
  std::string pristine;      // the checkpointed cache file
  std::unique_ptr<neardup::DescriptorCache> cache;  // open on `path` for the whole run
  sqlite3* db = nullptr;                            // a second connection that damages rows
  std::vector<std::string> columns;  // every column but the key, as the UPDATE binds them
  sqlite3_stmt* update = nullptr;
  std::unique_ptr<neardup::fuzz::SavedRow> original;

  Setup() {
    method = std::move(neardup::MakeMethod(neardup::kDefaultMethod)).value();
    real = neardup::fuzz::Describe(*method, neardup::fuzz::TexturedImage(300, 200, 3));
    neardup::fuzz::WriteAll(file, "not an image: a refused row is recomputed cheaply");
    struct stat st;
    if (stat(file.c_str(), &st) != 0) std::abort();
    stamp = {std::filesystem::absolute(file).lexically_normal().string(), int64_t(st.st_size),
             int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
    {
      auto made = neardup::OpenSqliteCache(path, *method);
      neardup::fuzz::CheckSetup(made.status(), "OpenSqliteCache");
      neardup::CacheEntry e;
      e.descriptor = neardup::fuzz::Describe(*method, neardup::fuzz::TexturedImage(320, 240, 5));
      e.width = 320;
      e.height = 240;
      e.format = "jpeg";
      (*made)->Put(stamp, e);
      neardup::fuzz::CheckSetup((*made)->Flush(), "Flush");
    }
    db = neardup::fuzz::OpenOrDie(path);
    neardup::fuzz::DropNotNull(db, "descriptors");
    neardup::fuzz::DropNotNull(db, "meta");
    ExecOrDie(db, "PRAGMA wal_checkpoint(TRUNCATE);");
    pristine = neardup::fuzz::ReadAll(path);
    columns = neardup::fuzz::Columns(db, "descriptors", kKey);
    original = std::make_unique<neardup::fuzz::SavedRow>(
        db, "SELECT " + neardup::fuzz::List(columns) + " FROM descriptors");
    const std::string sql = "UPDATE descriptors SET " + neardup::fuzz::Assignments(columns);
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &update, nullptr) != SQLITE_OK) std::abort();
    auto opened = neardup::OpenSqliteCache(path, *method);
    neardup::fuzz::CheckSetup(opened.status(), "OpenSqliteCache again");
    cache = std::move(opened).value();
  }

  // Binds the fuzzed row values and runs the UPDATE on `on`.
  void Damage(sqlite3* on, FuzzedDataProvider& fdp) {
    sqlite3_stmt* st = update;
    if (on != db && sqlite3_prepare_v2(on, sqlite3_sql(update), -1, &st, nullptr) != SQLITE_OK) {
      std::abort();
    }
    sqlite3_reset(st);
    for (size_t c = 0; c < columns.size(); ++c) BindFuzzed(st, int(c + 1), fdp, (*original)[c]);
    if (sqlite3_step(st) != SQLITE_DONE) std::abort();
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (st != update) sqlite3_finalize(st);
  }
};

// A looked-up entry holds valid strings and a known status; Scan (which checks each hit's
// descriptor) gives find either the file with a usable descriptor or one error for it.
void CheckLookup(const std::optional<neardup::CacheEntry>& e) {
  if (!e) return;
  const int code = static_cast<int>(e->error.code());
  FUZZ_CHECK(code >= 0 && code <= static_cast<int>(neardup::StatusCode::kUnimplemented));
  FUZZ_CHECK(e->error.ok() || !e->error.message().empty());
}

void CheckScan(Setup& setup, neardup::DescriptorCache* cache) {
  neardup::ScanOptions options;
  options.inputs = {setup.file};
  options.threads = 1;
  options.cache = cache;
  neardup::StatusOr<neardup::ScanResult> r = neardup::Scan(options, *setup.method);
  FUZZ_CHECK(r.ok());
  FUZZ_CHECK(r->files.size() + r->errors.size() == 1);
  for (const neardup::InputError& e : r->errors) FUZZ_CHECK(!e.status.message().empty());
  for (const neardup::ScannedFile& f : r->files) {
    FUZZ_CHECK(f.facts.width > 0 && f.facts.height > 0 && !f.facts.format.empty());
    for (char c : f.facts.format) FUZZ_CHECK(c > 0x20 && c < 0x7f && c != ',' && c != '"');
    FUZZ_CHECK(setup.method->CheckDescriptor(f.descriptor).ok());
    // A descriptor that passed CheckDescriptor is always comparable: no error, no crash.
    const neardup::StatusOr<double> d = setup.method->Distance(f.descriptor, setup.real);
    FUZZ_CHECK(d.ok() && *d >= 0 && *d <= 1);
    FUZZ_CHECK(setup.method->Distance(f.descriptor, f.descriptor).ok());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Setup setup;
  FuzzedDataProvider fdp(data, size);
  const bool reopen = fdp.ConsumeIntegralInRange<int>(0, 7) == 0;
  if (!reopen) {
    setup.Damage(setup.db, fdp);
    CheckLookup(setup.cache->Lookup(setup.stamp));
    CheckScan(setup, setup.cache.get());
    return 0;
  }
  // A copy of the pristine file whose schema_version and row are damaged, opened afresh.
  std::error_code ec;
  std::filesystem::remove(setup.reopen_path + "-wal", ec);
  std::filesystem::remove(setup.reopen_path + "-shm", ec);
  neardup::fuzz::WriteAll(setup.reopen_path, setup.pristine);
  sqlite3* db = neardup::fuzz::OpenOrDie(setup.reopen_path);
  {
    neardup::fuzz::SavedRow version(db, "SELECT value FROM meta WHERE key='schema_version'");
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "UPDATE meta SET value=?1 WHERE key='schema_version'", -1, &st, nullptr);
    BindFuzzed(st, 1, fdp, version[0]);
    if (sqlite3_step(st) != SQLITE_DONE) std::abort();
    sqlite3_finalize(st);
  }
  setup.Damage(db, fdp);
  sqlite3_close(db);
  auto cache = neardup::OpenSqliteCache(setup.reopen_path, *setup.method);
  if (!cache.ok()) return 0;
  CheckLookup((*cache)->Lookup(setup.stamp));
  CheckScan(setup, cache->get());
  return 0;
}
