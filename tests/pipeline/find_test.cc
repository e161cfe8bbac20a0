#include "neardup/find.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "neardup/decode.h"
#include "neardup/preprocess.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

// Writes 6 unrelated photos and, for photo 0, a half-size copy, a JPEG q=40 copy and a mirror.
void MakeFolder(const testing::TempDir& d) {
  for (int i = 0; i < 6; ++i) {
    Image img = testing::MakeTestPhoto(480, 360, 100 + i);
    ASSERT_TRUE(WriteImage(d.Join("photo" + std::to_string(i) + ".png"), img).ok());
    if (i == 0) {
      ASSERT_TRUE(WriteImage(d.Join("copy_half.jpg"), Resize(img, 240, 180), 90).ok());
      ASSERT_TRUE(WriteImage(d.Join("copy_q40.jpg"), img, 40).ok());
      ASSERT_TRUE(WriteImage(d.Join("copy_mirror.png"), FlipHorizontal(img)).ok());
    }
  }
  testing::WriteBytes(d.Join("broken.jpg"), "\xFF\xD8\xFF\xE0 not really a jpeg");
}

std::set<std::string> Names(const FindResult& r, const Group& g) {
  std::set<std::string> s;
  for (const GroupMember& m : g.members) {
    const std::string& p = r.scan.files[m.item].path;
    s.insert(p.substr(p.rfind('/') + 1));
  }
  return s;
}

TEST(Find, GroupsCopiesKeepsTheOriginalAndReportsBrokenFiles) {
  testing::TempDir d, cache_dir;
  MakeFolder(d);
  FindOptions o;
  o.scan.inputs = {d.path()};
  o.scan.cache_path = cache_dir.Join("c.sqlite");
  o.scan.threads = 2;
  StatusOr<FindResult> r = Find(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->scan.files.size(), 9u);
  ASSERT_EQ(r->scan.errors.size(), 1u);
  EXPECT_EQ(r->scan.errors[0].path, d.Join("broken.jpg"));
  ASSERT_EQ(r->groups.size(), 1u);
  EXPECT_EQ(Names(*r, r->groups[0]), (std::set<std::string>{"photo0.png", "copy_half.jpg",
                                                            "copy_q40.jpg", "copy_mirror.png"}));
  // The original: full size, lossless (the mirror ties on both; bytes decide, so either may win).
  const ScannedFile& kept = r->scan.files[r->groups[0].members[0].item];
  EXPECT_EQ(kept.facts.width, 480);
  EXPECT_EQ(kept.facts.format, "png");
  EXPECT_EQ(r->scan.decoded, 10);

  // Second run: everything from the cache, same answer.
  StatusOr<FindResult> again = Find(o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->scan.decoded, 0);
  EXPECT_EQ(again->scan.cached, 10);
  ASSERT_EQ(again->groups.size(), 1u);
  EXPECT_EQ(Names(*again, again->groups[0]), Names(*r, r->groups[0]));
  ASSERT_EQ(again->scan.errors.size(), 1u);  // the broken file is still reported

  // A changed file is decoded again.
  ASSERT_TRUE(WriteImage(d.Join("photo5.png"), testing::MakeTestPhoto(100, 100, 5)).ok());
  StatusOr<FindResult> third = Find(o);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->scan.decoded, 1);
}

TEST(Find, PlainPdqMissesTheMirrorThatPdq8Finds) {
  testing::TempDir d;
  MakeFolder(d);
  FindOptions o;
  o.scan.inputs = {d.path()};
  o.scan.use_cache = false;
  o.scan.method = "pdq";
  StatusOr<FindResult> r = Find(o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->groups.size(), 1u);
  EXPECT_EQ(Names(*r, r->groups[0]).count("copy_mirror.png"), 0u);
  EXPECT_EQ(r->groups[0].members.size(), 3u);
}

TEST(Find, UnwritableCacheIsAWarningNotAFailure) {
  testing::TempDir d;
  MakeFolder(d);
  testing::WriteBytes(d.Join("not_a_folder"), "x");
  FindOptions o;
  o.scan.inputs = {d.path()};
  o.scan.cache_path = d.Join("not_a_folder/cache.sqlite");
  StatusOr<FindResult> r = Find(o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->scan.warnings.size(), 1u);
  EXPECT_NE(r->scan.warnings[0].find("cache disabled"), std::string::npos);
  EXPECT_EQ(r->groups.size(), 1u);
}

TEST(Find, UnknownMethodIsAnError) {
  FindOptions o;
  o.scan.inputs = {"."};
  o.scan.method = "nope";
  EXPECT_EQ(Find(o).status().code(), StatusCode::kNotFound);
}

TEST(Pairs, KNearestWithScores) {
  testing::TempDir d;
  MakeFolder(d);
  ScanOptions o;
  o.inputs = {d.path()};
  o.use_cache = false;
  StatusOr<PairsResult> r = Pairs(o, 2);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->neighbors.size(), r->scan.files.size());
  for (size_t i = 0; i < r->neighbors.size(); ++i) {
    ASSERT_EQ(r->neighbors[i].size(), 2u);
    EXPECT_LE(r->neighbors[i][0].distance, r->neighbors[i][1].distance);
    EXPECT_NE(size_t(r->neighbors[i][0].id), i);
  }
  EXPECT_FALSE(Pairs(o, 0).ok());
}

}  // namespace
}  // namespace neardup
