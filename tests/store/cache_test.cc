#include "neardup/cache.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cmath>

#include "neardup/decode.h"
#include "neardup/registry.h"
#include "store/sqlite_columns.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

CacheEntry Entry(uint64_t bits, int quality) {
  CacheEntry e;
  e.descriptor.bits = {bits, ~bits, 3, 4};
  e.descriptor.values = {0.5f, -0.25f};
  e.descriptor.quality = quality;
  e.width = 640;
  e.height = 480;
  e.format = "jpeg";
  return e;
}

TEST(SqliteCache, RoundTripAcrossReopenAndStampChecks) {
  testing::TempDir dir;
  const std::string db = dir.Join("sub/cache.sqlite");  // parent folder is created
  auto pdq = std::move(MakeMethod("pdq")).value();
  FileStamp stamp{"/photos/a.jpg", 1234, 987654321};
  {
    auto cache = OpenSqliteCache(db, *pdq);
    ASSERT_TRUE(cache.ok()) << cache.status().ToString();
    EXPECT_FALSE((*cache)->Lookup(stamp).has_value());
    (*cache)->Put(stamp, Entry(42, 77));
    CacheEntry bad;
    bad.error = CorruptionError("truncated JPEG data");
    (*cache)->Put({"/photos/bad.jpg", 10, 1}, bad);
    ASSERT_TRUE((*cache)->Flush().ok());
  }
  auto cache = OpenSqliteCache(db, *pdq);
  ASSERT_TRUE(cache.ok());
  auto hit = (*cache)->Lookup(stamp);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->descriptor.bits, (std::vector<uint64_t>{42, ~uint64_t{42}, 3, 4}));
  EXPECT_EQ(hit->descriptor.values, (std::vector<float>{0.5f, -0.25f}));
  EXPECT_EQ(hit->descriptor.quality, 77);
  EXPECT_EQ(hit->width, 640);
  EXPECT_EQ(hit->format, "jpeg");
  EXPECT_TRUE(hit->error.ok());
  auto bad = (*cache)->Lookup({"/photos/bad.jpg", 10, 1});
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->error.code(), StatusCode::kCorruption);
  EXPECT_EQ(bad->error.message(), "truncated JPEG data");
  // A changed size or mtime is a miss; so is another method.
  EXPECT_FALSE((*cache)->Lookup({stamp.path, 1235, stamp.mtime_ns}).has_value());
  EXPECT_FALSE((*cache)->Lookup({stamp.path, stamp.size, stamp.mtime_ns + 1}).has_value());
  auto phash = std::move(MakeMethod("phash")).value();
  auto other = OpenSqliteCache(db, *phash);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE((*other)->Lookup(stamp).has_value());
}

// Float descriptors are stored as float16: a unit vector's cosine with itself after the round trip
// stays within 1e-3 of 1.
TEST(SqliteCache, PairEvidenceSurvivesReopenPerMethodAndVersion) {
  testing::TempDir dir;
  const std::string db = dir.Join("cache.sqlite");
  auto fused = std::move(MakeMethod("fused")).value();
  auto pdq = std::move(MakeMethod("pdq")).value();
  const uint64_t big = ~uint64_t{0} - 5;  // above INT64_MAX: stored as a signed integer
  {
    auto cache = OpenSqliteCache(db, *fused);
    ASSERT_TRUE(cache.ok());
    EXPECT_FALSE((*cache)->LookupPair(1, 2, 3).has_value());
    (*cache)->PutPair(1, 2, 3, {9, 8, 7});
    (*cache)->PutPair(big, 2, big, {1});
    ASSERT_TRUE((*cache)->Flush().ok());
  }
  auto cache = OpenSqliteCache(db, *fused);
  ASSERT_TRUE(cache.ok());
  EXPECT_EQ((*cache)->LookupPair(1, 2, 3), (std::vector<uint8_t>{9, 8, 7}));
  EXPECT_EQ((*cache)->LookupPair(big, 2, big), (std::vector<uint8_t>{1}));
  EXPECT_FALSE((*cache)->LookupPair(2, 1, 3).has_value());  // ordered
  EXPECT_FALSE((*cache)->LookupPair(1, 2, 4).has_value());  // other options
  auto other = OpenSqliteCache(db, *pdq);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE((*other)->LookupPair(1, 2, 3).has_value());  // other method
}

TEST(SqliteCache, FloatValuesAreStoredAsHalfWithinCosineTolerance) {
  testing::TempDir dir;
  auto pdq = std::move(MakeMethod("pdq")).value();
  CacheEntry e = Entry(1, 100);
  e.descriptor.values.resize(256);
  double norm = 0;
  for (int i = 0; i < 256; ++i) {
    e.descriptor.values[i] = float(std::sin(i * 1.7 + 0.3));
    norm += double(e.descriptor.values[i]) * e.descriptor.values[i];
  }
  for (float& v : e.descriptor.values) v = float(v / std::sqrt(norm));
  FileStamp stamp{"/a.jpg", 1, 2};
  {
    auto cache = std::move(OpenSqliteCache(dir.Join("c.sqlite"), *pdq)).value();
    cache->Put(stamp, e);
    ASSERT_TRUE(cache->Flush().ok());
  }
  auto cache = std::move(OpenSqliteCache(dir.Join("c.sqlite"), *pdq)).value();
  auto hit = cache->Lookup(stamp);
  ASSERT_TRUE(hit.has_value());
  ASSERT_EQ(hit->descriptor.values.size(), 256u);
  double dot = 0;
  for (int i = 0; i < 256; ++i) dot += double(hit->descriptor.values[i]) * e.descriptor.values[i];
  EXPECT_NEAR(dot, 1.0, 1e-3);
}

// A cache written by another schema version is recreated, not an error.
TEST(SqliteCache, OtherSchemaVersionIsRecreated) {
  testing::TempDir dir;
  auto pdq = std::move(MakeMethod("pdq")).value();
  FileStamp stamp{"/a.jpg", 1, 2};
  {
    auto cache = std::move(OpenSqliteCache(dir.Join("c.sqlite"), *pdq)).value();
    cache->Put(stamp, Entry(5, 100));
    ASSERT_TRUE(cache->Flush().ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.Join("c.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE meta SET value='1' WHERE key='schema_version'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto cache = OpenSqliteCache(dir.Join("c.sqlite"), *pdq);
  ASSERT_TRUE(cache.ok()) << cache.status().ToString();
  EXPECT_FALSE((*cache)->Lookup(stamp).has_value());
  (*cache)->Put(stamp, Entry(6, 100));
  ASSERT_TRUE((*cache)->Flush().ok());
  auto hit = (*cache)->Lookup(stamp);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->descriptor.bits[0], 6u);
}

TEST(SqliteCache, NonUtf8PathsAreKeys) {
  testing::TempDir dir;
  auto pdq = std::move(MakeMethod("pdq")).value();
  auto cache = std::move(OpenSqliteCache(dir.Join("c.sqlite"), *pdq)).value();
  FileStamp a{"/x/caf\xe9.jpg", 1, 1}, b{"/x/caf\xc3\xa9.jpg", 1, 1};
  cache->Put(a, Entry(1, 100));
  cache->Put(b, Entry(2, 100));
  ASSERT_TRUE(cache->Flush().ok());
  EXPECT_EQ(cache->Lookup(a)->descriptor.bits[0], 1u);
  EXPECT_EQ(cache->Lookup(b)->descriptor.bits[0], 2u);
}

TEST(SqliteCache, UnopenableLocationIsAnError) {
  testing::TempDir dir;
  testing::WriteBytes(dir.Join("file"), "x");
  auto pdq = std::move(MakeMethod("pdq")).value();
  // The parent "folder" is a regular file.
  auto cache = OpenSqliteCache(dir.Join("file/cache.sqlite"), *pdq);
  ASSERT_FALSE(cache.ok());
  EXPECT_NE(cache.status().message().find("file/cache.sqlite"), std::string::npos);
  // A file that is not a database.
  testing::WriteBytes(dir.Join("junk.sqlite"), std::string(4096, 'j'));
  EXPECT_FALSE(OpenSqliteCache(dir.Join("junk.sqlite"), *pdq).ok());
}

// Runs `sql` on the cache file directly (as a damaged or hostile cache would look).
void Exec(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

// The descriptors table rebuilt without its NOT NULL constraints, so a test can store what a
// damaged or hand-edited cache could hold.
void DropConstraints(const std::string& db_path) {
  const std::string cols =
      "path,method,version,size,mtime_ns,width,height,format,quality,bits,vals,local,error_code,"
      "error,decoder";
  Exec(db_path,
       "ALTER TABLE descriptors RENAME TO old; CREATE TABLE descriptors(path BLOB, "
       "method TEXT, version, size, mtime_ns, width, height, format, quality, bits, vals, "
       "local, error_code, error, decoder, PRIMARY KEY(path, method)); "
       "INSERT INTO descriptors(" +
           cols + ") SELECT " + cols + " FROM old; DROP TABLE old");
}

struct Damage {
  const char* name;
  const char* set;     // SQL assignment applied to the stored row
  const char* reason;  // expected in the warning
};

// Every column read back is checked: NULLs, types, blob sizes, ranges, known names and codes. A
// damaged row is a miss (so the file is recomputed), reported once, and replaced by the next Put.
TEST(SqliteCache, DamagedRowsAreMissesReportedOnceAndReplaced) {
  const Damage kDamages[] = {
      {"null format", "format=NULL", "format is not text"},
      {"format with a comma", "format='jpeg,x'", "unknown format"},
      {"format with a newline", "format='png' || char(10)", "unknown format"},
      {"one-byte hash blob", "bits=x'01'", "bits blob of 1 bytes"},
      {"hash blob not whole words", "bits=x'0102030405060708090a'", "bits blob of 10 bytes"},
      {"text hash", "bits='abcdefgh'", "bits is not a blob"},
      {"odd float16 blob", "vals=x'010203'", "values blob of 3 bytes"},
      {"binary16 NaN", "vals=x'0000007e'", "values hold a NaN or infinite component"},
      {"text local features", "local='abc'", "local features is not a blob"},
      {"empty descriptor", "bits=NULL, vals=NULL, local=NULL", "empty descriptor"},
      {"negative width", "width=-5", "width -5 out of range"},
      {"zero height", "height=0", "height 0 out of range"},
      {"huge width", "width=4294967296", "width 4294967296 out of range"},
      {"text width", "width='wide'", "width is not a number"},
      {"quality over 100", "quality=1000", "quality 1000 out of range"},
      {"null error code", "error_code=NULL", "error code is not a number"},
      {"unknown error code", "error_code=99", "error code 99 out of range"},
      {"null message of a failure", "error_code=4, error=NULL", "failure without a message"},
      {"10 MB failure message", "error_code=4, error=printf('%.*c', 10000000, 'x')",
       "failure message of 10000000 bytes"},
      {"failure without decoder version", "error_code=4, error='x', decoder=NULL",
       "decoder version is not a number"},
  };
  auto pdq = std::move(MakeMethod("pdq")).value();
  for (const Damage& damage : kDamages) {
    SCOPED_TRACE(damage.name);
    testing::TempDir dir;
    const std::string db = dir.Join("c.sqlite");
    FileStamp stamp{"/photos/a.jpg", 1234, 5678};
    {
      auto cache = std::move(OpenSqliteCache(db, *pdq)).value();
      cache->Put(stamp, Entry(42, 90));
      ASSERT_TRUE(cache->Flush().ok());
    }
    DropConstraints(db);
    Exec(db, std::string("UPDATE descriptors SET ") + damage.set);
    auto cache = std::move(OpenSqliteCache(db, *pdq)).value();
    EXPECT_FALSE(cache->Lookup(stamp).has_value());
    std::vector<std::string> warnings = cache->TakeWarnings();
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_EQ(warnings[0].rfind("cache row for /photos/a.jpg was damaged (", 0), 0u) << warnings[0];
    EXPECT_NE(warnings[0].find(damage.reason), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("recomputed"), std::string::npos);
    EXPECT_TRUE(cache->TakeWarnings().empty());  // once
    cache->Put(stamp, Entry(43, 90));            // the recomputed entry replaces the row
    ASSERT_TRUE(cache->Flush().ok());
    auto hit = cache->Lookup(stamp);
    ASSERT_TRUE(hit.has_value());
    EXPECT_EQ(hit->descriptor.bits[0], 43u);
    EXPECT_TRUE(cache->TakeWarnings().empty());
  }
}

// Failure verdicts are trusted only from the decoders that reached them; a good row does not
// depend on the decoder version.
TEST(SqliteCache, FailureOfAnotherDecoderVersionIsAMiss) {
  testing::TempDir dir;
  const std::string db = dir.Join("c.sqlite");
  auto pdq = std::move(MakeMethod("pdq")).value();
  FileStamp good{"/good.jpg", 1, 1}, bad{"/bad.jpg", 2, 2};
  {
    auto cache = std::move(OpenSqliteCache(db, *pdq)).value();
    cache->Put(good, Entry(7, 100));
    CacheEntry failed;
    failed.error = CorruptionError("bad JPEG header: two SOF markers");
    cache->Put(bad, failed);
    ASSERT_TRUE(cache->Flush().ok());
  }
  {
    auto cache = std::move(OpenSqliteCache(db, *pdq)).value();
    auto hit = cache->Lookup(bad);  // same decoders: trusted
    ASSERT_TRUE(hit.has_value());
    EXPECT_EQ(hit->error.message(), "bad JPEG header: two SOF markers");
  }
  Exec(db, "UPDATE descriptors SET decoder=" + std::to_string(kDecoderVersion - 1));
  auto cache = std::move(OpenSqliteCache(db, *pdq)).value();
  EXPECT_FALSE(cache->Lookup(bad).has_value());
  EXPECT_TRUE(cache->Lookup(good).has_value());
  EXPECT_TRUE(cache->TakeWarnings().empty());  // stale, not damaged
}

// The column names of the cache's descriptors table, in order.
std::vector<std::string> Columns(const std::string& db_path) {
  return testing::SqliteColumns(db_path, "descriptors");
}

// The on-disk format of schema 4 is kept: a cache made by the code before the descriptor row had
// one definition (its DDL copied here) is read the same (no recreation), takes new entries, and a
// new cache has the same columns in the same order.
TEST(SqliteCache, Schema4CacheOfEarlierCodeReadsTheSame) {
  testing::TempDir dir;
  const std::string db = dir.Join("c.sqlite");
  auto pdq = std::move(MakeMethod("pdq")).value();
  Exec(db,
       "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
       "INSERT INTO meta VALUES('schema_version','4');"
       "CREATE TABLE descriptors(path BLOB NOT NULL, method TEXT NOT NULL, version INTEGER NOT "
       "NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, width INTEGER NOT NULL, height "
       "INTEGER NOT NULL, format TEXT NOT NULL, quality INTEGER NOT NULL, bits BLOB, vals BLOB, "
       "local BLOB, error_code INTEGER NOT NULL, error TEXT NOT NULL, decoder INTEGER NOT NULL, "
       "PRIMARY KEY(path, method)) WITHOUT ROWID;"
       // bits: the words 42 and 7 (little-endian); vals: binary16 0.5 and -0.25; local: 3 bytes.
       "INSERT INTO descriptors VALUES(CAST('/a.jpg' AS BLOB),'pdq'," +
           std::to_string(pdq->version()) +
           ",1234,5678,640,480,'jpeg',77,x'2a000000000000000700000000000000',x'003800b4',"
           "x'010203',0,'',0);"
           "INSERT INTO descriptors VALUES(CAST('/bad.jpg' AS BLOB),'pdq'," +
           std::to_string(pdq->version()) + ",10,1,0,0,'',100,NULL,NULL,NULL,4,'truncated'," +
           std::to_string(kDecoderVersion) + ");");
  const std::vector<std::string> columns = Columns(db);
  {
    auto cache = OpenSqliteCache(db, *pdq);
    ASSERT_TRUE(cache.ok()) << cache.status().ToString();
    auto hit = (*cache)->Lookup({"/a.jpg", 1234, 5678});
    ASSERT_TRUE(hit.has_value()) << ::testing::PrintToString((*cache)->TakeWarnings());
    EXPECT_EQ(hit->width, 640);
    EXPECT_EQ(hit->height, 480);
    EXPECT_EQ(hit->format, "jpeg");
    EXPECT_EQ(hit->descriptor.quality, 77);
    EXPECT_EQ(hit->descriptor.bits, (std::vector<uint64_t>{42, 7}));
    EXPECT_EQ(hit->descriptor.values, (std::vector<float>{0.5f, -0.25f}));
    EXPECT_EQ(hit->descriptor.local, (std::vector<uint8_t>{1, 2, 3}));
    auto bad = (*cache)->Lookup({"/bad.jpg", 10, 1});
    ASSERT_TRUE(bad.has_value());
    EXPECT_EQ(bad->error.code(), StatusCode::kCorruption);
    EXPECT_EQ(bad->error.message(), "truncated");
    (*cache)->Put({"/b.png", 1, 1}, Entry(9, 100));
    ASSERT_TRUE((*cache)->Flush().ok());
    EXPECT_EQ((*cache)->Lookup({"/b.png", 1, 1})->descriptor.bits[0], 9u);
    EXPECT_TRUE((*cache)->TakeWarnings().empty());
  }
  const std::string fresh = dir.Join("new.sqlite");
  ASSERT_TRUE(OpenSqliteCache(fresh, *pdq).ok());
  EXPECT_EQ(Columns(fresh), columns);
}

// A cache of schema 3 (no decoder column: its failures may come from the JPEG decoder that kept
// state across files) is recreated, so none of its verdicts survive.
TEST(SqliteCache, SchemaWithoutDecoderVersionIsRecreated) {
  testing::TempDir dir;
  const std::string db = dir.Join("c.sqlite");
  Exec(db,
       "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
       "INSERT INTO meta VALUES('schema_version','3');"
       "CREATE TABLE descriptors(path BLOB NOT NULL, method TEXT NOT NULL, version INTEGER NOT "
       "NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, width INTEGER NOT NULL, height "
       "INTEGER NOT NULL, format TEXT NOT NULL, quality INTEGER NOT NULL, bits BLOB, vals BLOB, "
       "local BLOB, error_code INTEGER NOT NULL, error TEXT NOT NULL, PRIMARY KEY(path, method)) "
       "WITHOUT ROWID;"
       "INSERT INTO descriptors VALUES(CAST('/a.jpg' AS BLOB),'pdq',1,1,1,0,0,'',100,NULL,NULL,"
       "NULL,4,'bad JPEG header');");
  auto pdq = std::move(MakeMethod("pdq")).value();
  auto cache = OpenSqliteCache(db, *pdq);
  ASSERT_TRUE(cache.ok()) << cache.status().ToString();
  EXPECT_FALSE((*cache)->Lookup({"/a.jpg", 1, 1}).has_value());
  EXPECT_TRUE((*cache)->TakeWarnings().empty());
}

// A schema version that is NULL or not a number is an unknown layout: recreated, not a crash.
TEST(SqliteCache, DamagedSchemaVersionIsRecreated) {
  auto pdq = std::move(MakeMethod("pdq")).value();
  for (const char* value : {"NULL", "'four'", "x'00'"}) {
    SCOPED_TRACE(value);
    testing::TempDir dir;
    const std::string db = dir.Join("c.sqlite");
    {
      auto cache = std::move(OpenSqliteCache(db, *pdq)).value();
      cache->Put({"/a.jpg", 1, 1}, Entry(3, 100));
      ASSERT_TRUE(cache->Flush().ok());
    }
    Exec(db, std::string("DROP TABLE meta; CREATE TABLE meta(key TEXT PRIMARY KEY, value);"
                         "INSERT INTO meta VALUES('schema_version',") +
                 value + ")");
    auto cache = OpenSqliteCache(db, *pdq);
    ASSERT_TRUE(cache.ok()) << cache.status().ToString();
    EXPECT_FALSE((*cache)->Lookup({"/a.jpg", 1, 1}).has_value());
  }
}

// A database whose pages are damaged fails its lookups: one warning naming the cache, not one per
// file, and every file is a miss.
TEST(SqliteCache, UnreadableDatabaseIsReportedOnce) {
  testing::TempDir dir;
  const std::string db = dir.Join("c.sqlite");
  auto pdq = std::move(MakeMethod("pdq")).value();
  {
    auto cache = std::move(OpenSqliteCache(db, *pdq)).value();
    for (int i = 0; i < 400; ++i)
      cache->Put({"/p/" + std::to_string(i) + ".jpg", i, i}, Entry(i, 100));
    ASSERT_TRUE(cache->Flush().ok());
  }
  Exec(db, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE");
  std::string bytes = testing::ReadFile(db);
  ASSERT_GT(bytes.size(), 4u * 4096);
  // Overwrite the pages after the schema, meta and the descriptors' root (pages 1-4): the rows.
  for (size_t at = 4 * 4096; at < bytes.size(); ++at) bytes[at] = char(0x5A);
  testing::WriteBytes(db, bytes);
  auto cache = OpenSqliteCache(db, *pdq);
  ASSERT_TRUE(cache.ok()) << cache.status().ToString();
  int hits = 0;
  for (int i = 0; i < 400; ++i)
    hits += (*cache)->Lookup({"/p/" + std::to_string(i) + ".jpg", i, i}).has_value();
  EXPECT_EQ(hits, 0);
  std::vector<std::string> warnings = (*cache)->TakeWarnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(db + ": cannot read the cache"), std::string::npos) << warnings[0];
}

TEST(MemoryCache, ChecksStamp) {
  auto cache = NewMemoryCache();
  cache->Put({"/a", 1, 2}, Entry(5, 100));
  EXPECT_TRUE(cache->Lookup({"/a", 1, 2}).has_value());
  EXPECT_FALSE(cache->Lookup({"/a", 1, 3}).has_value());
}

TEST(DefaultCachePath, FollowsEnvironment) {
  setenv("NEARDUP_CACHE", "/tmp/x.sqlite", 1);
  EXPECT_EQ(DefaultCachePath(), "/tmp/x.sqlite");
  unsetenv("NEARDUP_CACHE");
  setenv("XDG_CACHE_HOME", "/tmp/xdg", 1);
  EXPECT_EQ(DefaultCachePath(), "/tmp/xdg/neardup/descriptors.sqlite");
  unsetenv("XDG_CACHE_HOME");
}

}  // namespace
}  // namespace neardup
