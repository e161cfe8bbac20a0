#include "neardup/bench_maker.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/parallel.h"
#include "neardup/decode.h"
#include "neardup/hash.h"
#include "neardup/preprocess.h"
#include "neardup/split.h"
#include "neardup/text.h"
#include "pipeline/walk.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// One drawn image (original or distractor), downscaled, with the hash used against duplicates.
struct Drawn {
  std::string source;
  Image image;
  PdqDihedral pdq;
};

struct Row {
  std::string image;  // file name under images/
  std::string group;
  std::string role;
  std::string family;
  nlohmann::ordered_json record;  // the transforms.jsonl line
};

bool NearDuplicate(const PdqDihedral& x, const std::vector<Drawn>& drawn) {
  for (const Drawn& d : drawn) {
    for (const Hash256& h : x.hashes) {
      if (HammingDistance(h, d.pdq.hashes[0]) <= kBenchDedupBits) return true;
    }
  }
  return false;
}

// ListedFile files of `inputs`, in a seeded random order.
std::vector<std::string> ShuffledCandidates(const std::vector<std::string>& inputs, uint64_t seed,
                                            bool held_out_only) {
  WalkResult walk = WalkInputs(inputs, /*recursive=*/true);
  std::vector<std::string> paths;
  for (const ListedFile& c : walk.files) {
    if (!held_out_only || IsHeldOut(c.path)) paths.push_back(c.path);
  }
  // Fisher-Yates with our own arithmetic, so the order is the same on every standard library.
  for (size_t i = paths.size(); i > 1; --i) {
    seed = SplitMix64(seed);
    std::swap(paths[i - 1], paths[seed % i]);
  }
  return paths;
}

// Decodes `path` and downscales it to max_side; false (and a log line) when it is unusable.
bool LoadSource(const std::string& path, const BenchMakeOptions& o, Image* out) {
  StatusOr<Image> img = DecodeFile(path, DecodeOptions{});
  if (!img.ok()) {
    if (o.log) o.log("skipped " + img.status().message());
    return false;
  }
  if (std::min(img->width, img->height) < o.min_side) return false;
  const int long_side = std::max(img->width, img->height);
  if (long_side > o.max_side) {
    const double s = double(o.max_side) / long_side;
    *out = Resize(*img, std::max(1, int(img->width * s + 0.5)),
                  std::max(1, int(img->height * s + 0.5)));
  } else {
    *out = std::move(img).value();
  }
  return true;
}

// Draws up to `count` images from `candidates` (from position *next on), skipping duplicates of
// anything in `drawn` (which it extends).
void Draw(const std::vector<std::string>& candidates, size_t* next, int count,
          const BenchMakeOptions& o, std::vector<Drawn>* drawn, std::set<std::string>* families,
          BenchMakeSummary* summary) {
  int added = 0;
  while (added < count && *next < candidates.size()) {
    const std::string& path = candidates[(*next)++];
    ++summary->sources_seen;
    if (families->count(FamilyKey(path))) {
      ++summary->sources_skipped;
      continue;
    }
    Drawn d;
    d.source = path;
    if (!LoadSource(path, o, &d.image)) {
      ++summary->sources_skipped;
      continue;
    }
    d.pdq = PdqDihedralHashes(d.image);
    if (d.pdq.quality == 0 || NearDuplicate(d.pdq, *drawn)) {  // 0: a flat picture
      ++summary->sources_skipped;
      continue;
    }
    families->insert(FamilyKey(path));
    drawn->push_back(std::move(d));
    ++added;
  }
}

class NameMaker {
 public:
  explicit NameMaker(uint64_t seed) : state_(seed) {}
  std::string Next() {
    for (;;) {
      state_ = SplitMix64(state_);
      char buf[32];
      std::snprintf(buf, sizeof buf, "%012llx.jpg",
                    static_cast<unsigned long long>(state_ & 0xFFFFFFFFFFFFull));
      if (used_.insert(buf).second) return buf;
    }
  }

 private:
  uint64_t state_;
  std::set<std::string> used_;
};

Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  f.close();
  if (!f) return IOError(path + ": cannot write");
  return Status::Ok();
}

Status PrepareOutDir(const std::string& out_dir) {
  std::error_code ec;
  if (fs::exists(out_dir, ec)) {
    if (!fs::is_directory(out_dir, ec))
      return InvalidArgumentError(out_dir + ": exists and is not a folder");
    if (!fs::is_empty(out_dir, ec)) {
      return InvalidArgumentError(out_dir + ": folder is not empty (refusing to overwrite)");
    }
  }
  fs::create_directories(fs::path(out_dir) / "images", ec);
  if (ec) return IOError(out_dir + ": cannot create: " + ec.message());
  return Status::Ok();
}

nlohmann::ordered_json Applied(const std::vector<TransformRecord>& applied) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const TransformRecord& r : applied) {
    list.push_back({{"family", FamilyName(r.family)},
                    {"params", nlohmann::ordered_json::parse(r.params, nullptr, false)}});
  }
  return list;
}

}  // namespace

StatusOr<BenchMakeSummary> MakeBenchmark(const BenchMakeOptions& o) {
  if (o.originals < 1) return InvalidArgumentError("originals must be >= 1");
  if (o.sources.empty()) return InvalidArgumentError("no source folders given");
  if (o.families.empty()) return InvalidArgumentError("no transform families given");
  if (o.max_side < kMinAugmentSide * 4 || o.min_side < kMinAugmentSide) {
    return InvalidArgumentError("max_side/min_side too small");
  }
  RETURN_IF_ERROR(PrepareOutDir(o.out_dir));
  const std::string images_dir = (fs::path(o.out_dir) / "images").string();

  BenchMakeSummary summary;
  std::vector<Drawn> drawn;
  std::set<std::string> families;
  std::vector<std::string> sources = ShuffledCandidates(o.sources, o.seed, o.held_out_only);
  size_t next = 0;
  Draw(sources, &next, o.originals, o, &drawn, &families, &summary);
  if (int(drawn.size()) < o.originals) {
    return InvalidArgumentError("only " + std::to_string(drawn.size()) +
                                " usable, mutually distinct source images for " +
                                std::to_string(o.originals) + " originals");
  }
  const int want_distractors = o.distractor_count >= 0 ? o.distractor_count : 4 * o.originals;
  if (o.distractors.empty()) {
    Draw(sources, &next, want_distractors, o, &drawn, &families, &summary);
  } else {
    std::vector<std::string> pool =
        ShuffledCandidates(o.distractors, SplitMix64(o.seed ^ 0xD15), o.held_out_only);
    size_t dnext = 0;
    Draw(pool, &dnext, want_distractors, o, &drawn, &families, &summary);
  }
  if (o.log) {
    o.log("drew " + std::to_string(o.originals) + " originals and " +
          std::to_string(drawn.size() - o.originals) + " distractors");
  }

  // Names are handed out sequentially (deterministic); pixels are made in parallel.
  NameMaker names(SplitMix64(o.seed ^ 0xBE7C4));
  const int nf = int(o.families.size());
  std::vector<Row> rows(drawn.size() + size_t(o.originals) * nf);
  for (size_t i = 0; i < drawn.size(); ++i) {
    const bool original = int(i) < o.originals;
    Row& r = rows[i];
    r.image = names.Next();
    r.group = original ? "g" + std::to_string(i + 1) : "";
    r.role = original ? "original" : "distractor";
    r.record = {
        {"image", r.image}, {"role", r.role}, {"group", r.group}, {"source", drawn[i].source}};
    for (int f = 0; f < nf && original; ++f) {
      Row& c = rows[drawn.size() + i * nf + f];
      c.image = names.Next();
      c.group = r.group;
      c.role = "copy";
      c.family = FamilyName(o.families[f]);
    }
  }

  std::vector<Status> errors(rows.size());
  ParallelFor(int64_t(drawn.size()), o.threads, 1, [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin; i < end; ++i) {
      errors[i] = WriteImage(images_dir + "/" + rows[i].image, drawn[i].image, o.jpeg_quality);
      if (i >= o.originals) continue;
      for (int f = 0; f < nf; ++f) {
        const size_t k = drawn.size() + i * nf + f;
        Row& c = rows[k];
        const uint64_t seed = SplitMix64(o.seed ^ SplitMix64(uint64_t(i) * 1000 + f));
        StatusOr<Augmented> a = ApplyFamily(drawn[i].image, o.families[f], seed);
        if (!a.ok()) {
          errors[k] = a.status().WithPrefix(drawn[i].source + " (" + c.family + ")");
          continue;
        }
        c.record = {{"image", c.image},
                    {"role", c.role},
                    {"group", c.group},
                    {"source", drawn[i].source},
                    {"family", c.family},
                    {"seed", seed},
                    {"applied", Applied(a->applied)}};
        errors[k] = WriteImage(images_dir + "/" + c.image, a->image, o.jpeg_quality);
      }
    }
  });
  for (const Status& s : errors) RETURN_IF_ERROR(s);

  std::string truth = "image,group,role,family\n", jsonl;
  for (const Row& r : rows) {
    truth += CsvField(r.image) + "," + r.group + "," + r.role + "," + r.family + "\n";
    jsonl += r.record.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  }
  RETURN_IF_ERROR(WriteText((fs::path(o.out_dir) / "truth.csv").string(), truth));
  RETURN_IF_ERROR(WriteText((fs::path(o.out_dir) / "transforms.jsonl").string(), jsonl));
  summary.originals = o.originals;
  summary.copies = o.originals * nf;
  summary.distractors = int(drawn.size()) - o.originals;
  return summary;
}

}  // namespace neardup
