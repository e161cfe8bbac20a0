// ImageIndex: add/query/remove/stats on real image files, imported hashes, exact dups, and the
// vector file catching up with the catalog after it is lost or stale.
#include "neardup/image_index.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include "neardup/decode.h"
#include "neardup/hash.h"
#include "neardup/preprocess.h"
#include "neardup/registry.h"
#include "neardup/search.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;

ScanOptions Inputs(std::vector<std::string> inputs) {
  ScanOptions o;
  o.inputs = std::move(inputs);
  o.threads = 2;
  return o;
}

Descriptor Describe(const Method& m, const std::string& path) {
  auto img = DecodeFile(path, DecodeOptions{});
  EXPECT_TRUE(img.ok());
  auto d = m.Compute(*img);
  EXPECT_TRUE(d.ok());
  return *d;
}

// The image turned 90 degrees clockwise.
Image Rotate90(const Image& in) {
  Image out(in.height, in.width, in.channels);
  for (int y = 0; y < in.height; ++y) {
    for (int x = 0; x < in.width; ++x) {
      for (int c = 0; c < in.channels; ++c) out.at(x, in.height - 1 - y, c) = in.at(y, x, c);
    }
  }
  return out;
}

// Runs `sql` on a closed index's catalog from another connection (as a hostile edit would).
void CatalogSql(const std::string& dir, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/catalog.sqlite").c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

// Overwrites the root page of table or index `name` of a closed index's catalog with 0x55 (an
// invalid b-tree page): "a few overwritten pages".
void DamageCatalogPage(const std::string& dir, const std::string& name) {
  const std::string path = dir + "/catalog.sqlite";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT rootpage FROM sqlite_master WHERE name=?1", -1, &st, nullptr);
  sqlite3_bind_text(st, 1, name.c_str(), -1, SQLITE_TRANSIENT);
  const int page = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
  sqlite3_finalize(st);
  sqlite3_close(db);
  ASSERT_GT(page, 1);
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(std::streamoff(page - 1) * 4096);
  f.write(std::string(4096, '\x55').data(), 4096);
  ASSERT_TRUE(f.good());
}

// Collects an index's warnings.
struct Warnings {
  IndexOptions options() {
    IndexOptions o;
    o.warn = [this](const std::string& w) { list.push_back(w); };
    return o;
  }
  size_t Count(const std::string& needle) const {
    size_t n = 0;
    for (const std::string& w : list) n += w.find(needle) != std::string::npos;
    return n;
  }
  std::vector<std::string> list;
};

std::vector<ImportedHash> RandomHashes(int n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<ImportedHash> out(n);
  for (int i = 0; i < n; ++i) {
    out[i].id = "h" + std::to_string(i);
    for (int w = 0; w < 4; ++w) out[i].descriptor.bits.push_back(rng());
  }
  return out;
}

class ImageIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 6; ++i) {
      ASSERT_TRUE(WriteImage(photos_.Join("p" + std::to_string(i) + ".png"),
                             testing::MakeTestPhoto(320, 240, 100 + i))
                      .ok());
    }
    // A resized JPEG copy of p2, kept outside the index as an "upload".
    ASSERT_TRUE(WriteImage(uploads_.Join("copy.jpg"),
                           Resize(testing::MakeTestPhoto(320, 240, 102), 200, 150), 80)
                    .ok());
  }
  std::string IndexDir() const { return scratch_.Join("ix"); }

  testing::TempDir photos_, uploads_, scratch_;
};

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
  Descriptor upload = *(*index)->method().Compute(Rotate90(photo));
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

TEST_F(ImageIndexTest, LostOrStaleVectorFileIsRebuiltFromTheCatalog) {
  auto hashes = RandomHashes(200, 4);
  {
    auto index = ImageIndex::Create(IndexDir(), "pdq");
    ASSERT_TRUE(index.ok());
    ASSERT_TRUE((*index)->AddHashes({hashes.begin(), hashes.begin() + 100}).ok());
  }
  fs::copy_file(IndexDir() + "/vectors.faiss", scratch_.Join("old.faiss"));
  {
    auto index = ImageIndex::Open(IndexDir());
    ASSERT_TRUE((*index)->AddHashes({hashes.begin() + 100, hashes.end()}).ok());
    ASSERT_TRUE((*index)->Remove({"h5"}).ok());
  }
  // Stale: the vector file of before the second import and the removal.
  fs::copy_file(scratch_.Join("old.faiss"), IndexDir() + "/vectors.faiss",
                fs::copy_options::overwrite_existing);
  for (int round = 0; round < 2; ++round) {
    auto index = ImageIndex::Open(IndexDir());
    ASSERT_TRUE(index.ok()) << index.status().ToString();
    EXPECT_EQ((*index)->Stats()->images, 199);
    auto hits = (*index)->Query({hashes[150].descriptor, hashes[5].descriptor}, 1);
    ASSERT_TRUE(hits.ok());
    EXPECT_EQ((*hits)[0][0].path, "h150");
    EXPECT_NE((*hits)[1][0].path, "h5");
    fs::remove(IndexDir() + "/vectors.faiss");  // round 2: lost altogether
  }
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
TEST_F(ImageIndexTest, BadHashRowsAreSkippedAndDupsKeepTheirPaths) {
  std::vector<ImportedHash> hashes = RandomHashes(40, 11);
  for (int i : {3, 20, 30}) {  // near copies of rows after the bad ones: h3~c3, h20~c20, h30~c30
    ImportedHash h = hashes[i];
    h.id = "c" + std::to_string(i);
    h.descriptor.bits[0] ^= 0xff;
    hashes.push_back(h);
  }
  {
    auto index = ImageIndex::Create(IndexDir(), "pdq");
    ASSERT_TRUE(index.ok());
    ASSERT_TRUE((*index)->AddHashes(hashes).ok());
  }
  CatalogSql(
      IndexDir(),
      "UPDATE items SET bits=x'0102' WHERE path=CAST('h1' AS BLOB);"
      "UPDATE items SET bits=NULL WHERE path=CAST('h2' AS BLOB);"
      "UPDATE items SET bits=x'00000000000000000000000000000000' WHERE path=CAST('h5' AS BLOB);");
  Warnings warnings;
  auto index = ImageIndex::Open(IndexDir(), warnings.options());
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  auto pairs = (*index)->Dups(8, 2);
  ASSERT_TRUE(pairs.ok()) << pairs.status().ToString();
  ASSERT_EQ(pairs->size(), 3u);
  EXPECT_EQ((*pairs)[0].a, "h3");
  EXPECT_EQ((*pairs)[0].b, "c3");
  EXPECT_EQ((*pairs)[1].a, "h20");
  EXPECT_EQ((*pairs)[1].b, "c20");
  EXPECT_EQ((*pairs)[2].a, "h30");
  EXPECT_EQ((*pairs)[2].b, "c30");
  for (const IndexPair& p : *pairs) EXPECT_EQ(p.distance, 8);
  // Export's walk skips them instead of reading 4 words of a 2-byte blob.
  std::vector<std::string> ids;
  ASSERT_TRUE((*index)
                  ->ForEach([&](const std::string& id, const Descriptor& d) {
                    EXPECT_EQ(d.bits.size(), 4u);
                    ids.push_back(id);
                  })
                  .ok());
  EXPECT_EQ(ids.size(), hashes.size() - 3);
  // A query near a bad row's old vector (still in vectors.faiss) does not return that row.
  auto hits = (*index)->Query({hashes[1].descriptor}, 1);
  ASSERT_TRUE(hits.ok());
  EXPECT_NE((*hits)[0][0].path, "h1");
  // Each bad row is reported once, with its id and why, however often it is read.
  EXPECT_EQ(warnings.Count("(h1) is damaged: bits blob of 2 bytes"), 1u) << warnings.list[0];
  EXPECT_EQ(warnings.Count("(h2) is damaged"), 1u);
  EXPECT_EQ(warnings.Count("(h5) is damaged: its descriptor is not a pdq descriptor"), 1u);
  EXPECT_EQ(warnings.list.size(), 3u);
  // Importing the ID again replaces the bad row.
  ASSERT_TRUE((*index)->AddHashes({hashes[1]}).ok());
  hits = (*index)->Query({hashes[1].descriptor}, 1);
  EXPECT_EQ((*hits)[0][0].path, "h1");
  EXPECT_EQ((*hits)[0][0].distance, 0);
}

// Defect 4: a truncated vectors.faiss, one whose header lost its row marker (zeroed), and one of
// another method are rebuilt from the catalog with a warning, never trusted nor fatal.
TEST_F(ImageIndexTest, DamagedVectorFileIsRebuiltFromTheCatalog) {
  auto hashes = RandomHashes(200, 12);
  {
    auto index = ImageIndex::Create(IndexDir(), "pdq");
    ASSERT_TRUE((*index)->AddHashes(hashes).ok());
  }
  const std::string file = IndexDir() + "/vectors.faiss";
  const std::string good = testing::ReadFile(file);
  ASSERT_GT(good.size(), 24u);
  std::string zeroed = good;
  std::fill(zeroed.begin() + 8, zeroed.begin() + 16, '\0');  // the header's highest row id
  auto phash = ImageIndex::Create(scratch_.Join("ph"), "phash");
  ASSERT_TRUE((*phash)->AddHashes({}).ok());
  ASSERT_TRUE((*phash)->Add(Inputs({photos_.path()})).ok());
  const std::string other = testing::ReadFile(scratch_.Join("ph/vectors.faiss"));
  ASSERT_FALSE(other.empty());
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"truncated", good.substr(0, good.size() / 2)},
      {"header only", good.substr(0, 20)},
      {"zeroed row marker", zeroed},
      {"another method's", other},
  };
  for (const auto& [name, bytes] : cases) {
    testing::WriteBytes(file, bytes);
    Warnings warnings;
    auto index = ImageIndex::Open(IndexDir(), warnings.options());
    ASSERT_TRUE(index.ok()) << name << ": " << index.status().ToString();
    ASSERT_EQ(warnings.list.size(), 1u) << name;
    EXPECT_NE(warnings.list[0].find("vectors.faiss"), std::string::npos) << warnings.list[0];
    EXPECT_NE(warnings.list[0].find("rebuilding it from the catalog"), std::string::npos);
    auto stats = (*index)->Stats();
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->images, 200) << name;
    EXPECT_EQ(stats->vectors, 200) << name;  // not 400
    auto hits = (*index)->Query({hashes[150].descriptor}, 2);
    ASSERT_TRUE(hits.ok());
    EXPECT_EQ((*hits)[0][0].path, "h150") << name;
    EXPECT_NE((*hits)[0][1].path, "h150") << name;  // not twice
    index->reset();
    // The rebuilt file was saved: the next open has nothing to say.
    Warnings next;
    ASSERT_TRUE(ImageIndex::Open(IndexDir(), next.options()).ok());
    EXPECT_TRUE(next.list.empty()) << name << ": " << next.list[0];
  }
}

// Defect 4: a damaged catalog is an error on every command, never an empty answer ("(no indexed
// image)") or a silent "2 added".
TEST_F(ImageIndexTest, DamagedCatalogIsAnErrorNotAnEmptyAnswer) {
  {
    auto index = ImageIndex::Create(IndexDir(), "pdq8");
    ASSERT_TRUE(index.ok());
    ASSERT_TRUE((*index)->Add(Inputs({photos_.path()})).ok());
  }
  fs::copy(IndexDir(), scratch_.Join("copy"));
  // The rows' table damaged (the path index still counts them).
  DamageCatalogPage(IndexDir(), "items");
  auto broken = ImageIndex::Open(IndexDir());
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), StatusCode::kCorruption);
  EXPECT_NE(broken.status().message().find("catalog.sqlite: the index catalog is damaged"),
            std::string::npos)
      << broken.status().message();

  // The path index damaged: opening and queries work, adding and importing fail loudly.
  DamageCatalogPage(scratch_.Join("copy"), "sqlite_autoindex_items_1");
  auto index = ImageIndex::Open(scratch_.Join("copy"));
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  auto hits = (*index)->Query({Describe((*index)->method(), uploads_.Join("copy.jpg"))}, 1);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(fs::path((*hits)[0][0].path).filename(), "p2.png");
  testing::WriteBytes(photos_.Join("new.png"), testing::ReadFile(uploads_.Join("copy.jpg")));
  auto added = (*index)->Add(Inputs({photos_.path()}));
  EXPECT_EQ(added.status().code(), StatusCode::kCorruption) << added.status().ToString();
  auto imported = (*index)->AddHashes(RandomHashes(2, 13));
  EXPECT_EQ(imported.status().code(), StatusCode::kCorruption);
}

// Defect 7: IDs and file paths share the catalog's key, so neither may replace the other.
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
