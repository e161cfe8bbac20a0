// The index catalog's row reader: an index made through the API (pdq8, exact search; three image
// files and three imported hashes) has the columns of one of its catalog rows overwritten with
// fuzzed values of any storage class using SQLite directly (the table recreated without its NOT
// NULL constraints first, as a damaged or foreign file has none), optionally loses its
// vectors.faiss (so it is rebuilt from the damaged catalog), and is then opened and used through
// the public API as `index stats`, `query`, `export` and `dups` use it.
#include <fuzzer/FuzzedDataProvider.h>
#include <sqlite3.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fuzz/fuzz_sqlite.h"
#include "fuzz/fuzz_util.h"
#include "fuzz/test_images.h"
#include "neardup/decode.h"
#include "neardup/descriptor.h"
#include "neardup/image_index.h"
#include "neardup/registry.h"

namespace {

using neardup::fuzz::ExecOrDie;

constexpr int kImages = 3;
constexpr int kImported = 3;

struct Setup {
  std::string root = neardup::fuzz::MakeTempDir("index");
  std::string dir = root + "/index";
  std::string catalog = dir + "/catalog.sqlite";
  std::string vectors = dir + "/vectors.faiss";
  std::string pristine_catalog, pristine_vectors;
  std::vector<neardup::Descriptor> queries;
  int64_t rows = 0;
  std::vector<std::string> columns;  // every column of `items` but the id

  Setup() {
    const std::string images = root + "/images";
    std::filesystem::create_directories(images);
    auto pdq8 = std::move(neardup::MakeMethod("pdq8")).value();
    for (int i = 0; i < kImages; ++i) {
      neardup::Image im = neardup::fuzz::TexturedImage(96 + 16 * i, 80, 11 + i);
      neardup::fuzz::CheckSetup(neardup::WriteImage(images + "/" + std::to_string(i) + ".png", im),
                                "WriteImage");
      queries.push_back(std::move(pdq8->Compute(im)).value());
    }
    {
      auto index = neardup::ImageIndex::Create(dir, "pdq8", "");
      neardup::fuzz::CheckSetup(index.status(), "Create");
      neardup::ScanOptions scan;
      scan.inputs = {images};
      scan.threads = 1;
      auto added = (*index)->Add(scan);
      neardup::fuzz::CheckSetup(added.status(), "Add");
      std::vector<neardup::ImportedHash> hashes;
      for (int i = 0; i < kImported; ++i) {
        neardup::Descriptor d = queries[i];
        d.bits.resize(4);  // one PDQ hash, as `index import` adds
        d.bits[0] ^= 0xff << i;
        hashes.push_back({"imported-" + std::to_string(i), d});
      }
      neardup::fuzz::CheckSetup((*index)->AddHashes(hashes).status(), "AddHashes");
      rows = kImages + kImported;
    }
    sqlite3* db = neardup::fuzz::OpenOrDie(catalog);
    neardup::fuzz::DropNotNull(db, "items");
    ExecOrDie(db, "PRAGMA wal_checkpoint(TRUNCATE);");
    columns = neardup::fuzz::Columns(db, "items", {"id"});
    sqlite3_close(db);
    pristine_catalog = neardup::fuzz::ReadAll(catalog);
    pristine_vectors = neardup::fuzz::ReadAll(vectors);
    if (pristine_vectors.empty()) std::abort();
  }

  void Restore(bool keep_vectors) {
    std::error_code ec;
    std::filesystem::remove(catalog + "-wal", ec);
    std::filesystem::remove(catalog + "-shm", ec);
    neardup::fuzz::WriteAll(catalog, pristine_catalog);
    if (keep_vectors) {
      neardup::fuzz::WriteAll(vectors, pristine_vectors);
    } else {
      std::filesystem::remove(vectors, ec);
    }
  }

  void Damage(FuzzedDataProvider& fdp) {
    sqlite3* db = neardup::fuzz::OpenOrDie(catalog);
    const int64_t id = fdp.ConsumeIntegralInRange<int64_t>(1, rows);
    const std::string where = " WHERE id=" + std::to_string(id);
    neardup::fuzz::SavedRow original(
        db, "SELECT " + neardup::fuzz::List(columns) + " FROM items" + where);
    const std::string sql =
        "UPDATE OR IGNORE items SET " + neardup::fuzz::Assignments(columns) + where;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) std::abort();
    for (size_t c = 0; c < columns.size(); ++c) {
      neardup::fuzz::BindFuzzed(st, int(c + 1), fdp, original[c]);
    }
    if (sqlite3_step(st) != SQLITE_DONE) std::abort();
    sqlite3_finalize(st);
    if (fdp.ConsumeBool()) {  // a row listed as removed (the vector index has yet to drop it)
      ExecOrDie(db, "INSERT OR IGNORE INTO removed(id) VALUES(" +
                        std::to_string(fdp.ConsumeIntegralInRange<int64_t>(0, rows + 1)) + ")");
    }
    sqlite3_close(db);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Setup setup;
  FuzzedDataProvider fdp(data, size);
  setup.Restore(/*keep_vectors=*/fdp.ConsumeBool());
  setup.Damage(fdp);

  auto index = neardup::ImageIndex::Open(setup.dir);
  if (!index.ok()) {
    FUZZ_CHECK(!index.status().message().empty());
    return 0;
  }
  neardup::ImageIndex& ix = **index;
  auto stats = ix.Stats();
  if (stats.ok()) FUZZ_CHECK(stats->images >= 0 && stats->vectors >= 0);

  // export: every row's descriptor is a pdq8 descriptor (8 codes, or one imported PDQ hash).
  std::set<std::string> paths;
  neardup::Status each = ix.ForEach([&](const std::string& path, const neardup::Descriptor& d) {
    FUZZ_CHECK(d.bits.size() == 32 || d.bits.size() == 4);
    paths.insert(path);
  });
  (void)each;

  auto hits = ix.Query(setup.queries, 4);
  if (hits.ok()) {
    FUZZ_CHECK(hits->size() == setup.queries.size());
    for (const auto& list : *hits) {
      for (const neardup::IndexHit& h : list) {
        FUZZ_CHECK(h.distance >= 0 && h.distance <= 256);
        FUZZ_CHECK(h.score >= 0 && h.score <= 1);
        if (each.ok()) FUZZ_CHECK(paths.count(h.path) == 1);
      }
    }
  }
  auto dups = ix.Dups(64, 1);
  if (dups.ok()) {
    for (const neardup::IndexPair& p : *dups) {
      FUZZ_CHECK(p.distance >= 0 && p.distance <= 64);
      if (each.ok()) FUZZ_CHECK(paths.count(p.a) == 1 && paths.count(p.b) == 1);
    }
  }
  return 0;
}
