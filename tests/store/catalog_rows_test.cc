// The index catalog (src/store/sqlite_catalog.cc) against rows and files it did not write: every
// row read back is validated (bad rows reported once and skipped), a damaged file is Corruption
// on every path (never "no row"), a dropped table is named.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <map>
#include <type_traits>

#include "store/catalog.h"
#include "store/sqlite_columns.h"
#include "testutil/testutil.h"

namespace neardup::store {
namespace {

// A catalog owns its connection (an owning interface): copying one is a compile error.
static_assert(!std::is_copy_constructible_v<Catalog> && !std::is_copy_assignable_v<Catalog>);

// Runs `sql` on the catalog file from a second connection (as a hostile edit would).
void Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "") << " in " << sql;
  sqlite3_free(err);
  sqlite3_close(db);
}

// The root page of `name` (a table or index) in the closed catalog file.
int RootPage(const std::string& path, const std::string& name) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT rootpage FROM sqlite_master WHERE name=?1", -1, &st, nullptr);
  sqlite3_bind_text(st, 1, name.c_str(), -1, SQLITE_TRANSIENT);
  int page = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
  sqlite3_finalize(st);
  sqlite3_close(db);
  EXPECT_GT(page, 1) << name;
  return page;
}

// Overwrites page `page` (1-based, 4096 bytes) with 0x55: an invalid b-tree page type.
void DamagePage(const std::string& path, int page) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good());
  f.seekp(std::streamoff(page - 1) * 4096);
  const std::string junk(4096, '\x55');
  f.write(junk.data(), std::streamsize(junk.size()));
  ASSERT_TRUE(f.good());
}

CatalogRow HashRow(const std::string& path, uint64_t seed) {
  CatalogRow r;
  r.path = path;
  r.size = 100;
  r.mtime_ns = 5;
  r.width = 64;
  r.height = 48;
  r.format = "png";
  r.descriptor.bits = {seed, seed * 3, seed * 5, seed * 7};
  return r;
}

class CatalogRowsTest : public ::testing::Test {
 protected:
  std::string Path() const { return dir_.Join(name_); }
  // A catalog of rows "/p1".."/p<n>" (ids 1..n), closed.
  void Fill(int n) {
    auto c = Catalog::Create(Path(), {"pdq", 1, "BFlat"});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    for (int i = 1; i <= n; ++i) ASSERT_TRUE((*c)->Put(HashRow("/p" + std::to_string(i), i)).ok());
    ASSERT_TRUE((*c)->Commit().ok());
  }
  std::unique_ptr<Catalog> Open() {
    auto c = Catalog::Open(Path(), [this](const BadRow& b) { bad_[b.id].push_back(b.reason); });
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  testing::TempDir dir_;
  std::string name_ = "catalog.sqlite";
  std::map<int64_t, std::vector<std::string>> bad_;  // id -> reasons reported
};

TEST_F(CatalogRowsTest, BadRowsAreReportedOnceAndSkipped) {
  Fill(15);
  Sql(Path(),
      "UPDATE items SET bits=x'0102' WHERE id=2;"          // a 2-byte hash
      "UPDATE items SET bits=NULL, vals=NULL WHERE id=3;"  // no descriptor at all
      "UPDATE items SET width=-5 WHERE id=4;"
      "UPDATE items SET height=4294967296 WHERE id=5;"  // over 2^31 - 1
      "UPDATE items SET vals=x'010203' WHERE id=6;"     // 3 bytes of binary16
      "UPDATE items SET quality='high' WHERE id=7;"
      "UPDATE items SET size=-7 WHERE id=8;"
      "UPDATE items SET format='a,b' WHERE id=9;"
      "UPDATE items SET vals=x'007c' WHERE id=10;"  // binary16 +infinity
      // Formats: letters only, but no decoder's name; a format on a row without an image (an
      // imported hash's 0x0); one side zero.
      "UPDATE items SET format='jpg' WHERE id=13;"
      "UPDATE items SET width=0, height=0 WHERE id=14;"
      "UPDATE items SET width=0 WHERE id=15;");
  // NULLs in NOT NULL columns: only a table without the constraints can hold them, as a
  // damaged or foreign file may.
  Sql(Path(),
      "PRAGMA writable_schema=ON;"
      "UPDATE sqlite_master SET sql=replace(sql,'NOT NULL','') WHERE name='items';");
  Sql(Path(), "UPDATE items SET path=NULL WHERE id=11; UPDATE items SET format=NULL WHERE id=12;");
  auto c = Open();
  ASSERT_TRUE(c);
  for (int round = 0; round < 2; ++round) {
    std::vector<int64_t> ids;
    ASSERT_TRUE(c->ForEach(0, [&](CatalogRow&& r) { ids.push_back(r.id); }).ok());
    EXPECT_EQ(ids, std::vector<int64_t>{1});
  }
  for (int64_t id = 2; id <= 15; ++id) {
    ASSERT_EQ(bad_[id].size(), 1u) << "row " << id << " reported once, not per read";
  }
  EXPECT_NE(bad_[2][0].find("2 bytes"), std::string::npos) << bad_[2][0];
  EXPECT_NE(bad_[4][0].find("width"), std::string::npos);
  EXPECT_NE(bad_[11][0].find("path"), std::string::npos);
  EXPECT_EQ(bad_[12][0], "format is not text");
  EXPECT_EQ(bad_[13][0], "unknown format of 3 bytes");
  EXPECT_EQ(bad_[14][0], "format of 3 bytes on a row without an image");
  EXPECT_EQ(bad_[15][0], "size 0x48");
  // Find reads a bad row as absent (its file is described and replaced by the next add).
  auto found = c->Find("/p2");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  ASSERT_TRUE(c->Find("/p1").ok());
  EXPECT_TRUE(c->Find("/p1")->has_value());
  ASSERT_TRUE(c->Put(HashRow("/p2", 2)).ok());
  ASSERT_TRUE(c->Commit().ok());
  found = c->Find("/p2");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->descriptor.bits.size(), 4u);
  // Rows by id (a query's hits): a bad row is no row, not an empty path or a crash.
  auto rows = c->Rows({1, 11, 12, 999});
  ASSERT_TRUE(rows.ok());
  ASSERT_TRUE((*rows)[0].has_value());
  EXPECT_EQ((*rows)[0]->path, "/p1");
  EXPECT_FALSE((*rows)[1].has_value());
  EXPECT_FALSE((*rows)[2].has_value());
  EXPECT_FALSE((*rows)[3].has_value());
}

// The format is checked as the descriptor cache checks it (IsDecodedFormatName), not by its
// characters: a name no decoder gives is a bad row, reported with its id and path.
TEST_F(CatalogRowsTest, FormatNoDecoderGivesIsABadRowNamingIt) {
  Fill(3);
  Sql(Path(), "UPDATE items SET format='JPEG' WHERE id=2; UPDATE items SET format='' WHERE id=3");
  std::vector<BadRow> bad;
  auto c = Catalog::Open(Path(), [&](const BadRow& b) { bad.push_back(b); });
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::vector<std::string> paths;
  ASSERT_TRUE((*c)->ForEach(0, [&](CatalogRow&& r) { paths.push_back(r.path); }).ok());
  EXPECT_EQ(paths, std::vector<std::string>{"/p1"});
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_EQ(bad[0].id, 2);
  EXPECT_EQ(bad[0].path, "/p2");
  EXPECT_EQ(bad[0].reason, "unknown format of 4 bytes");
  EXPECT_EQ(bad[1].id, 3);  // "" is an imported hash's, not an image's
  EXPECT_EQ(bad[1].reason, "unknown format of 0 bytes");
}

// Rows the catalog accepts at the edges of the shared row format: an imported hash (no image,
// format ""), an image wider than 2^20 (a bad row before the catalog checked sides as the cache
// does), a vector with a hash.
TEST_F(CatalogRowsTest, EdgeRowsRoundTrip) {
  auto c = Catalog::Create(Path(), {"pdq", 1, "BFlat"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  CatalogRow imported = HashRow("some-id", 9);
  imported.size = -1;
  imported.mtime_ns = 0;
  imported.width = imported.height = 0;
  imported.format = "";
  CatalogRow wide = HashRow("/strip.png", 3);
  wide.width = (1 << 20) + 1;
  wide.height = 2;
  wide.descriptor.values = {0.5f, -0.25f};
  wide.descriptor.quality = 42;
  ASSERT_TRUE((*c)->Put(imported).ok());
  ASSERT_TRUE((*c)->Put(wide).ok());
  ASSERT_TRUE((*c)->Commit().ok());
  c->reset();
  auto opened = Open();
  ASSERT_TRUE(opened);
  std::vector<CatalogRow> rows;
  ASSERT_TRUE(opened->ForEach(0, [&](CatalogRow&& r) { rows.push_back(std::move(r)); }).ok());
  EXPECT_TRUE(bad_.empty());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].path, "some-id");
  EXPECT_EQ(rows[0].size, -1);
  EXPECT_EQ(rows[0].width, 0);
  EXPECT_EQ(rows[0].format, "");
  EXPECT_EQ(rows[0].descriptor.bits, imported.descriptor.bits);
  EXPECT_EQ(rows[1].width, (1 << 20) + 1);
  EXPECT_EQ(rows[1].height, 2);
  EXPECT_EQ(rows[1].format, "png");
  EXPECT_EQ(rows[1].descriptor.values, (std::vector<float>{0.5f, -0.25f}));
  EXPECT_EQ(rows[1].descriptor.quality, 42);
}

// The column names of `table`, in order.
std::vector<std::string> Columns(const std::string& path, const std::string& table) {
  return testing::SqliteColumns(path, table);
}

// The on-disk format of schema 1 is kept: a catalog made by the code before the descriptor row
// had one definition (its DDL copied here) opens and reads the same, and takes new rows; a new
// catalog has the same columns in the same order.
TEST_F(CatalogRowsTest, Schema1CatalogOfEarlierCodeReadsTheSame) {
  Sql(Path(),
      "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
      "CREATE TABLE items(id INTEGER PRIMARY KEY AUTOINCREMENT, path BLOB NOT NULL UNIQUE, size "
      "INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, width INTEGER NOT NULL, height INTEGER NOT "
      "NULL, format TEXT NOT NULL, quality INTEGER NOT NULL, bits BLOB, vals BLOB);"
      "CREATE TABLE removed(id INTEGER PRIMARY KEY);"
      "INSERT INTO meta VALUES('schema_version','1'),('method','pdq'),('method_version','1'),"
      "('factory','BFlat');"
      // bits: the words 1 and 2 (little-endian); vals: binary16 0.5 and -0.25.
      "INSERT INTO items(path,size,mtime_ns,width,height,format,quality,bits,vals) VALUES("
      "CAST('/a.jpg' AS BLOB),1234,5678,640,480,'jpeg',77,"
      "x'01000000000000000200000000000000',x'003800b4');"
      "INSERT INTO items(path,size,mtime_ns,width,height,format,quality,bits,vals) VALUES("
      "CAST('id-7' AS BLOB),-1,0,0,0,'',100,x'0300000000000000',NULL);");
  const std::vector<std::string> columns = Columns(Path(), "items");
  auto c = Open();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->meta().method, "pdq");
  EXPECT_EQ(c->meta().factory, "BFlat");
  auto a = c->Find("/a.jpg");
  ASSERT_TRUE(a.ok() && a->has_value()) << a.status().ToString();
  EXPECT_EQ((*a)->id, 1);
  EXPECT_EQ((*a)->size, 1234);
  EXPECT_EQ((*a)->mtime_ns, 5678);
  EXPECT_EQ((*a)->width, 640);
  EXPECT_EQ((*a)->height, 480);
  EXPECT_EQ((*a)->format, "jpeg");
  EXPECT_EQ((*a)->descriptor.quality, 77);
  EXPECT_EQ((*a)->descriptor.bits, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ((*a)->descriptor.values, (std::vector<float>{0.5f, -0.25f}));
  auto id = c->Find("id-7");
  ASSERT_TRUE(id.ok() && id->has_value());
  EXPECT_EQ((*id)->size, -1);
  EXPECT_EQ((*id)->descriptor.bits, (std::vector<uint64_t>{3}));
  EXPECT_TRUE((*id)->descriptor.values.empty());
  ASSERT_TRUE(c->Put(HashRow("/new.png", 4)).ok());
  ASSERT_TRUE(c->Commit().ok());
  auto added = c->Find("/new.png");
  ASSERT_TRUE(added.ok() && added->has_value());
  EXPECT_EQ((*added)->id, 3);
  EXPECT_TRUE(bad_.empty());
  c.reset();

  name_ = "new.sqlite";
  Fill(1);
  EXPECT_EQ(Columns(Path(), "items"), columns);
}

TEST_F(CatalogRowsTest, DamagedPagesAreCorruptionNeverNoRows) {
  Fill(30);
  const int items = RootPage(Path(), "items");
  const int by_path = RootPage(Path(), "sqlite_autoindex_items_1");
  DamagePage(Path(), items);
  auto c = Open();
  ASSERT_TRUE(c);
  // COUNT(*) reads the path index and still answers; every read of the rows says damaged.
  auto is_corruption = [this](const Status& s) {
    return s.code() == StatusCode::kCorruption && s.message().find(Path()) == 0 &&
           s.message().find("damaged") != std::string::npos;
  };
  Status each = c->ForEach(0, [](CatalogRow&&) {});
  EXPECT_TRUE(is_corruption(each)) << each.ToString();
  auto rows = c->Rows({1, 2});
  EXPECT_TRUE(is_corruption(rows.status())) << rows.status().ToString();
  auto found = c->Find("/p3");
  EXPECT_TRUE(is_corruption(found.status())) << found.status().ToString();
  EXPECT_TRUE(is_corruption(c->CountUpTo(30).status()));
  c.reset();

  // The path index damaged instead: lookups (index add's "already indexed?") and writes fail.
  name_ = "second.sqlite";
  Fill(30);
  DamagePage(Path(), by_path);
  c = Open();
  ASSERT_TRUE(c);
  found = c->Find("/p3");
  EXPECT_TRUE(is_corruption(found.status())) << found.status().ToString();
  ASSERT_TRUE(c->Put(HashRow("/new", 99)).ok());  // buffered
  Status commit = c->Commit();
  EXPECT_TRUE(is_corruption(commit)) << commit.ToString();
  auto removed = c->Remove({"/p4"});
  EXPECT_TRUE(is_corruption(removed.status())) << removed.status().ToString();
}

TEST_F(CatalogRowsTest, MissingTableOrColumnIsNamed) {
  Fill(3);
  Sql(Path(), "DROP TABLE removed");
  auto c = Catalog::Open(Path());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(c.status().message(),
            Path() + ": table removed is missing: not a neardup index or damaged");

  Sql(Path(), "CREATE TABLE removed(id INTEGER PRIMARY KEY); ALTER TABLE items DROP COLUMN vals");
  c = Catalog::Open(Path());
  EXPECT_EQ(c.status().message(),
            Path() + ": table items lacks column vals: not a neardup index or damaged");

  testing::WriteBytes(Path(), std::string(8192, 'x'));
  c = Catalog::Open(Path());
  EXPECT_EQ(c.status().code(), StatusCode::kCorruption);
  EXPECT_NE(c.status().message().find(Path()), std::string::npos) << c.status().message();
  EXPECT_EQ(c.status().message().find("not an error"), std::string::npos);

  std::remove(Path().c_str());
  Sql(Path(), "CREATE TABLE unrelated(x)");  // an SQLite file of something else
  c = Catalog::Open(Path());
  EXPECT_NE(c.status().message().find("table meta is missing"), std::string::npos)
      << c.status().message();
}

}  // namespace
}  // namespace neardup::store
