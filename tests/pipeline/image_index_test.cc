// ImageIndex: add/query/remove/stats on real image files, imported hashes, exact dups, removed
// rows and the trained and graph indexes (damaged files: image_index_recovery_test.cc).
#include "neardup/image_index.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "neardup/decode.h"
#include "neardup/hash.h"
#include "neardup/preprocess.h"
#include "neardup/registry.h"
#include "neardup/search.h"
#include "index_fixture.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;

using namespace index_testing;

using ImageIndexTest = IndexPhotosTest;

TEST_F(ImageIndexTest, AddQueryRemoveStats) {
  auto index = ImageIndex::Create(IndexDir(), "pdq8");
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  testing::WriteBytes(photos_.Join("broken.jpg"), "\xff\xd8 not really a jpeg");
  auto added = (*index)->Add(Inputs({photos_.path()}));
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->added, 6);
  ASSERT_EQ(added->errors.size(), 1u);  // the broken file is reported, the rest indexed
  EXPECT_NE(added->errors[0].path.find("broken.jpg"), std::string::npos);

  auto stats = (*index)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->images, 6);
  EXPECT_EQ(stats->vectors, 6);
  EXPECT_EQ(stats->factory, "BFlat");
  EXPECT_GT(stats->catalog_bytes, 0);
  EXPECT_GT(stats->vector_bytes, 0);

  Descriptor upload = Describe((*index)->method(), uploads_.Join("copy.jpg"));
  auto hits = (*index)->Query({upload}, 3);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ((*hits)[0].size(), 3u);
  EXPECT_EQ(fs::path((*hits)[0][0].path).filename(), "p2.png");
  EXPECT_TRUE(fs::path((*hits)[0][0].path).is_absolute());
  EXPECT_LE((*hits)[0][0].distance, (*index)->method().default_threshold());
  EXPECT_GT((*hits)[0][1].distance, (*index)->method().default_threshold());

  // A second add of the same folder describes nothing; a changed file replaces its row.
  auto again = (*index)->Add(Inputs({photos_.path()}));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->added, 0);
  EXPECT_EQ(again->unchanged, 6);
  ASSERT_TRUE(WriteImage(photos_.Join("p2.png"), testing::MakeTestPhoto(320, 240, 999)).ok());
  fs::last_write_time(photos_.Join("p2.png"),
                      fs::last_write_time(photos_.Join("p2.png")) + std::chrono::seconds(5));
  again = (*index)->Add(Inputs({photos_.path()}));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->added, 1);
  EXPECT_EQ((*index)->Stats()->images, 6);
  hits = (*index)->Query({upload}, 1);
  EXPECT_GT((*hits)[0][0].distance, (*index)->method().default_threshold());

  // Remove by the path as the user gives it (relative or absolute) and report unknown ones.
  auto missing = (*index)->Remove({photos_.Join("p0.png"), photos_.Join("nope.png")});
  ASSERT_TRUE(missing.ok());
  ASSERT_EQ(missing->size(), 1u);
  EXPECT_EQ((*missing)[0], photos_.Join("nope.png"));
  EXPECT_EQ((*index)->Stats()->images, 5);
  Descriptor p0 = Describe((*index)->method(), photos_.Join("p0.png"));
  hits = (*index)->Query({p0}, 10);
  ASSERT_EQ((*hits)[0].size(), 5u);
  for (const IndexHit& h : (*hits)[0]) EXPECT_EQ(h.path.find("p0.png"), std::string::npos);

  // Everything survives closing and opening.
  index->reset();
  auto reopened = ImageIndex::Open(IndexDir());
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->Stats()->images, 5);
  EXPECT_EQ((*reopened)->method().name(), "pdq8");
}

TEST_F(ImageIndexTest, DupsOfImportedHashesAreExact) {
  auto index = ImageIndex::Create(IndexDir(), "pdq");
  ASSERT_TRUE(index.ok());
  std::vector<ImportedHash> hashes = RandomHashes(3000, 1);
  std::mt19937 rng(2);
  for (int i = 0; i < 300; ++i) {  // plant near copies at 0-40 bits
    ImportedHash h = hashes[rng() % 3000];
    h.id += "-copy" + std::to_string(i);
    for (int b = int(rng() % 41); b > 0; --b) h.descriptor.bits[rng() % 4] ^= 1ull << (rng() % 64);
    hashes.push_back(h);
  }
  auto added = (*index)->AddHashes(hashes);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->added, 3300);
  EXPECT_TRUE(added->errors.empty());
  auto again = (*index)->AddHashes({hashes[0]});  // importing again changes nothing
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->added, 0);
  EXPECT_EQ(again->unchanged, 1);

  std::vector<uint64_t> codes;
  for (const ImportedHash& h : hashes) {
    codes.insert(codes.end(), h.descriptor.bits.begin(), h.descriptor.bits.end());
  }
  auto expected = HammingSelfJoin(CodeSet{codes.data(), 3300, 4, 1}, 31, 1);
  auto pairs = (*index)->Dups(31, 2);
  ASSERT_TRUE(pairs.ok());
  ASSERT_EQ(pairs->size(), expected.size());
  ASSERT_GT(expected.size(), 150u);
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ((*pairs)[i].a, hashes[expected[i].a].id);
    EXPECT_EQ((*pairs)[i].b, hashes[expected[i].b].id);
    EXPECT_EQ((*pairs)[i].distance, expected[i].distance);
  }
}

TEST_F(ImageIndexTest, ImportedHashInPdq8IndexMatchesRotatedQueries) {
  auto index = ImageIndex::Create(IndexDir(), "pdq8");
  ASSERT_TRUE(index.ok());
  Image photo = testing::MakeTestPhoto(320, 240, 7);
  auto m = MakeMethod("pdq");
  ImportedHash h{"partner-123", *(*m)->Compute(photo)};
  ASSERT_TRUE((*index)->AddHashes({h}).ok());
  ASSERT_TRUE((*index)->AddHashes(RandomHashes(20, 3)).ok());
  // The upload is the photo rotated by 90 degrees: only a rotated variant of it matches.
  Descriptor upload = *(*index)->method().Compute(Rotate90(photo, 1));
  auto hits = (*index)->Query({upload}, 1);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ((*hits)[0][0].path, "partner-123");
  EXPECT_LE((*hits)[0][0].distance, (*index)->method().default_threshold());
  // A hash of the wrong size is refused with its ID.
  ImportedHash bad{"short", {}};
  bad.descriptor.bits = {1, 2};
  auto r = (*index)->AddHashes({bad});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->added, 0);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].path, "short");
  EXPECT_EQ(r->errors[0].status.code(), StatusCode::kInvalidArgument);
}

TEST_F(ImageIndexTest, EqualDistancesAreOrderedByPath) {
  auto index = ImageIndex::Create(IndexDir(), "pdq");
  ASSERT_TRUE(index.ok());
  std::vector<ImportedHash> hashes = RandomHashes(200, 4);
  // Five copies of one hash, added in reverse path order, so their ids run the other way.
  const Descriptor same = hashes[0].descriptor;
  for (const char* id : {"e", "d", "c", "b", "a"}) hashes.push_back({id, same});
  ASSERT_TRUE((*index)->AddHashes(hashes).ok());
  auto hits = (*index)->Query({same}, 4);
  ASSERT_TRUE(hits.ok());
  std::vector<std::string> paths;
  for (const IndexHit& h : (*hits)[0]) {
    EXPECT_EQ(h.distance, 0);
    paths.push_back(h.path);
  }
  // Six rows share distance 0 (the original's random id sorts after the letters).
  EXPECT_EQ(paths, (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST_F(ImageIndexTest, TrainedIndexSearchesExactlyUntilItHasEnoughVectors) {
  auto index = ImageIndex::Create(IndexDir(), "pdq", "BIVF4");  // trains at 39 * 4 = 156
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  auto hashes = RandomHashes(400, 5);
  ASSERT_TRUE((*index)->AddHashes({hashes.begin(), hashes.begin() + 100}).ok());
  EXPECT_FALSE((*index)->Stats()->trained);
  EXPECT_EQ((*index)->Query({hashes[42].descriptor}, 1)->at(0)[0].path, "h42");
  ASSERT_TRUE((*index)->AddHashes({hashes.begin() + 100, hashes.end()}).ok());
  EXPECT_TRUE((*index)->Stats()->trained);
  EXPECT_EQ((*index)->Stats()->vectors, 400);
  (*index)->SetEffort(4);  // every list: exact
  EXPECT_EQ((*index)->Query({hashes[342].descriptor}, 1)->at(0)[0].path, "h342");
}

TEST_F(ImageIndexTest, GraphIndexSkipsRemovedRows) {
  auto index = ImageIndex::Create(IndexDir(), "pdq", "BHNSW8");
  ASSERT_TRUE(index.ok());
  auto hashes = RandomHashes(100, 6);
  ASSERT_TRUE((*index)->AddHashes(hashes).ok());
  ASSERT_TRUE((*index)->Remove({"h7", "h8"}).ok());
  auto hits = (*index)->Query({hashes[7].descriptor}, 5);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ((*hits)[0].size(), 5u);
  for (const IndexHit& h : (*hits)[0]) EXPECT_TRUE(h.path != "h7" && h.path != "h8");
}

TEST_F(ImageIndexTest, ClearErrors) {
  fs::create_directories(scratch_.Join("full"));
  testing::WriteBytes(scratch_.Join("full/x"), "");
  EXPECT_EQ(ImageIndex::Create(scratch_.Join("full"), "pdq").status().code(),
            StatusCode::kInvalidArgument);
  auto bad_factory = ImageIndex::Create(IndexDir(), "pdq", "HNSW32");
  EXPECT_EQ(bad_factory.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(IndexDir()));  // nothing written for a refused factory
  EXPECT_EQ(ImageIndex::Create(IndexDir(), "nosuchmethod").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ImageIndex::Open(scratch_.Join("nowhere")).status().code(), StatusCode::kNotFound);
  fs::create_directories(scratch_.Join("notindex"));
  testing::WriteBytes(scratch_.Join("notindex/catalog.sqlite"), "garbage that is not sqlite");
  auto junk = ImageIndex::Open(scratch_.Join("notindex"));
  EXPECT_FALSE(junk.ok());
  EXPECT_NE(junk.status().message().find("catalog.sqlite"), std::string::npos);
}

// Defect 3 (index half): 2-byte and NULL hash rows are reported once and skipped everywhere,
// and the rows after them keep their own paths (dups used to pair the wrong files).
TEST_F(ImageIndexTest, ImportedIdNeverReplacesAFilesHash) {
  auto index = ImageIndex::Create(IndexDir(), "pdq");
  ASSERT_TRUE(index.ok());
  ASSERT_TRUE((*index)->Add(Inputs({photos_.Join("p1.png")})).ok());
  const std::string p1 = fs::absolute(photos_.Join("p1.png")).lexically_normal().string();
  const Descriptor before = Describe((*index)->method(), photos_.Join("p1.png"));
  std::vector<ImportedHash> hashes = RandomHashes(3, 14);
  hashes[0].id = p1;
  auto r = (*index)->AddHashes(hashes);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->added, 2);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].path, p1);
  EXPECT_NE(r->errors[0].status.message().find("path of an indexed file"), std::string::npos);
  auto hits = (*index)->Query({before}, 1);
  EXPECT_EQ((*hits)[0][0].path, p1);
  EXPECT_EQ((*hits)[0][0].distance, 0);  // the file's own hash, not the imported one

  // The other way: a file whose path is an imported ID is refused, the ID's hash kept.
  ImportedHash id{fs::absolute(photos_.Join("p2.png")).lexically_normal().string(),
                  RandomHashes(1, 15)[0].descriptor};
  ASSERT_TRUE((*index)->AddHashes({id}).ok());
  auto added = (*index)->Add(Inputs({photos_.path()}));
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->added, 4);  // p0, p3, p4, p5
  ASSERT_EQ(added->errors.size(), 1u);
  EXPECT_EQ(fs::path(added->errors[0].path).filename(), "p2.png");
  hits = (*index)->Query({id.descriptor}, 1);
  EXPECT_EQ((*hits)[0][0].path, id.id);
  EXPECT_EQ((*hits)[0][0].distance, 0);

  // One ID with two hashes in one call: neither is stored (it used to count 2 and store 1).
  std::vector<ImportedHash> twice = {{"same", hashes[1].descriptor},
                                     {"same", hashes[2].descriptor}};
  r = (*index)->AddHashes(twice);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->added, 0);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].path, "same");
  auto missing = (*index)->Remove({"same"});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->size(), 1u);
}

}  // namespace
}  // namespace neardup
