#include "neardup/find.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
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
  // The default (fused) run matched on local features it no longer holds in memory: they were
  // moved to the temporary spill file during the scan and read back per pair.
  for (const ScannedFile& f : r->scan.files) EXPECT_TRUE(f.descriptor.local.empty()) << f.path;
  // The result names its method and lists, per group, exactly the pairs inside it.
  ASSERT_NE(r->method, nullptr);
  EXPECT_EQ(r->method->name(), kDefaultMethod);
  EXPECT_EQ(r->threshold, r->method->default_threshold());
  ASSERT_EQ(r->evidence.size(), r->pairs.size());
  std::vector<int64_t> inside;
  for (size_t k = 0; k < r->pairs.size(); ++k) {
    std::set<std::string> names = Names(*r, r->groups[0]);
    if (names.count(std::filesystem::path(r->scan.files[r->pairs[k].a].path).filename()) &&
        names.count(std::filesystem::path(r->scan.files[r->pairs[k].b].path).filename())) {
      inside.push_back(int64_t(k));
    }
  }
  EXPECT_FALSE(inside.empty());
  EXPECT_EQ(r->groups[0].pairs, inside);

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

// Runs `sql` on a cache file directly (as a damaged or hand-edited cache would look).
void Exec(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
      << sql << ": " << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

// The SQL condition that selects the cache row of file `name`.
std::string RowOf(const std::string& name) {
  return " WHERE CAST(path AS TEXT) LIKE '%/" + name + "'";
}

size_t CountContaining(const std::vector<std::string>& lines, const std::string& part) {
  return size_t(std::count_if(lines.begin(), lines.end(), [&](const std::string& l) {
    return l.find(part) != std::string::npos;
  }));
}

// Defect 3 (issue 12): a 1-byte hash blob made every image one group, a negative width was
// printed, a NULL or odd format crashed or leaked into CSV. Each damaged row is now reported once
// and recomputed, and the groups are those of a clean run.
TEST(Find, DamagedCacheRowsAreRecomputedNotTrusted) {
  testing::TempDir d, cache_dir;
  MakeFolder(d);
  FindOptions o;
  o.scan.inputs = {d.path()};
  o.scan.method = "pdq8";
  o.scan.cache_path = cache_dir.Join("c.sqlite");
  o.scan.threads = 2;
  StatusOr<FindResult> clean = Find(o);
  ASSERT_TRUE(clean.ok());
  ASSERT_EQ(clean->groups.size(), 1u);
  ASSERT_TRUE(clean->scan.warnings.empty());

  const std::string db = o.scan.cache_path;
  Exec(db, "UPDATE descriptors SET bits=x'01'" + RowOf("photo1.png"));
  Exec(db, "UPDATE descriptors SET bits=zeroblob(8)" + RowOf("photo2.png"));    // 1 of 32 words
  Exec(db, "UPDATE descriptors SET bits=zeroblob(264)" + RowOf("photo3.png"));  // 33 words
  Exec(db, "UPDATE descriptors SET width=-5" + RowOf("photo4.png"));
  Exec(db, "UPDATE descriptors SET format='png,\"x\"'" + RowOf("copy_mirror.png"));
  Exec(db, "UPDATE descriptors SET vals=x'003c'" + RowOf("copy_half.jpg"));  // a float on a hash
  StatusOr<FindResult> r = Find(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scan.decoded, 6);
  ASSERT_EQ(r->scan.warnings.size(), 6u) << ::testing::PrintToString(r->scan.warnings);
  for (const char* name : {"photo1.png", "photo2.png", "photo3.png", "photo4.png",
                           "copy_mirror.png", "copy_half.jpg"}) {
    EXPECT_EQ(CountContaining(r->scan.warnings, std::string("/") + name + " was damaged"), 1u)
        << name;
  }
  EXPECT_EQ(CountContaining(r->scan.warnings, "1 hash words, expected 32"), 1u);
  EXPECT_EQ(CountContaining(r->scan.warnings, "33 hash words, expected 32"), 1u);
  EXPECT_EQ(CountContaining(r->scan.warnings, "bits blob of 1 bytes"), 1u);
  EXPECT_EQ(CountContaining(r->scan.warnings, "width -5 out of range"), 1u);
  ASSERT_EQ(r->groups.size(), 1u);
  EXPECT_EQ(Names(*r, r->groups[0]), Names(*clean, clean->groups[0]));
  for (const ScannedFile& f : r->scan.files) {
    EXPECT_GT(f.facts.width, 0) << f.path;
    EXPECT_TRUE(f.facts.format == "png" || f.facts.format == "jpeg") << f.path;
  }

  // The recomputed rows replaced the damaged ones.
  StatusOr<FindResult> again = Find(o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->scan.decoded, 0);
  EXPECT_TRUE(again->scan.warnings.empty());
}

// Defect 3: a 5-byte keypoint blob made the fused method lose the file's matches silently. Local
// features that do not parse are damage: recomputed, and the copy is grouped again.
TEST(Find, FusedLocalFeaturesThatDoNotParseAreRecomputed) {
  testing::TempDir d, cache_dir;
  const Image photo = testing::MakeTestPhoto(480, 360, 100);
  ASSERT_TRUE(WriteImage(d.Join("photo0.png"), photo).ok());
  ASSERT_TRUE(WriteImage(d.Join("copy_half.jpg"), Resize(photo, 240, 180), 90).ok());
  ASSERT_TRUE(WriteImage(d.Join("copy_q40.jpg"), photo, 40).ok());
  ASSERT_TRUE(WriteImage(d.Join("other.png"), testing::MakeTestPhoto(480, 360, 7)).ok());
  FindOptions o;
  o.scan.inputs = {d.path()};
  o.scan.cache_path = cache_dir.Join("c.sqlite");
  o.scan.threads = 2;
  StatusOr<FindResult> clean = Find(o);
  ASSERT_TRUE(clean.ok());
  ASSERT_EQ(clean->groups.size(), 1u);
  ASSERT_EQ(Names(*clean, clean->groups[0]).count("copy_q40.jpg"), 1u);
  Exec(o.scan.cache_path, "UPDATE descriptors SET local=x'0102030405'" + RowOf("copy_q40.jpg"));
  Exec(o.scan.cache_path, "UPDATE descriptors SET local=NULL" + RowOf("copy_half.jpg"));
  StatusOr<FindResult> r = Find(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scan.decoded, 2);
  ASSERT_EQ(r->scan.warnings.size(), 2u);
  EXPECT_EQ(CountContaining(r->scan.warnings, "/copy_q40.jpg was damaged (local features"), 1u);
  EXPECT_EQ(CountContaining(r->scan.warnings, "/copy_half.jpg was damaged (local features"), 1u);
  ASSERT_EQ(r->groups.size(), 1u);
  EXPECT_EQ(Names(*r, r->groups[0]), Names(*clean, clean->groups[0]));
}

// Defect 1, cache half: a JPEG decoder that kept state after one bad file made good files fail,
// and the cache kept those verdicts. A verdict of other decoders is re-checked; one of the current
// decoders is trusted (so a re-run still reports a broken file without reading it).
TEST(Find, FailureVerdictsOfOtherDecodersAreRechecked) {
  testing::TempDir d, cache_dir;
  MakeFolder(d);
  FindOptions o;
  o.scan.inputs = {d.path()};
  o.scan.method = "pdq8";
  o.scan.cache_path = cache_dir.Join("c.sqlite");
  ASSERT_TRUE(Find(o).ok());
  const std::string poisoned =
      "UPDATE descriptors SET error_code=4, error='bad JPEG header: two SOF markers', decoder=";
  Exec(o.scan.cache_path,
       poisoned + std::to_string(kDecoderVersion) + RowOf("photo1.png"));  // control
  Exec(o.scan.cache_path, poisoned + std::to_string(kDecoderVersion - 1) + RowOf("copy_q40.jpg"));
  StatusOr<FindResult> r = Find(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scan.decoded, 1);  // copy_q40.jpg only
  ASSERT_EQ(r->scan.errors.size(), 2u);
  EXPECT_EQ(r->scan.errors[0].path, d.Join("broken.jpg"));
  EXPECT_EQ(r->scan.errors[1].path, d.Join("photo1.png"));
  ASSERT_EQ(r->groups.size(), 1u);
  EXPECT_EQ(Names(*r, r->groups[0]).count("copy_q40.jpg"), 1u);
  EXPECT_TRUE(r->scan.warnings.empty());
}

// A method whose Compute fails by the image's width, to reach Scan's caching rule for each kind of
// failure without a real out-of-memory or a failing disk.
class FailingMethod : public Method {
 public:
  std::string name() const override { return "failing-test-method"; }
  int version() const override { return 1; }
  Metric metric() const override { return Metric::kHamming; }
  int dims() const override { return 64; }
  int min_decode_side() const override { return 0; }
  double default_threshold() const override { return 0; }
  StatusOr<Descriptor> Compute(const Image& image) const override {
    switch (image.width) {
      case 101:
        return ResourceExhaustedError("out of memory while decoding");
      case 102:
        return IOError("read error: Input/output error");
      case 103:
        return CorruptionError("truncated data");
      default:
        return Descriptor{{uint64_t(image.width)}, {}, {}, 100};
    }
  }
  StatusOr<double> Distance(const Descriptor&, const Descriptor&) const override { return 0.0; }
  double Score(double distance) const override { return 1 - distance; }
  double DistanceForScore(double score) const override { return 1 - score; }
};

// A BMP header claiming `side` x `side` pixels and nothing else.
std::string HugeBmpHeader(uint32_t side) {
  std::string b(54, '\0');
  auto le32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = char(v >> (8 * i));
  };
  b[0] = 'B';
  b[1] = 'M';
  le32(2, 54);
  le32(10, 54);
  le32(14, 40);
  le32(18, side);
  le32(22, side);
  b[26] = 1;   // planes
  b[28] = 24;  // bits per pixel
  return b;
}

// Sets the decoding memory budget for one test, and back to the default after it.
class DecodeBudgetFor {
 public:
  explicit DecodeBudgetFor(int64_t bytes) { SetDecodeMemoryBudget(bytes); }
  ~DecodeBudgetFor() { SetDecodeMemoryBudget(0); }
};

// Only verdicts about the file's content are cached: not an out-of-memory, a refusal by the
// decoding memory budget or an I/O error of one run, and a pixel-limit verdict only under the
// default limit it was reached with.
TEST(Scan, OnlyContentFailuresAreCached) {
  testing::TempDir d, cache_dir;
  for (int w : {101, 102, 103, 104}) {
    ASSERT_TRUE(
        WriteImage(d.Join(std::to_string(w) + ".png"), testing::MakeTestPhoto(w, 40, w)).ok());
  }
  testing::WriteBytes(d.Join("budget.bmp"), HugeBmpHeader(4000));  // ~180 MB to decode
  testing::WriteBytes(d.Join("huge.bmp"), HugeBmpHeader(30000));   // over the pixel limit
  DecodeBudgetFor budget(int64_t{64} << 20);
  FailingMethod method;
  ScanOptions o;
  o.inputs = {d.path()};
  o.cache_path = cache_dir.Join("c.sqlite");
  StatusOr<ScanResult> first = Scan(o, method);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->errors.size(), 5u);  // 101, 102, 103, budget, huge
  EXPECT_EQ(first->errors[3].path, d.Join("budget.bmp"));
  EXPECT_EQ(first->errors[3].status.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(first->errors[3].status.message().find("memory budget"), std::string::npos)
      << first->errors[3].status.message();
  EXPECT_EQ(first->errors[4].path, d.Join("huge.bmp"));
  EXPECT_EQ(first->errors[4].status.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(first->errors[4].status.message().find("pixels, over the limit of"), std::string::npos)
      << first->errors[4].status.message();  // the wording Scan recognises a pixel-limit verdict by

  StatusOr<ScanResult> second = Scan(o, method);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->decoded, 3);  // 101.png (memory), 102.png (I/O) and budget.bmp again
  EXPECT_EQ(second->cached, 3);
  ASSERT_EQ(second->errors.size(), 5u);

  // Under another pixel limit the cached verdict is not used (the file is read again), nor is the
  // verdict of that limit stored.
  o.max_pixels = kDefaultMaxPixels + 1;
  for (int run = 0; run < 2; ++run) {
    StatusOr<ScanResult> other = Scan(o, method);
    ASSERT_TRUE(other.ok());
    EXPECT_EQ(other->decoded, 4);
    ASSERT_EQ(other->errors.size(), 5u);
    EXPECT_EQ(other->errors[4].status.code(), StatusCode::kResourceExhausted);
  }
  // A good image over a smaller limit is not taken from the cache either.
  o.max_pixels = 103 * 40;
  StatusOr<ScanResult> smaller = Scan(o, method);
  ASSERT_TRUE(smaller.ok());
  ASSERT_EQ(smaller->files.size(), 0u);
  EXPECT_EQ(smaller->errors.size(), 6u);
}

TEST(Find, UnknownMethodIsAnError) {
  FindOptions o;
  o.scan.inputs = {"."};
  o.scan.method = "nope";
  EXPECT_EQ(Find(o).status().code(), StatusCode::kNotFound);
}

TEST(Find, AThresholdOutsideTheMethodsRangeIsRefusedBeforeScanning) {
  FindOptions o;
  o.scan.inputs = {"/nonexistent-neardup-input"};
  o.scan.method = "pdq8";
  o.threshold = 300;
  StatusOr<FindResult> r = Find(o);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "300 is out of range for method pdq8 (0..256 bits)");
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
