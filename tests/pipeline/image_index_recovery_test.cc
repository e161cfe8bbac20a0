// ImageIndex after damage: a lost, stale or overwritten vector file is rebuilt from the catalog,
// bad catalog rows are skipped with a warning, and a damaged catalog is an error, never an empty
// answer.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "index_fixture.h"
#include "neardup/hash.h"
#include "neardup/registry.h"
#include "neardup/search.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;
using namespace index_testing;
using ImageIndexTest = IndexPhotosTest;

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

}  // namespace
}  // namespace neardup
