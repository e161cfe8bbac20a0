#include "neardup/bench_maker.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
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

// The seed of original i's copy of family index f (the copies' derivation since the first
// benchmark: changing it changes every folder).
uint64_t CopySeed(uint64_t seed, size_t i, int f) {
  return SplitMix64(seed ^ SplitMix64(uint64_t(i) * 1000 + f));
}

// A seed for draw `k` of purpose `tag` for original i.
uint64_t HardNegativeSeed(uint64_t seed, uint64_t tag, size_t i, int k) {
  return SplitMix64(seed ^ SplitMix64(tag ^ SplitMix64(uint64_t(i) * 4096 + uint64_t(k))));
}

constexpr int kKinds = int(std::size(kHardNegativeKinds));
constexpr int kTextureKind = kKinds - 1;
constexpr uint64_t kPlanTag = 0x706c616e, kSetTag = 0x736574, kVariantTag = 0x76617269;
constexpr int kMaxHardNegativesPerSet = 3;

// The copy family whose overlay a kind reuses; none for hn_texture.
std::optional<Family> KindFamily(int kind) {
  static constexpr Family kFamilies[kKinds - 1] = {Family::kCaptionBar,    Family::kTextOverlay,
                                                   Family::kPasteInCanvas, Family::kBorder,
                                                   Family::kSticker,       Family::kWatermark};
  if (kind == kTextureKind) return std::nullopt;
  return kFamilies[kind];
}

// One hard negative to make.
struct HardNegative {
  size_t original = 0;    // index into the drawn originals
  size_t source = 0;      // index into the hard negatives' pictures
  int kind = 0;           // index into kHardNegativeKinds
  std::string set;        // the overlay set's id
  uint64_t overlay_seed;  // ApplyFamily's seed (the copy's when the set holds it), or the texture's
  uint64_t variant_seed;  // the fit of the picture, the texture variant
  int copy_family = -1;   // index into options.families of the copy in the set, or -1
};

// Plans `count` hard negatives of original i in overlay sets (bench_maker.h), using pictures
// *next_source on, and appends them to `out`; `copy_set` (per family index of the original)
// receives the ids of the sets its copies join.
void PlanHardNegatives(const BenchMakeOptions& o, size_t i, int count, size_t* next_source,
                       std::vector<HardNegative>* out, std::vector<std::string>* copy_set) {
  std::vector<int> family_index(kKinds, -1);  // the copy a kind may share, until it is shared
  for (int kind = 0; kind < kKinds; ++kind) {
    const std::optional<Family> f = KindFamily(kind);
    if (!f) continue;
    const auto it = std::find(o.families.begin(), o.families.end(), *f);
    if (it != o.families.end()) family_index[kind] = int(it - o.families.begin());
  }
  auto copy_left = [&] {
    return std::any_of(family_index.begin(), family_index.end(), [](int f) { return f >= 0; });
  };
  uint64_t r = HardNegativeSeed(o.seed, kPlanTag, i, 0);
  const int start = int(r % kKinds);
  int remaining = count, k = 0;
  for (int s = 0; remaining > 0; ++s) {
    int kind = (start + s) % kKinds;
    // A set without a copy needs two hard negatives: a last one goes to the next kind with one.
    for (int t = 1; remaining == 1 && family_index[kind] < 0 && t < kKinds; ++t) {
      if (family_index[(start + s + t) % kKinds] >= 0) kind = (start + s + t) % kKinds;
    }
    const int copy_family = family_index[kind];
    const int least = copy_family >= 0 ? 1 : 2;
    r = SplitMix64(r);
    int n = std::min(remaining, least + int(r % uint64_t(kMaxHardNegativesPerSet - least + 1)));
    if (copy_family >= 0) family_index[kind] = -1;  // a later set of this kind gets its own overlay
    if (remaining - n == 1 && !copy_left()) n += n < kMaxHardNegativesPerSet ? 1 : -1;
    const std::string set = "o" + std::to_string(i + 1) + "s" + std::to_string(s + 1);
    const uint64_t overlay_seed = copy_family >= 0 ? CopySeed(o.seed, i, copy_family)
                                                   : HardNegativeSeed(o.seed, kSetTag, i, s);
    if (copy_family >= 0) (*copy_set)[copy_family] = set;
    for (int j = 0; j < n; ++j) {
      HardNegative h;
      h.original = i;
      h.source = (*next_source)++;
      h.kind = kind;
      h.set = set;
      h.overlay_seed = overlay_seed;
      h.variant_seed = HardNegativeSeed(o.seed, kVariantTag, i, k++);
      h.copy_family = copy_family;
      out->push_back(std::move(h));
    }
    remaining -= n;
  }
}

// `picture` scaled to cover width x height and cropped there at an offset drawn from `seed`;
// `fit` receives the scale and the crop.
Image FitTo(const Image& picture, int width, int height, uint64_t seed,
            nlohmann::ordered_json* fit) {
  const double s = std::max(double(width) / picture.width, double(height) / picture.height);
  const int w = std::max(width, int(std::ceil(picture.width * s - 1e-9)));
  const int h = std::max(height, int(std::ceil(picture.height * s - 1e-9)));
  const Image scaled = Resize(picture, w, h);
  seed = SplitMix64(seed);
  const int x = int(seed % uint64_t(w - width + 1));
  const int y = int(SplitMix64(seed) % uint64_t(h - height + 1));
  *fit = {{"scaled_width", w}, {"scaled_height", h}, {"x", x}, {"y", y}};
  return Crop(scaled, x, y, width, height);
}

// Makes hard negative `h` of `original` from `picture` and fills its record's edits.
StatusOr<Image> MakeHardNegative(const HardNegative& h, const Image& original, const Image& picture,
                                 nlohmann::ordered_json* record) {
  if (h.kind == kTextureKind) {
    ASSIGN_OR_RETURN(TextureVariant v, MakeTextureVariant(picture, original.width, original.height,
                                                          h.overlay_seed, h.variant_seed));
    (*record)["texture"] = nlohmann::ordered_json::parse(v.params, nullptr, false);
    return std::move(v.image);
  }
  nlohmann::ordered_json fit;
  const Image base = FitTo(picture, original.width, original.height, h.variant_seed, &fit);
  (*record)["fit"] = std::move(fit);
  ASSIGN_OR_RETURN(Augmented a, ApplyFamily(base, *KindFamily(h.kind), h.overlay_seed));
  (*record)["applied"] = Applied(a.applied);
  return std::move(a.image);
}

}  // namespace

StatusOr<BenchMakeSummary> MakeBenchmark(const BenchMakeOptions& o) {
  if (o.originals < 1) return InvalidArgumentError("originals must be >= 1");
  if (o.sources.empty()) return InvalidArgumentError("no source folders given");
  if (o.families.empty()) return InvalidArgumentError("no transform families given");
  if (o.hard_negatives_per_original < 0) {
    return InvalidArgumentError("hard_negatives_per_original must be >= 0");
  }
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
  // Hard negatives' pictures come after the distractors, from the same pool, deduplicated
  // against everything drawn; they are moved out of `drawn` below.
  const int want_hard = o.originals * o.hard_negatives_per_original;
  size_t drawn_plain = 0;
  if (o.distractors.empty()) {
    Draw(sources, &next, want_distractors, o, &drawn, &families, &summary);
    drawn_plain = drawn.size();
    Draw(sources, &next, want_hard, o, &drawn, &families, &summary);
  } else {
    std::vector<std::string> pool =
        ShuffledCandidates(o.distractors, SplitMix64(o.seed ^ 0xD15), o.held_out_only);
    size_t dnext = 0;
    Draw(pool, &dnext, want_distractors, o, &drawn, &families, &summary);
    drawn_plain = drawn.size();
    Draw(pool, &dnext, want_hard, o, &drawn, &families, &summary);
  }
  std::vector<Drawn> pictures(std::make_move_iterator(drawn.begin() + drawn_plain),
                              std::make_move_iterator(drawn.end()));
  drawn.resize(drawn_plain);
  if (o.log) {
    o.log("drew " + std::to_string(o.originals) + " originals, " +
          std::to_string(drawn.size() - o.originals) + " distractors and " +
          std::to_string(pictures.size()) + " pictures for hard negatives");
    if (int(pictures.size()) < want_hard) {
      o.log("warning: " + std::to_string(pictures.size()) + " usable pictures for " +
            std::to_string(want_hard) + " hard negatives: the last originals get fewer");
    }
  }
  const int nf = int(o.families.size());
  std::vector<HardNegative> hard;
  std::vector<std::string> copy_set(size_t(o.originals) * nf);  // overlay set of each copy, or ""
  size_t next_picture = 0;
  for (int i = 0; i < o.originals; ++i) {
    const int n = std::min<int>(o.hard_negatives_per_original, int(pictures.size() - next_picture));
    if (n <= 0) break;
    std::vector<std::string> sets(nf);
    PlanHardNegatives(o, size_t(i), n, &next_picture, &hard, &sets);
    std::copy(sets.begin(), sets.end(), copy_set.begin() + size_t(i) * nf);
  }
  // Original i's hard negatives are hard[hard_begin[i] .. hard_begin[i + 1]).
  std::vector<size_t> hard_begin(size_t(o.originals) + 1);
  for (size_t i = 0, h = 0; i < hard_begin.size(); ++i) {
    while (h < hard.size() && hard[h].original < i) ++h;
    hard_begin[i] = h;
  }

  // Names are handed out sequentially (deterministic); pixels are made in parallel.
  NameMaker names(SplitMix64(o.seed ^ 0xBE7C4));
  const size_t hard_row = drawn.size() + size_t(o.originals) * nf;  // the first hard negative's
  std::vector<Row> rows(hard_row + hard.size());
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
  for (size_t h = 0; h < hard.size(); ++h) {
    Row& r = rows[hard_row + h];
    r.image = names.Next();
    r.role = "distractor";
    r.family = kHardNegativeKinds[hard[h].kind];
  }

  std::vector<Status> errors(rows.size());
  ParallelFor(int64_t(drawn.size()), o.threads, 1, [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin; i < end; ++i) {
      errors[i] = WriteImage(images_dir + "/" + rows[i].image, drawn[i].image, o.jpeg_quality);
      if (i >= o.originals) continue;
      for (int f = 0; f < nf; ++f) {
        const size_t k = drawn.size() + i * nf + f;
        Row& c = rows[k];
        const uint64_t seed = CopySeed(o.seed, size_t(i), f);
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
        const std::string& set = copy_set[size_t(i) * nf + f];
        if (!set.empty()) c.record["overlay_set"] = set;
        errors[k] = WriteImage(images_dir + "/" + c.image, a->image, o.jpeg_quality);
      }
      for (size_t h = hard_begin[i]; h < hard_begin[i + 1]; ++h) {
        const HardNegative& hn = hard[h];
        const size_t k = hard_row + h;
        Row& r = rows[k];
        const Drawn& picture = pictures[hn.source];
        r.record = {{"image", r.image},
                    {"role", r.role},
                    {"group", r.group},
                    {"source", picture.source},
                    {"family", r.family},
                    {"overlay_set", hn.set},
                    {"original", rows[i].image},
                    {"overlay_seed", hn.overlay_seed},
                    {"variant_seed", hn.variant_seed}};
        if (hn.copy_family >= 0) {
          r.record["shares_with_copy"] = rows[drawn.size() + i * nf + hn.copy_family].image;
        }
        StatusOr<Image> img = MakeHardNegative(hn, drawn[i].image, picture.image, &r.record);
        if (!img.ok()) {
          errors[k] = img.status().WithPrefix(picture.source + " (" + r.family + ")");
          continue;
        }
        errors[k] = WriteImage(images_dir + "/" + r.image, *img, o.jpeg_quality);
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
  summary.hard_negatives = int(hard.size());
  std::set<std::string> sets;
  for (const HardNegative& h : hard) sets.insert(h.set);
  summary.overlay_sets = int(sets.size());
  return summary;
}

}  // namespace neardup
