#include "neardup/cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

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
