// bench make's hard negatives: unrelated pictures that share an overlay with a copy of an original
// or with each other (bench_maker.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "neardup/bench_maker.h"
#include "neardup/decode.h"
#include "neardup/eval.h"
#include "testutil/testutil.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// `n` unrelated synthetic photos named so that no two count as one family of files.
void MakeSources(const testing::TempDir& d, int n) {
  fs::create_directory(d.Join("src"));
  for (int i = 0; i < n; ++i) {
    const Image img = testing::MakeBusyPhoto(400, 300, 700 + i);
    const std::string name = std::string(1, char('a' + i % 26)) + char('a' + i / 26) + ".png";
    ASSERT_TRUE(WriteImage(d.Join("src/" + name), img).ok());
  }
}

BenchMakeOptions Options(const testing::TempDir& d, const std::string& out) {
  BenchMakeOptions o;
  o.sources = {d.Join("src")};
  o.out_dir = d.Join(out);
  o.originals = 3;
  o.distractor_count = 2;
  o.hard_negatives_per_original = 5;
  o.families = {Family::kCaptionBar,    Family::kSticker,   Family::kBorder, Family::kTextOverlay,
                Family::kPasteInCanvas, Family::kWatermark, Family::kJpeg};
  o.seed = 5;
  return o;
}

std::vector<Json> Records(const testing::TempDir& d, const std::string& out) {
  std::vector<Json> records;
  std::istringstream in(testing::ReadFile(d.Join(out + "/transforms.jsonl")));
  for (std::string line; std::getline(in, line);) records.push_back(Json::parse(line));
  return records;
}

Image Load(const testing::TempDir& d, const std::string& out, const std::string& name) {
  StatusOr<Image> img = DecodeFile(d.Join(out + "/images/" + name), DecodeOptions{});
  EXPECT_TRUE(img.ok()) << img.status().ToString();
  return img.ok() ? *img : Image();
}

// Mean absolute difference of a and b over the rectangle (x, y, w, h).
double RegionDiff(const Image& a, const Image& b, int x, int y, int w, int h) {
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.height, b.height);
  double sum = 0;
  for (int r = y; r < y + h; ++r) {
    for (int c = x; c < x + w; ++c) {
      for (int k = 0; k < 3; ++k) sum += std::abs(a.at(r, c, k) - b.at(r, c, k));
    }
  }
  return sum / (3.0 * w * h);
}

TEST(HardNegativesTest, CountsRolesAndSets) {
  testing::TempDir d;
  MakeSources(d, 3 + 2 + 15);
  StatusOr<BenchMakeSummary> s = MakeBenchmark(Options(d, "b"));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->originals, 3);
  EXPECT_EQ(s->copies, 21);
  EXPECT_EQ(s->distractors, 2);
  EXPECT_EQ(s->hard_negatives, 15);

  StatusOr<Benchmark> bench = LoadBenchmark(d.Join("b"));
  ASSERT_TRUE(bench.ok()) << bench.status().ToString();
  ASSERT_EQ(bench->images().size(), 3u + 21 + 2 + 15);
  int hard = 0, plain = 0;
  std::set<std::string> kinds(std::begin(kHardNegativeKinds), std::end(kHardNegativeKinds));
  for (const BenchImage& img : bench->images()) {
    if (img.role != BenchRole::kDistractor) continue;
    EXPECT_TRUE(img.group.empty());
    if (img.family.empty()) {
      ++plain;
    } else {
      ++hard;
      EXPECT_TRUE(kinds.count(img.family)) << img.family;
    }
  }
  EXPECT_EQ(hard, 15);
  EXPECT_EQ(plain, 2);

  // Overlay sets: 2-4 unrelated images, each hard negative from a picture of its own.
  std::map<std::string, std::string> source_of;  // image -> source file
  std::map<std::string, std::vector<const Json*>> sets;
  const std::vector<Json> records = Records(d, "b");
  for (const Json& r : records) source_of[r["image"]] = r["source"];
  std::set<std::string> hard_sources, other_sources;
  std::map<std::string, std::string> copy_of_set;
  for (const Json& r : records) {
    if (r.contains("overlay_set") && r["role"] == "copy")
      copy_of_set[r["overlay_set"]] = r["image"];
    if (r["role"] != "distractor" || !r.contains("overlay_set")) {
      if (r["role"] != "copy") other_sources.insert(r["source"]);
      continue;
    }
    EXPECT_TRUE(hard_sources.insert(r["source"]).second) << "a picture used twice";
    EXPECT_NE(r["source"], source_of[r["original"]]);
    sets[r["overlay_set"]].push_back(&r);
  }
  EXPECT_EQ(int(sets.size()), s->overlay_sets);
  for (const std::string& src : hard_sources) EXPECT_EQ(other_sources.count(src), 0u) << src;
  std::set<std::string> kinds_seen;
  for (const auto& [id, members] : sets) {
    const std::string kind = (*members[0])["family"];
    kinds_seen.insert(kind);
    const bool with_copy = members[0]->contains("shares_with_copy");
    const size_t size = members.size() + (with_copy ? 1 : 0);
    EXPECT_GE(size, 2u) << id;
    EXPECT_LE(size, 4u) << id;
    for (const Json* m : members) {
      EXPECT_EQ((*m)["family"], kind);
      EXPECT_EQ((*m)["overlay_seed"], (*members[0])["overlay_seed"]);
      if (with_copy) {
        EXPECT_EQ((*m)["shares_with_copy"], copy_of_set.at(id));
        // The copy's seed is the overlay's: the hard negative got the very same edit.
        for (const Json& r : records) {
          if (r["image"] == copy_of_set.at(id)) {
            EXPECT_EQ(r["seed"], (*m)["overlay_seed"]);
            EXPECT_EQ(r["applied"][0]["params"], (*m)["applied"][0]["params"]);
          }
        }
      }
    }
    if (kind == "hn_texture") {
      EXPECT_FALSE(with_copy);
    }
  }
  EXPECT_GE(kinds_seen.size(), 5u);

  // Under both protocols a hard negative and its set's copy are a negative pair; two hard
  // negatives are a negative pair only when all pairs are scored.
  for (const auto& [id, members] : sets) {
    const int32_t a = bench->FindImage(std::string((*members[0])["image"]));
    if (copy_of_set.count(id)) {
      const int32_t c = bench->FindImage(copy_of_set.at(id));
      EXPECT_EQ(ClassifyPair(*bench, a, c), PairKind::kNegative);
      EXPECT_EQ(ClassifyPair(*bench, a, c, nullptr, EvalProtocol::kQuerySide), PairKind::kNegative);
    }
    if (members.size() > 1) {
      const int32_t b = bench->FindImage(std::string((*members[1])["image"]));
      EXPECT_EQ(ClassifyPair(*bench, a, b), PairKind::kNegative);
      EXPECT_EQ(ClassifyPair(*bench, a, b, nullptr, EvalProtocol::kQuerySide), PairKind::kIgnored);
    }
  }
}

// The images of one set carry the same overlay pixels over different pictures (JPEG at quality
// 92 leaves a little noise, most of it near the overlay's edge, so the regions keep a margin).
TEST(HardNegativesTest, OneSetSharesTheOverlayPixels) {
  testing::TempDir d;
  MakeSources(d, 3 + 2 + 15);
  ASSERT_TRUE(MakeBenchmark(Options(d, "b")).ok());
  const std::vector<Json> records = Records(d, "b");
  std::map<std::string, std::vector<std::string>> members;  // set -> images, the copy first
  std::map<std::string, Json> params;                       // set -> the edit's params
  std::map<std::string, std::string> kind;
  for (const Json& r : records) {
    if (!r.contains("overlay_set")) continue;
    const std::string set = r["overlay_set"];
    if (r["role"] == "copy") {
      members[set].insert(members[set].begin(), r["image"]);
    } else {
      members[set].push_back(r["image"]);
      kind[set] = r["family"];
      if (r.contains("applied")) params[set] = r["applied"][0]["params"];
    }
  }
  constexpr int kMargin = 8;
  int checked = 0;
  for (const auto& [set, images] : members) {
    if (images.size() < 2) continue;
    const Json& p = params[set];
    const Image a = Load(d, "b", images[0]), b = Load(d, "b", images[1]);
    ASSERT_EQ(a.width, b.width);
    ASSERT_EQ(a.height, b.height);
    double overlay = -1, picture = -1;
    if (kind[set] == "hn_caption") {
      const int band = p["band_height"], h = a.height - band;
      const bool top = p["position"] == "top";
      overlay = RegionDiff(a, b, 0, top ? 0 : h + kMargin, a.width, band - kMargin);
      picture = RegionDiff(a, b, 0, top ? band : 0, a.width, h);
    } else if (kind[set] == "hn_sticker") {
      const int x = p["x"], y = p["y"], w = p["width"];
      overlay = RegionDiff(a, b, x + w * 2 / 5, y + w * 2 / 5, w / 5, w / 5);
      picture = RegionDiff(a, b, 0, 0, a.width, a.height);
    } else if (kind[set] == "hn_border") {
      const int top = p["top"], left = p["left"], right = p["right"], bottom = p["bottom"];
      overlay = RegionDiff(a, b, 0, 0, a.width, top - kMargin);
      picture = RegionDiff(a, b, left, top, a.width - left - right, a.height - top - bottom);
    } else {
      continue;
    }
    SCOPED_TRACE(set + " " + kind[set] + " " + images[0] + " " + images[1]);
    EXPECT_LT(overlay, 3.0);
    EXPECT_GT(picture, 20.0);
    ++checked;
  }
  EXPECT_GE(checked, 2);
}

TEST(HardNegativesTest, DeterministicAndZeroDisables) {
  testing::TempDir d;
  MakeSources(d, 3 + 2 + 15);
  ASSERT_TRUE(MakeBenchmark(Options(d, "a")).ok());
  ASSERT_TRUE(MakeBenchmark(Options(d, "b")).ok());
  BenchMakeOptions none = Options(d, "none");
  none.hard_negatives_per_original = 0;
  StatusOr<BenchMakeSummary> s = MakeBenchmark(none);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->hard_negatives, 0);
  EXPECT_EQ(s->overlay_sets, 0);

  EXPECT_EQ(testing::ReadFile(d.Join("a/truth.csv")), testing::ReadFile(d.Join("b/truth.csv")));
  EXPECT_EQ(testing::ReadFile(d.Join("a/transforms.jsonl")),
            testing::ReadFile(d.Join("b/transforms.jsonl")));
  int files = 0;
  for (auto& e : fs::directory_iterator(d.Join("a/images"))) {
    ++files;
    EXPECT_EQ(testing::ReadFile(e.path().string()),
              testing::ReadFile(d.Join("b/images/" + e.path().filename().string())));
  }
  EXPECT_EQ(files, 3 + 21 + 2 + 15);
  // Without hard negatives the rest of the folder is what it is with them: truth.csv is a prefix
  // and the same images hold the same bytes.
  const std::string with = testing::ReadFile(d.Join("a/truth.csv"));
  const std::string without = testing::ReadFile(d.Join("none/truth.csv"));
  EXPECT_EQ(with.substr(0, without.size()), without);
  EXPECT_EQ(without.find("hn_"), std::string::npos);
  int none_files = 0;
  for (auto& e : fs::directory_iterator(d.Join("none/images"))) {
    ++none_files;
    EXPECT_EQ(testing::ReadFile(e.path().string()),
              testing::ReadFile(d.Join("a/images/" + e.path().filename().string())));
  }
  EXPECT_EQ(none_files, 3 + 21 + 2);
}

TEST(HardNegativesTest, FewerPicturesFewerHardNegatives) {
  testing::TempDir d;
  MakeSources(d, 3 + 2 + 4);
  BenchMakeOptions o = Options(d, "b");
  StatusOr<BenchMakeSummary> s = MakeBenchmark(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->hard_negatives, 4);  // all of them to the first original
  o.out_dir = d.Join("c");
  o.hard_negatives_per_original = -1;
  EXPECT_EQ(MakeBenchmark(o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace neardup
