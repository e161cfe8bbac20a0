#include "neardup/cache.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cmath>

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
