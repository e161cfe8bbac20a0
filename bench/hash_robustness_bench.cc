// How well each perceptual hash of include/neardup/hash.h survives common edits, measured on
// images of the training packages (shared/data/TRAINING-SOURCES.md).
//
//   hash_robustness_bench --list FILE[:COUNT]... [--n 300] [--seed 1] [--negatives 50000]
//                         [--threads 2] [--closest 5]
//                         [--negatives-list FILE[:COUNT]... [--neg-n 5000] [--neg-max-side 512]
//                          [--neg-min-side 64] [--sweep-closest 20] [--closest-dir DIR]]
//
// Each list file holds image paths, one a line (scripts/fetch_training_images.sh writes them);
// COUNT originals are drawn from it (default: what is left of --n, shared among the lists without
// a count). Drawing is seeded and round-robin over directories, because sibling files are often
// frames of one object (freedroidrpg renders 30 rotations per item). Each original is decoded at
// full size by the library's DecodeFile (neardup/decode.h: EXIF orientation applied, alpha
// composited over white, or over black when the visible content is light), downscaled so its long
// side is <= 1024 (neardup::Resize), and skipped if its short side is < 128 px, if it is flat, if
// an earlier original is of its family (neardup::FamilyKey, the key of the train / held-out split:
// innermost folder + the file name's leading letters), or if its 16x16 grey thumbnail, whole or
// centre square, correlates with an earlier original's at |r| > 0.95 (one design at several sizes),
// so that the negatives below are not near-duplicates.
//
// Positives: each original against 15 edited copies of itself, made with the library's edits
// (neardup/augment.h and neardup/preprocess.h, the functions the augment families apply) except
// "rotate 5° (border)" and "caption bar", which no augment family does (its rotate keeps the size
// and cuts the corners; its caption adds a band instead of covering the bottom). Negatives: pairs
// of different originals (all pairs when there are fewer than --negatives, else a seeded sample).
// Methods: ahash, dhash, phash, whash (64 bits), pdq (256 bits) and pdq8, the smallest distance
// between the 8 dihedral PDQ hashes of the first image and the plain PDQ hash of the second (how a
// query is matched against a catalogue when rotations and mirrors should be found).
//
// Prints Markdown on stdout: per method the largest threshold (bits) whose false-positive rate on
// the negatives is <= 0.1% and <= 0.01% with its FP count, recall per edit at the 0.1% threshold,
// mean normalised distance per edit, PDQ quality figures and the closest negative pairs (to spot
// duplicates the selection missed). Progress goes to stderr. Deterministic for a given seed.
//
// With --negatives-list FILE[:COUNT] (repeatable; --neg-n N shared among lists without a count,
// default 5000) it also draws thousands of further images (downscaled to --neg-max-side 512,
// short side >= --neg-min-side 64, de-duplicated against the pool as the originals are, plus
// rotated/mirrored thumbnail copies and .../l10n/LANG/ copies), makes every pair of originals and
// these images a negative (millions of pairs), and prints per method a threshold sweep (FP pairs,
// FPR, recall per edit family) measured as `neardup find` measures (pdq8 symmetric; pdq/pdq8 also
// with find's quality rule), the precision in a 1,000-image folder with 100 duplicate pairs, the
// largest threshold with precision >= 0.99, the same on large images only, and the closest
// negative pairs (--sweep-closest 20; contact sheets in --closest-dir DIR).
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "image/cv_image.h"
#include "neardup/augment.h"
#include "neardup/decode.h"
#include "neardup/find.h"
#include "neardup/hash.h"
#include "neardup/image.h"
#include "neardup/preprocess.h"
#include "neardup/registry.h"
#include "neardup/split.h"

namespace {

using neardup::Image;

constexpr int kMaxSide = 1024;
constexpr int kMinSide = 128;
constexpr double kDupCorrelation = 0.95;

struct ListSpec {
  std::string path;
  int count = -1;  // -1: a share of what --n leaves
};

struct Options {
  std::vector<ListSpec> lists;
  int n = 300;
  uint64_t seed = 1;
  int negatives = 50000;
  int threads = 2;
  int closest = 5;  // closest negative pairs to print
  // The large negative set (section "Thresholds on a large negative set"); off when empty.
  std::vector<ListSpec> neg_lists;
  int neg_n = 5000;         // images shared among the --negatives-list files without a count
  int neg_max_side = 512;   // negatives are downscaled to this long side
  int neg_min_side = 64;    // and skipped when their short side is smaller
  int sweep_closest = 20;   // closest negative pairs listed per method
  std::string closest_dir;  // where to write contact sheets of them (none when empty)
};

[[noreturn]] void Usage(const char* msg) {
  std::fprintf(stderr,
               "error: %s\nusage: hash_robustness_bench --list FILE[:COUNT]... [--n N] [--seed S] "
               "[--negatives M] [--threads T] [--closest K]\n"
               "       [--negatives-list FILE[:COUNT]... [--neg-n N] [--neg-max-side PX] "
               "[--neg-min-side PX] [--sweep-closest K] [--closest-dir DIR]]\n",
               msg);
  std::exit(2);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    auto list_spec = [&]() {
      std::string v = value();
      ListSpec spec{v, -1};
      const size_t colon = v.rfind(':');
      if (colon != std::string::npos && colon + 1 < v.size() &&
          v.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
        spec.path = v.substr(0, colon);
        spec.count = std::stoi(v.substr(colon + 1));
      }
      return spec;
    };
    if (a == "--list") {
      o.lists.push_back(list_spec());
    } else if (a == "--negatives-list") {
      o.neg_lists.push_back(list_spec());
    } else if (a == "--neg-n") {
      o.neg_n = std::stoi(value());
    } else if (a == "--neg-max-side") {
      o.neg_max_side = std::stoi(value());
    } else if (a == "--neg-min-side") {
      o.neg_min_side = std::stoi(value());
    } else if (a == "--sweep-closest") {
      o.sweep_closest = std::stoi(value());
    } else if (a == "--closest-dir") {
      o.closest_dir = value();
    } else if (a == "--n") {
      o.n = std::stoi(value());
    } else if (a == "--seed") {
      o.seed = std::stoull(value());
    } else if (a == "--negatives") {
      o.negatives = std::stoi(value());
    } else if (a == "--threads") {
      o.threads = std::max(1, std::stoi(value()));
    } else if (a == "--closest") {
      o.closest = std::stoi(value());
    } else {
      Usage(("unknown argument " + a).c_str());
    }
  }
  if (o.lists.empty()) Usage("at least one --list is required");
  return o;
}

// Runs fn(i) for i in [0, n) on `threads` threads; fn must only write to slot i of its outputs.
void ParallelFor(int n, int threads, const std::function<void(int)>& fn) {
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
}

// RGB as DecodeFile gives it, downscaled (area averaging) so its long side is <= max_side. Empty
// when it cannot be decoded (the reason is printed unless the file is simply not an image).
Image LoadOriginal(const std::string& path, int max_side = kMaxSide) {
  neardup::StatusOr<Image> decoded = neardup::DecodeFile(path, neardup::DecodeOptions{});
  if (!decoded.ok()) {
    if (decoded.status().code() != neardup::StatusCode::kInvalidArgument) {
      std::fprintf(stderr, "warning: %s\n", decoded.status().ToString().c_str());
    }
    return {};  // counted as undecodable
  }
  Image m = std::move(*decoded);
  const int long_side = std::max(m.width, m.height);
  if (long_side > max_side) {
    const double s = double(max_side) / long_side;
    m = neardup::Resize(m, std::max(1, int(std::lround(m.width * s))),
                        std::max(1, int(std::lround(m.height * s))));
  }
  return m;
}

// Zero-mean, unit-norm 16x16 grey thumbnails (the dot product of two is their correlation) of the
// whole image and of its centred square, which catches one design cut to 4:3 and to 16:9; and
// the grey standard deviation, to reject flat images.
using Thumb16 = std::array<float, 256>;
struct Thumb {
  Thumb16 whole{}, square{};
  double stddev = 0;
};

// The 16x16 area-averaged grey thumbnail of `grey`, as bytes.
Image Grey16(const Image& grey) { return neardup::Resize(grey, 16, 16); }

Thumb16 Normalised(const Image& t16) {
  Thumb16 t;
  double mean = 0;
  for (int k = 0; k < 256; ++k) mean += t16.pixels[k];
  mean /= 256;
  double norm = 0;
  for (int k = 0; k < 256; ++k) {
    t[k] = float(t16.pixels[k] - mean);
    norm += double(t[k]) * t[k];
  }
  norm = std::sqrt(norm);
  if (norm > 1e-6) {
    for (float& v : t) v = float(v / norm);
  }
  return t;
}

double Dot(const Thumb16& a, const Thumb16& b) {
  double s = 0;
  for (int k = 0; k < 256; ++k) s += double(a[k]) * b[k];
  return s;
}

Thumb MakeThumb(const Image& rgb) {
  const Image g = neardup::ToGrey(rgb);
  const int side = std::min(g.width, g.height);
  const Image whole = Grey16(g);
  Thumb t;
  t.whole = Normalised(whole);
  t.square =
      Normalised(Grey16(neardup::Crop(g, (g.width - side) / 2, (g.height - side) / 2, side, side)));
  double mean = 0, sq = 0;
  for (uint8_t v : whole.pixels) mean += v;
  mean /= 256;
  for (uint8_t v : whole.pixels) sq += (v - mean) * (v - mean);
  t.stddev = std::sqrt(sq / 256);
  return t;
}

bool NearCopy(const Thumb& a, const Thumb& b) {
  return std::abs(Dot(a.whole, b.whole)) > kDupCorrelation ||
         std::abs(Dot(a.square, b.square)) > kDupCorrelation;
}

// ---- the edits ----
// The library's edits where one exists (neardup/augment.h, neardup/preprocess.h); the two that no
// augment family makes are drawn here with OpenCV.

Image OrExit(neardup::StatusOr<Image> image, const char* what) {
  if (!image.ok()) {
    std::fprintf(stderr, "error: %s: %s\n", what, image.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(*image);
}

// Keeps `area` of the image at its aspect; centred, or anchored at the top-left corner.
Image CropArea(const Image& m, double area, bool centred) {
  const double s = std::sqrt(area);
  const int w = std::max(1, int(std::lround(m.width * s)));
  const int h = std::max(1, int(std::lround(m.height * s)));
  const int x = centred ? (m.width - w) / 2 : 0;
  const int y = centred ? (m.height - h) / 2 : 0;
  return neardup::Crop(m, x, y, w, h);
}

// Own edit: rotates by `degrees` about the centre on a canvas grown to hold the whole image,
// black corners (augment's "rotate" keeps the size and cuts the corners off).
Image RotateSmall(const Image& img, double degrees) {
  const cv::Mat m = neardup::image_internal::AsMat(img);
  const cv::Point2f centre(m.cols / 2.0f, m.rows / 2.0f);
  cv::Mat r = cv::getRotationMatrix2D(centre, degrees, 1.0);
  const cv::Rect2f box = cv::RotatedRect(centre, m.size(), float(degrees)).boundingRect2f();
  r.at<double>(0, 2) += box.width / 2.0 - centre.x;
  r.at<double>(1, 2) += box.height / 2.0 - centre.y;
  cv::Mat out;
  cv::warpAffine(m, out, r, cv::Size(int(std::ceil(box.width)), int(std::ceil(box.height))),
                 cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0, 0, 0));
  return neardup::image_internal::FromMat(out);
}

// Own edit: a black band over the bottom eighth with a white caption, as a social-media repost
// has (augment's "caption" adds a band above or below instead of covering the picture).
Image Caption(const Image& img) {
  cv::Mat out = neardup::image_internal::AsMat(img).clone();
  const int band = std::max(12, out.rows / 8);
  cv::rectangle(out, cv::Rect(0, out.rows - band, out.cols, band), cv::Scalar(0, 0, 0), cv::FILLED);
  const std::string text = "Summer 2023 - shared with neardup";
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  int base = 0;
  const cv::Size unit = cv::getTextSize(text, font, 1.0, 2, &base);
  const double scale = std::min(0.6 * band / unit.height, 0.9 * out.cols / unit.width);
  const int thickness = std::max(1, int(std::lround(scale * 2)));
  const cv::Size size = cv::getTextSize(text, font, scale, thickness, &base);
  const cv::Point origin((out.cols - size.width) / 2, out.rows - (band - size.height) / 2);
  cv::putText(out, text, origin, font, scale, cv::Scalar(255, 255, 255), thickness, cv::LINE_AA);
  return neardup::image_internal::FromMat(out);
}

struct Edit {
  const char* name;
  std::function<Image(const Image&)> apply;
};

const std::vector<Edit>& Edits() {
  using namespace neardup;
  static const std::vector<Edit> edits = {
      {"resize 50%", [](const Image& m) { return DownscaleBy(m, 0.5); }},
      {"resize 25%", [](const Image& m) { return DownscaleBy(m, 0.25); }},
      {"JPEG q30", [](const Image& m) { return OrExit(JpegRoundTrip(m, 30), "JPEG q30"); }},
      {"JPEG q10", [](const Image& m) { return OrExit(JpegRoundTrip(m, 10), "JPEG q10"); }},
      {"crop 80% centred", [](const Image& m) { return CropArea(m, 0.8, true); }},
      {"crop 80% corner", [](const Image& m) { return CropArea(m, 0.8, false); }},
      {"crop 60% centred", [](const Image& m) { return CropArea(m, 0.6, true); }},
      {"crop 60% corner", [](const Image& m) { return CropArea(m, 0.6, false); }},
      {"rotate 90°", [](const Image& m) { return Rotate90(m, 1); }},
      {"rotate 5° (border)", [](const Image& m) { return RotateSmall(m, 5.0); }},
      {"mirror", [](const Image& m) { return FlipHorizontal(m); }},
      {"greyscale", [](const Image& m) { return GreyscaleRgb(m); }},
      {"gamma 0.6", [](const Image& m) { return ApplyGamma(m, 0.6); }},
      {"caption bar", Caption},
      {"blur sigma 2", [](const Image& m) { return GaussianDenoise(m, 2.0); }},
  };
  return edits;
}

// ---- the methods ----

enum Method { kAhash, kDhash, kPhash, kWhash, kPdq, kPdq8, kMethods };
const char* const kMethodNames[kMethods] = {"ahash", "dhash", "phash", "whash", "pdq", "pdq8"};
const int kMethodBits[kMethods] = {64, 64, 64, 64, neardup::kPdqBits, neardup::kPdqBits};

struct Hashes {
  uint64_t h64[4] = {};
  neardup::PdqResult pdq;
  // PDQ codes of 4 words, variant 0 the plain hash, then (for originals and pool images, and for
  // copies in the sweep) the 7 other dihedral hashes in PdqDihedralHashes' order.
  std::array<uint64_t, 8 * 4> pdq8{};
  int variants = 1;
};

Hashes HashAll(const Image& img, bool dihedral) {
  Hashes h;
  h.h64[kAhash] = neardup::AverageHash(img);
  h.h64[kDhash] = neardup::DifferenceHash(img);
  h.h64[kPhash] = neardup::PerceptualHash(img);
  h.h64[kWhash] = neardup::WaveletHash(img);
  h.pdq = neardup::PdqHash(img);
  std::copy(h.pdq.hash.w.begin(), h.pdq.hash.w.end(), h.pdq8.begin());
  if (dihedral) {
    const neardup::PdqDihedral d = neardup::PdqDihedralHashes(img);
    for (int v = 1; v < 8; ++v)
      std::copy(d.hashes[v].w.begin(), d.hashes[v].w.end(), &h.pdq8[4 * v]);
    h.variants = 8;
  }
  return h;
}

// Distances from original `a` (with its dihedral hashes) to image `b`, per method, in bits; pdq8
// one-sided: any variant of `a` against the plain hash of `b`.
std::array<int, kMethods> Distances(const Hashes& a, const Hashes& b) {
  std::array<int, kMethods> d{};
  for (int m = kAhash; m <= kWhash; ++m) d[m] = neardup::HammingDistance64(a.h64[m], b.h64[m]);
  d[kPdq] = neardup::HammingDistance(a.pdq.hash, b.pdq.hash);
  d[kPdq8] = neardup::VariantDistance<4>(a.pdq8.data(), a.variants, b.pdq8.data(), 1);
  return d;
}

// ---- selection ----

struct Original {
  std::string path;
  int list = 0;
  Image image;  // RGB, long side <= kMaxSide
};

std::vector<std::string> ReadList(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "error: cannot read %s\n", path.c_str());
    std::exit(1);
  }
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// Seeded shuffle, then round-robin over directories (in order of first appearance).
std::vector<std::string> DiverseOrder(std::vector<std::string> paths, std::mt19937_64& rng) {
  std::shuffle(paths.begin(), paths.end(), rng);
  std::vector<std::string> dirs;
  std::map<std::string, std::vector<std::string>> by_dir;
  for (const std::string& p : paths) {
    const std::string dir = p.substr(0, p.rfind('/') + 1);
    auto& v = by_dir[dir];
    if (v.empty()) dirs.push_back(dir);
    v.push_back(p);
  }
  std::vector<std::string> out;
  for (size_t round = 0; out.size() < paths.size(); ++round) {
    for (const std::string& d : dirs) {
      if (round < by_dir[d].size()) out.push_back(by_dir[d][round]);
    }
  }
  return out;
}

// Also hands back the thumbnails and family keys of the chosen originals (for the negatives).
std::vector<Original> SelectOriginals(const Options& opt, std::mt19937_64& rng,
                                      std::vector<Thumb>* thumbs_out,
                                      std::set<std::string>* families_out) {
  int fixed = 0, shared = 0;
  for (const ListSpec& l : opt.lists) (l.count >= 0 ? fixed += l.count : ++shared);
  const int share = shared ? std::max(0, opt.n - fixed) / shared : 0;

  std::vector<Original> chosen;
  std::vector<Thumb> thumbs;
  std::set<std::string> families;
  for (size_t li = 0; li < opt.lists.size(); ++li) {
    const ListSpec& spec = opt.lists[li];
    const int want = spec.count >= 0 ? spec.count : share;
    const std::vector<std::string> order = DiverseOrder(ReadList(spec.path), rng);
    int got = 0, small = 0, flat = 0, dup = 0, bad = 0;
    // Decode in parallel batches, accept in list order: the same originals for any thread count.
    const int batch = 8 * opt.threads;
    for (size_t start = 0; start < order.size() && got < want; start += batch) {
      const int count = int(std::min<size_t>(batch, order.size() - start));
      std::vector<Image> decoded(count);
      ParallelFor(count, opt.threads, [&](int i) { decoded[i] = LoadOriginal(order[start + i]); });
      for (int i = 0; i < count && got < want; ++i) {
        const Image& m = decoded[i];
        if (m.pixels.empty()) {
          ++bad;
          continue;
        }
        if (std::min(m.width, m.height) < kMinSide) {
          ++small;
          continue;
        }
        Thumb t = MakeThumb(m);
        if (t.stddev < 4.0) {
          ++flat;
          continue;
        }
        const std::string family = neardup::FamilyKey(order[start + i]);
        if (families.count(family) || std::any_of(thumbs.begin(), thumbs.end(),
                                                  [&](const Thumb& s) { return NearCopy(t, s); })) {
          ++dup;
          continue;
        }
        families.insert(family);
        thumbs.push_back(t);
        chosen.push_back({order[start + i], int(li), std::move(decoded[i])});
        ++got;
      }
    }
    std::fprintf(stderr,
                 "%s: %d originals (skipped %d under %d px, %d flat, %d near-copies, %d "
                 "undecodable)\n",
                 spec.path.c_str(), got, small, kMinSide, flat, dup, bad);
  }
  *thumbs_out = std::move(thumbs);
  *families_out = std::move(families);
  return chosen;
}

// ---- statistics ----

// Largest threshold t (bits) with at most floor(fpr * negatives) negatives at distance <= t;
// -1 when even t = 0 has more.
int ThresholdAtFpr(const std::vector<int>& neg, int bits, double fpr, int* fp_count) {
  std::vector<int64_t> hist(bits + 2, 0);
  for (int d : neg) ++hist[d];
  const int64_t allowed = int64_t(std::floor(fpr * double(neg.size())));
  int64_t cum = 0;
  int t = -1;
  *fp_count = 0;
  for (int d = 0; d <= bits; ++d) {
    cum += hist[d];
    if (cum > allowed) break;
    t = d;
    *fp_count = int(cum);
  }
  return t;
}

double Recall(const std::vector<int>& pos, int t) {
  if (pos.empty()) return 0;
  return double(std::count_if(pos.begin(), pos.end(), [&](int d) { return d <= t; })) / pos.size();
}

double MeanNormalised(const std::vector<int>& v, int bits) {
  if (v.empty()) return 0;
  double s = 0;
  for (int d : v) s += d;
  return s / v.size() / bits;
}

// ---- the large negative set and the threshold sweep (--negatives-list) ----

// Distances as `neardup find` measures them: pdq8 is VariantDistance (neardup/hash.h), the one
// definition the methods and the searches use (symmetric).
std::array<int, kMethods> FindDistances(const Hashes& a, const Hashes& b) {
  std::array<int, kMethods> d = Distances(a, b);
  d[kPdq8] = neardup::VariantDistance<4>(a.pdq8.data(), a.variants, b.pdq8.data(), b.variants);
  return d;
}

struct SweepPositives {
  std::vector<std::array<std::vector<int>, kMethods>> d;  // [edit][method][original]
  std::vector<std::vector<int>> min_quality;              // [edit][original]: min PDQ quality
};

struct PoolImage {
  std::string path;
  int list = -1;       // index into --negatives-list; -1 for an original
  Hashes hashes;       // dihedral filled
  int short_side = 0;  // of the decoded, downscaled image
};

// Images whose short side is at least this form the "large images" subset (like the originals).
constexpr int kLargeSide = 128;

// The 16x16 thumbnails of Thumb, scaled by 2^14 to int16: their integer dot product is the
// correlation times 2^28 (no overflow: both have unit norm).
struct QThumb {
  std::array<int16_t, 256> whole{}, square{};
};

QThumb Quantise(const Thumb& t) {
  QThumb q;
  for (int k = 0; k < 256; ++k) {
    q.whole[k] = int16_t(std::lround(t.whole[k] * 16384.0f));
    q.square[k] = int16_t(std::lround(t.square[k] * 16384.0f));
  }
  return q;
}

// The 8 rotations and mirrors of a 16x16 thumbnail (index 0: itself).
std::array<std::array<int16_t, 256>, 8> Dihedral16(const std::array<int16_t, 256>& t) {
  std::array<std::array<int16_t, 256>, 8> out;
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 16; ++x) {
      const int16_t v = t[y * 16 + x];
      const int X = 15 - x, Y = 15 - y;
      out[0][y * 16 + x] = v;
      out[1][x * 16 + Y] = v;  // rot90
      out[2][Y * 16 + X] = v;  // rot180
      out[3][X * 16 + y] = v;  // rot270
      out[4][y * 16 + X] = v;  // mirror
      out[5][Y * 16 + x] = v;  // flip
      out[6][x * 16 + y] = v;  // transpose
      out[7][X * 16 + Y] = v;  // anti-transpose
    }
  }
  return out;
}

int32_t Dot256(const std::array<int16_t, 256>& a, const std::array<int16_t, 256>& b) {
  int32_t s = 0;
  for (int k = 0; k < 256; ++k) s += int32_t(a[k]) * int32_t(b[k]);
  return s;
}

bool NearCopyQ(const QThumb& a, const QThumb& b) {
  constexpr int32_t kLimit = int32_t(kDupCorrelation * double(1 << 28));
  return std::abs(Dot256(a.whole, b.whole)) > kLimit ||
         std::abs(Dot256(a.square, b.square)) > kLimit;
}

struct NegListStats {
  int got = 0, small = 0, flat = 0, family = 0, near = 0, bad = 0;
};

// Draws the negative images: per list, seeded round-robin over folders (as the originals), each
// decoded, downscaled to opt.neg_max_side, skipped if its short side is < opt.neg_min_side, flat,
// of a family already in the pool (originals included; localised copies under .../l10n/LANG/ are
// one family), or a near-copy of a pool image: 16x16 thumbnails (whole or centre square)
// correlating at |r| > 0.95 as they are, or after one of the 7 rotations/mirrors (those are
// tried only against pool images that some hash already puts within the sweep's range:
// pdq8 <= 64 bits or a 64-bit hash <= 16 bits; the others cannot be false positives in it).
// Appends the accepted ones, hashed, to `pool`.
std::vector<NegListStats> SelectNegatives(const Options& opt, std::vector<PoolImage>& pool,
                                          std::vector<QThumb>& qthumbs,
                                          std::set<std::string>& families) {
  std::mt19937_64 rng(opt.seed ^ 0x6e65676174697665ULL);  // own stream: originals unchanged
  int fixed = 0, shared = 0;
  for (const ListSpec& l : opt.neg_lists) (l.count >= 0 ? fixed += l.count : ++shared);
  const int share = shared ? std::max(0, opt.neg_n - fixed) / shared : 0;
  // Localised copies (.../l10n/LANG/x.png) are one family: drop LANG, so the innermost folder
  // FamilyKey looks at is l10n for all of them.
  static const std::regex kL10n("/l10n/[^/]+/");
  auto family_of = [](const std::string& path) {
    return neardup::FamilyKey(std::regex_replace(path, kL10n, "/l10n/"));
  };
  auto near = [&](const QThumb& q, const std::array<std::array<int16_t, 256>, 8>& dw,
                  const std::array<std::array<int16_t, 256>, 8>& ds, const Hashes& h, size_t j) {
    if (NearCopyQ(q, qthumbs[j])) return true;
    const std::array<int, kMethods> d = FindDistances(h, pool[j].hashes);
    const bool close = d[kPdq8] <= 64 || *std::min_element(d.begin(), d.begin() + 4) <= 16;
    if (!close) return false;
    constexpr int32_t kLimit = int32_t(kDupCorrelation * double(1 << 28));
    for (int v = 1; v < 8; ++v) {
      if (std::abs(Dot256(dw[v], qthumbs[j].whole)) > kLimit ||
          std::abs(Dot256(ds[v], qthumbs[j].square)) > kLimit) {
        return true;
      }
    }
    return false;
  };
  std::vector<NegListStats> stats(opt.neg_lists.size());
  for (size_t li = 0; li < opt.neg_lists.size(); ++li) {
    const ListSpec& spec = opt.neg_lists[li];
    const int want = spec.count >= 0 ? spec.count : share;
    const std::vector<std::string> order = DiverseOrder(ReadList(spec.path), rng);
    NegListStats& st = stats[li];
    const int batch = 32 * opt.threads;
    for (size_t start = 0; start < order.size() && st.got < want; start += batch) {
      const int count = int(std::min<size_t>(batch, order.size() - start));
      // In parallel: decode, thumbnail, hash, and compare with the pool as it was before this
      // batch.
      std::vector<int> short_side(count, 0);
      std::vector<QThumb> q(count);
      std::vector<std::array<std::array<int16_t, 256>, 8>> dw(count), ds(count);
      std::vector<Hashes> h(count);
      std::vector<char> bad(count, 0), flat(count, 0), near_pool(count, 0);
      const size_t pool_before = qthumbs.size();
      ParallelFor(count, opt.threads, [&](int i) {
        const Image m = LoadOriginal(order[start + i], opt.neg_max_side);
        bad[i] = m.pixels.empty();
        if (bad[i]) return;
        short_side[i] = std::min(m.width, m.height);
        if (short_side[i] < opt.neg_min_side) return;
        const Thumb t = MakeThumb(m);
        flat[i] = t.stddev < 4.0;
        if (flat[i]) return;
        q[i] = Quantise(t);
        dw[i] = Dihedral16(q[i].whole);
        ds[i] = Dihedral16(q[i].square);
        h[i] = HashAll(m, /*dihedral=*/true);
        for (size_t j = 0; j < pool_before && !near_pool[i]; ++j) {
          near_pool[i] = near(q[i], dw[i], ds[i], h[i], j);
        }
      });
      // In list order: accept, so the choice does not depend on the thread count.
      for (int i = 0; i < count && st.got < want; ++i) {
        if (bad[i]) {
          ++st.bad;
          continue;
        }
        if (short_side[i] < opt.neg_min_side) {
          ++st.small;
          continue;
        }
        if (flat[i]) {
          ++st.flat;
          continue;
        }
        const std::string family = family_of(order[start + i]);
        if (families.count(family)) {
          ++st.family;
          continue;
        }
        bool is_near = near_pool[i];
        for (size_t j = pool_before; j < qthumbs.size() && !is_near; ++j) {
          is_near = near(q[i], dw[i], ds[i], h[i], j);
        }
        if (is_near) {
          ++st.near;
          continue;
        }
        families.insert(family);
        qthumbs.push_back(q[i]);
        pool.push_back({order[start + i], int(li), h[i], short_side[i]});
        ++st.got;
      }
    }
    std::fprintf(stderr,
                 "%s: %d negatives (skipped %d under %d px, %d flat, %d of a family in the pool, "
                 "%d near-copies, %d undecodable)\n",
                 spec.path.c_str(), st.got, st.small, opt.neg_min_side, st.flat, st.family, st.near,
                 st.bad);
  }
  return stats;
}

// Variants of the sweep: the six methods on all pairs, and pdq/pdq8 with find's quality rule.
enum Variant {
  kVAhash,
  kVDhash,
  kVPhash,
  kVWhash,
  kVPdq,
  kVPdqRule,
  kVPdq8,
  kVPdq8Rule,
  kVariants
};
const char* const kVariantNames[kVariants] = {"ahash",
                                              "dhash",
                                              "phash",
                                              "whash",
                                              "pdq (all pairs)",
                                              "pdq (find's quality rule)",
                                              "pdq8 (all pairs)",
                                              "pdq8 (find's quality rule)"};
const char* const kVariantFiles[kVariants] = {"ahash",   "dhash",    "phash",    "whash",
                                              "pdq-all", "pdq-rule", "pdq8-all", "pdq8-rule"};
const int kVariantMethod[kVariants] = {kAhash, kDhash, kPhash, kWhash, kPdq, kPdq, kPdq8, kPdq8};
constexpr bool VariantHasRule(int v) { return v == kVPdqRule || v == kVPdq8Rule; }

// find's quality rule (neardup/find.h): below PDQ quality kPdqReliableQuality a pair matches only
// at distance <= kLowQualityMaxBits.
constexpr int kMinQuality = neardup::kPdqReliableQuality;
constexpr int kLowQualityBits = neardup::kLowQualityMaxBits;

// Whether a pair at distance d whose lower PDQ quality is q matches at threshold t.
bool Matches(int v, int d, int q, int t) {
  if (d > t) return false;
  return !VariantHasRule(v) || q >= kMinQuality || d <= kLowQualityBits;
}

struct Close {
  int d, i, j;
  bool operator<(const Close& o) const { return std::tie(d, i, j) < std::tie(o.d, o.i, o.j); }
};

// One-sided 95% upper bound of a Poisson mean given k events (bisection; normal approximation
// for large k).
double PoissonUpper95(int64_t k) {
  if (k > 2000) return double(k) + 1.645 * std::sqrt(double(k)) + 1.0;
  auto cdf = [k](double lambda) {  // P(X <= k)
    double term = std::exp(-lambda), sum = term;
    for (int64_t i = 1; i <= k; ++i) {
      term *= lambda / double(i);
      sum += term;
    }
    return sum;
  };
  double lo = double(k), hi = double(k) + 10.0 + 5.0 * std::sqrt(double(k) + 1.0);
  for (int it = 0; it < 100; ++it) {
    const double mid = 0.5 * (lo + hi);
    (cdf(mid) > 0.05 ? lo : hi) = mid;
  }
  return hi;
}

std::string ShortPath(const std::string& p) {
  const size_t at = p.find("/pkgs/");
  return at == std::string::npos ? p : p.substr(at + 6);
}

// A contact sheet of pairs: each pair side by side on grey, its rank and distance below.
void WriteSheet(const std::string& file, const std::vector<Close>& pairs,
                const std::vector<PoolImage>& pool, const char* title) {
  constexpr int kCell = 120, kGap = 4, kLabel = 16, kCols = 4, kMargin = 8;
  const int pair_w = 2 * kCell + kGap, pair_h = kCell + kLabel;
  const int rows = (int(pairs.size()) + kCols - 1) / kCols;
  cv::Mat sheet(24 + rows * (pair_h + kMargin), kCols * (pair_w + kMargin) + kMargin, CV_8UC3,
                cv::Scalar(255, 255, 255));
  cv::putText(sheet, title, cv::Point(kMargin, 17), cv::FONT_HERSHEY_SIMPLEX, 0.5,
              cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  for (size_t r = 0; r < pairs.size(); ++r) {
    const int x0 = kMargin + int(r % kCols) * (pair_w + kMargin);
    const int y0 = 24 + int(r / kCols) * (pair_h + kMargin);
    for (int side = 0; side < 2; ++side) {
      const cv::Rect cell(x0 + side * (kCell + kGap), y0, kCell, kCell);
      sheet(cell).setTo(cv::Scalar(128, 128, 128));
      const Image img = LoadOriginal(pool[side ? pairs[r].j : pairs[r].i].path, 512);
      if (img.pixels.empty()) continue;
      const cv::Mat m = neardup::image_internal::AsMat(img);  // RGB, as the sheet
      const double s = std::min(double(kCell) / m.cols, double(kCell) / m.rows);
      cv::Mat t;
      cv::resize(m, t, cv::Size(std::max(1, int(m.cols * s)), std::max(1, int(m.rows * s))), 0, 0,
                 s < 1 ? cv::INTER_AREA : cv::INTER_NEAREST);
      t.copyTo(sheet(
          cv::Rect(cell.x + (kCell - t.cols) / 2, cell.y + (kCell - t.rows) / 2, t.cols, t.rows)));
    }
    const std::string label = "#" + std::to_string(r + 1) + "  d=" + std::to_string(pairs[r].d);
    cv::putText(sheet, label, cv::Point(x0, y0 + kCell + 12), cv::FONT_HERSHEY_SIMPLEX, 0.4,
                cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  const neardup::Status written =
      neardup::WriteImage(file, neardup::image_internal::FromMat(sheet), 80);
  if (!written.ok()) std::fprintf(stderr, "warning: %s\n", written.ToString().c_str());
}

void LargeNegatives(const Options& opt, const SweepPositives& P, std::vector<PoolImage>& pool,
                    std::vector<QThumb>& qthumbs, std::set<std::string>& families) {
  const auto t0 = std::chrono::steady_clock::now();
  const int n_orig = int(pool.size());
  const std::vector<NegListStats> stats = SelectNegatives(opt, pool, qthumbs, families);
  const int n_pool = int(pool.size());
  const auto t1 = std::chrono::steady_clock::now();

  // All pairs of the pool: distance histograms split by the pair's lower PDQ quality (< 50 or
  // not), and the closest pairs per variant (pdq/pdq8 rule variants: pairs find would report).
  const int K = std::max(0, opt.sweep_closest);
  // Subset 0: all pairs; subset 1: pairs of two large images (short side >= kLargeSide).
  constexpr int kSubsets = 2;
  struct Acc {
    std::array<std::array<std::vector<int64_t>, kMethods>, kSubsets> hist_hq, hist_lq;
    std::array<std::array<std::vector<Close>, kVariants>, kSubsets> heap;
  };
  std::vector<Acc> acc(opt.threads);
  for (Acc& a : acc) {
    for (int sub = 0; sub < kSubsets; ++sub) {
      for (int k = 0; k < kMethods; ++k) {
        a.hist_hq[sub][k].assign(kMethodBits[k] + 1, 0);
        a.hist_lq[sub][k].assign(kMethodBits[k] + 1, 0);
      }
    }
  }
  std::atomic<int> next{0};
  auto worker = [&](int tid) {
    Acc& a = acc[tid];
    auto offer = [&](int sub, int v, int d, int i, int j) {
      std::vector<Close>& h = a.heap[sub][v];
      const Close c{d, i, j};
      if (int(h.size()) < K) {
        h.push_back(c);
        std::push_heap(h.begin(), h.end());
      } else if (K > 0 && c < h.front()) {
        std::pop_heap(h.begin(), h.end());
        h.back() = c;
        std::push_heap(h.begin(), h.end());
      }
    };
    for (int i = next++; i < n_pool; i = next++) {
      const Hashes& hi = pool[i].hashes;
      for (int j = i + 1; j < n_pool; ++j) {
        const Hashes& hj = pool[j].hashes;
        const std::array<int, kMethods> d = FindDistances(hi, hj);
        const bool low = std::min(hi.pdq.quality, hj.pdq.quality) < kMinQuality;
        const bool large = std::min(pool[i].short_side, pool[j].short_side) >= kLargeSide;
        for (int sub = 0; sub < (large ? 2 : 1); ++sub) {
          auto& hist = low ? a.hist_lq[sub] : a.hist_hq[sub];
          for (int k = 0; k < kMethods; ++k) ++hist[k][d[k]];
          for (int v = 0; v < kVariants; ++v) {
            const int dv = d[kVariantMethod[v]];
            if (VariantHasRule(v) && low && dv > kLowQualityBits) continue;
            const auto& heap = a.heap[sub][v];
            if (int(heap.size()) < K || dv <= heap.front().d) offer(sub, v, dv, i, j);
          }
        }
      }
    }
  };
  {
    std::vector<std::thread> threads;
    for (int t = 1; t < opt.threads; ++t) threads.emplace_back(worker, t);
    worker(0);
    for (std::thread& t : threads) t.join();
  }
  auto hist_hq = acc[0].hist_hq, hist_lq = acc[0].hist_lq;
  std::array<std::array<std::vector<Close>, kVariants>, kSubsets> closest;
  for (const Acc& a : acc) {
    for (int sub = 0; sub < kSubsets; ++sub) {
      for (int k = 0; k < kMethods; ++k) {
        for (int d = 0; d <= kMethodBits[k] && &a != &acc[0]; ++d) {
          hist_hq[sub][k][d] += a.hist_hq[sub][k][d];
          hist_lq[sub][k][d] += a.hist_lq[sub][k][d];
        }
      }
      for (int v = 0; v < kVariants; ++v) {
        closest[sub][v].insert(closest[sub][v].end(), a.heap[sub][v].begin(), a.heap[sub][v].end());
      }
    }
  }
  for (auto& per_sub : closest) {
    for (auto& c : per_sub) {
      std::sort(c.begin(), c.end());
      if (int(c.size()) > K) c.resize(K);
    }
  }
  std::array<int64_t, kSubsets> sub_pairs{}, sub_low{};
  for (int sub = 0; sub < kSubsets; ++sub) {
    for (int64_t c : hist_lq[sub][kPdq]) sub_low[sub] += c;
    for (int64_t c : hist_hq[sub][kPdq]) sub_pairs[sub] += c;
    sub_pairs[sub] += sub_low[sub];
  }
  const int64_t n_pairs = sub_pairs[0], n_low = sub_low[0];
  int n_large = 0;
  for (const PoolImage& p : pool) n_large += p.short_side >= kLargeSide;
  const auto t2 = std::chrono::steady_clock::now();

  // FP(v, t): negative pairs that match at threshold t.
  auto fp_sub = [&](int sub, int v, int t) {
    const int k = kVariantMethod[v];
    int64_t s = 0;
    for (int d = 0; d <= std::min(t, kMethodBits[k]); ++d) {
      s += hist_hq[sub][k][d];
      if (!VariantHasRule(v) || d <= kLowQualityBits) s += hist_lq[sub][k][d];
    }
    return s;
  };
  auto fp = [&](int v, int t) { return fp_sub(0, v, t); };
  const std::vector<Edit>& edits = Edits();
  const int n_edits = int(edits.size());
  const int n = int(P.min_quality.empty() ? 0 : P.min_quality[0].size());
  auto recall_edit = [&](int v, int e, int t) {
    int64_t hit = 0;
    for (int i = 0; i < n; ++i) {
      hit += Matches(v, P.d[e][kVariantMethod[v]][i], P.min_quality[e][i], t);
    }
    return n ? double(hit) / n : 0.0;
  };
  // Edit families (columns), and the edits a hash is meant to survive ("easy").
  struct Family {
    const char* name;
    std::vector<int> edits;
  };
  const std::vector<Family> fams = {{"resize", {0, 1}}, {"JPEG", {2, 3}}, {"crop", {4, 5, 6, 7}},
                                    {"rot90", {8}},     {"rot5", {9}},    {"mirror", {10}},
                                    {"grey", {11}},     {"gamma", {12}},  {"caption", {13}},
                                    {"blur", {14}}};
  auto easy_edits = [&](int v) {
    std::vector<int> e = {0, 1, 2, 3, 11, 12, 13, 14};
    if (kVariantMethod[v] == kPdq8) e.insert(e.end(), {8, 10});
    return e;
  };
  auto mean_recall = [&](int v, const std::vector<int>& es, int t) {
    double s = 0;
    for (int e : es) s += recall_edit(v, e, t);
    return es.empty() ? 0.0 : s / double(es.size());
  };
  std::vector<int> all_edits(n_edits);
  for (int e = 0; e < n_edits; ++e) all_edits[e] = e;
  // The realistic folder: 1,000 images, 100 near-duplicate pairs, 500,000 unrelated pairs.
  constexpr double kPositives = 100, kNegatives = 500000;
  auto precision_sub = [&](int sub, double recall, double fp_pairs) {
    const double tp = recall * kPositives, f = fp_pairs / double(sub_pairs[sub]) * kNegatives;
    return tp + f > 0 ? tp / (tp + f) : 1.0;
  };
  auto precision = [&](double recall, double fp_pairs) {
    return precision_sub(0, recall, fp_pairs);
  };

  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::printf("\n## Thresholds on a large negative set\n\n");
  std::printf(
      "Negative pool: the %d originals above plus %d images drawn from the lists below (long "
      "side <= %d px, short side >= %d px, not flat, no family or thumbnail near-copy |r| > %.2f "
      "of an image already in the pool); every pair of the pool is a negative: %lld pairs. "
      "Distances are measured as `neardup find` does (pdq8: any dihedral hash of one image "
      "against the plain hash of the other, both ways). Pairs with at least one side of PDQ "
      "quality < %d: %lld (%.1f%%).\n\n",
      n_orig, n_pool - n_orig, opt.neg_max_side, opt.neg_min_side, kDupCorrelation,
      (long long)n_pairs, kMinQuality, (long long)n_low, 100.0 * double(n_low) / double(n_pairs));
  std::printf(
      "| negatives list | drawn | skipped: small | flat | same family | thumbnail near-copy | "
      "undecodable |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (size_t li = 0; li < opt.neg_lists.size(); ++li) {
    const std::string& p = opt.neg_lists[li].path;
    const NegListStats& s = stats[li];
    std::printf("| %s | %d | %d | %d | %d | %d | %d |\n", p.substr(p.rfind('/') + 1).c_str(), s.got,
                s.small, s.flat, s.family, s.near, s.bad);
  }
  std::printf(
      "\nPositives: the %d originals x %d edits above. \"easy\" recall is the mean over resize "
      "50%%/25%%, JPEG q30/q10, greyscale, gamma, caption bar, blur (plus rotate 90° and mirror "
      "for pdq8). Precision is for a folder of 1,000 images with 100 near-duplicate pairs and "
      "500,000 unrelated pairs: TP = easy recall x 100, FP = FPR x 500,000; \"prec. (FP 95%% "
      "up)\" uses the one-sided 95%% Poisson upper bound of the FP count instead. "
      "find's quality rule: a pair in which either image has PDQ quality < %d matches only at "
      "distance <= %d bits.\n",
      n, n_edits, kMinQuality, kLowQualityBits);

  const std::vector<int> pdq_grid = {8, 12, 16, 20, 24, 28, 31, 32, 34, 36, 40, 44, 48, 56, 64};
  for (int v = 0; v < kVariants; ++v) {
    const int k = kVariantMethod[v];
    std::vector<int> grid;
    if (k == kPdq || k == kPdq8) {
      grid = pdq_grid;
    } else {
      for (int t = 0; t <= 16; ++t) grid.push_back(t);
    }
    std::printf("\n### %s\n\n| T | FP pairs | FPR |", kVariantNames[v]);
    for (const Family& f : fams) std::printf(" %s |", f.name);
    std::printf(" easy | all | precision | prec. (FP 95%% up) |\n| ---: | ---: | ---: |");
    for (size_t c = 0; c < fams.size() + 4; ++c) std::printf(" ---: |");
    std::printf("\n");
    for (int t : grid) {
      const int64_t f = fp(v, t);
      const double easy = mean_recall(v, easy_edits(v), t);
      std::printf("| %d | %lld | %.2e |", t, (long long)f, double(f) / double(n_pairs));
      for (const Family& fam : fams) std::printf(" %.3f |", mean_recall(v, fam.edits, t));
      std::printf(" %.3f | %.3f | %.4f | %.4f |\n", easy, mean_recall(v, all_edits, t),
                  precision(easy, double(f)), precision(easy, PoissonUpper95(f)));
    }
  }

  for (int sub = 0; sub < kSubsets; ++sub) {
    if (sub == 1) {
      std::printf(
          "\n## The same on large images only\n\n"
          "Negatives: only pairs of two pool images whose short side is >= %d px (as every "
          "original's; %d of the %d pool images, %lld pairs, %lld (%.1f%%) with a side of PDQ "
          "quality < %d): without the small sprites, tiles and icons, closer to a photo folder. "
          "Positives and recall as above.\n",
          kLargeSide, n_large, n_pool, (long long)sub_pairs[1], (long long)sub_low[1],
          100.0 * double(sub_low[1]) / double(std::max<int64_t>(1, sub_pairs[1])), kMinQuality);
      for (int v : {kVPhash, kVDhash, kVAhash, kVWhash, kVPdqRule, kVPdq8Rule}) {
        const int k = kVariantMethod[v];
        std::vector<int> grid;
        if (k == kPdq || k == kPdq8) {
          grid = pdq_grid;
        } else {
          for (int t = 0; t <= 16; t += 2) grid.push_back(t);
        }
        std::printf(
            "\n### %s, large images\n\n| T | FP pairs | FPR | easy recall | all-edit "
            "recall | precision | prec. (FP 95%% up) |\n| ---: | ---: | ---: | ---: | ---: "
            "| ---: | ---: |\n",
            kVariantNames[v]);
        for (int t : grid) {
          const int64_t f = fp_sub(1, v, t);
          const double easy = mean_recall(v, easy_edits(v), t);
          std::printf("| %d | %lld | %.2e | %.3f | %.3f | %.4f | %.4f |\n", t, (long long)f,
                      double(f) / double(sub_pairs[1]), easy, mean_recall(v, all_edits, t),
                      precision_sub(1, easy, double(f)), precision_sub(1, easy, PoissonUpper95(f)));
        }
      }
    }
    std::printf(
        "\n### Largest threshold with precision >= 0.99 (1,000 images, 100 duplicate pairs)%s\n\n"
        "Every T from 0 to the hash length is tried; \"largest T\" is the largest with precision "
        ">= 0.99, \"largest T (95%% up)\" the same with the FP upper bound. \"all below\": whether "
        "every smaller T also has precision >= 0.99.\n\n"
        "| variant | largest T | all below | FP pairs | FPR | easy recall | all-edit recall | "
        "precision | largest T (95%% up) | easy recall | precision (95%% up) |\n"
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        sub == 1 ? ", large images" : "");
    for (int v = 0; v < kVariants; ++v) {
      const int bits = kMethodBits[kVariantMethod[v]];
      int best = -1, best_up = -1;
      bool monotone = true;
      for (int t = 0; t <= bits; ++t) {
        const int64_t f = fp_sub(sub, v, t);
        const double easy = mean_recall(v, easy_edits(v), t);
        if (precision_sub(sub, easy, double(f)) >= 0.99) {
          if (best != t - 1) monotone = false;
          best = t;
        }
        if (precision_sub(sub, easy, PoissonUpper95(f)) >= 0.99) best_up = t;
      }
      std::printf("| %s |", kVariantNames[v]);
      if (best < 0) {
        std::printf(" none | - | - | - | - | - | - |");
      } else {
        const int64_t f = fp_sub(sub, v, best);
        const double easy = mean_recall(v, easy_edits(v), best);
        std::printf(" %d | %s | %lld | %.2e | %.3f | %.3f | %.4f |", best, monotone ? "yes" : "no",
                    (long long)f, double(f) / double(sub_pairs[sub]), easy,
                    mean_recall(v, all_edits, best), precision_sub(sub, easy, double(f)));
      }
      if (best_up < 0) {
        std::printf(" none | - | - |\n");
      } else {
        const int64_t f = fp_sub(sub, v, best_up);
        const double easy = mean_recall(v, easy_edits(v), best_up);
        std::printf(" %d | %.3f | %.4f |\n", best_up, easy,
                    precision_sub(sub, easy, PoissonUpper95(f)));
      }
    }

    if (K > 0) {
      std::printf("\n### Closest negative pairs%s\n\n", sub == 1 ? ", large images" : "");
      std::printf(
          "Per variant the %d closest pairs (ties by pool order); for the rule variants only "
          "pairs find would report. q: PDQ quality. %s\n",
          K,
          opt.closest_dir.empty() ? ""
                                  : ("Contact sheets: " + opt.closest_dir + "/VARIANT" +
                                     (sub ? "-large" : "") + ".jpg.")
                                        .c_str());
      for (int v = 0; v < kVariants; ++v) {
        if (sub == 1 && v != kVPdqRule && v != kVPdq8Rule && v != kVPhash) continue;
        std::printf("\n#### %s%s\n\n", kVariantNames[v], sub == 1 ? ", large images" : "");
        for (size_t r = 0; r < closest[sub][v].size(); ++r) {
          const Close& c = closest[sub][v][r];
          std::printf("%zu. d %d: `%s` (q %d) vs `%s` (q %d)\n", r + 1, c.d,
                      ShortPath(pool[c.i].path).c_str(), pool[c.i].hashes.pdq.quality,
                      ShortPath(pool[c.j].path).c_str(), pool[c.j].hashes.pdq.quality);
        }
        if (!opt.closest_dir.empty()) {
          std::error_code ec;
          std::filesystem::create_directories(opt.closest_dir, ec);
          const std::string title = std::string(kVariantNames[v]) + (sub ? ", large images" : "") +
                                    ": closest negative pairs";
          WriteSheet(opt.closest_dir + "/" + kVariantFiles[v] + (sub ? "-large" : "") + ".jpg",
                     closest[sub][v], pool, title.c_str());
        }
      }
    }
  }
  std::fprintf(stderr, "time: negatives select+hash %.1f s, %lld pairs %.1f s (%d threads)\n",
               secs(t0, t1), (long long)n_pairs, secs(t1, t2), opt.threads);
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = ParseArgs(argc, argv);
  const auto t0 = std::chrono::steady_clock::now();
  std::mt19937_64 rng(opt.seed);

  std::vector<Thumb> original_thumbs;
  std::set<std::string> original_families;
  std::vector<Original> originals = SelectOriginals(opt, rng, &original_thumbs, &original_families);
  const int n = int(originals.size());
  if (n < 2) {
    std::fprintf(stderr, "error: fewer than 2 usable originals\n");
    return 1;
  }
  const auto t1 = std::chrono::steady_clock::now();

  // Hash every original and its edited copies.
  const std::vector<Edit>& edits = Edits();
  const int n_edits = int(edits.size());
  std::vector<Hashes> hashes(n);
  // pos[e][m][i]: distance of original i to its copy under edit e, method m.
  std::vector<std::array<std::vector<int>, kMethods>> pos(n_edits);
  for (auto& per_method : pos) {
    for (auto& v : per_method) v.assign(n, 0);
  }
  // With --negatives-list, also the distances as `neardup find` measures them (pdq8 symmetric)
  // and the lower PDQ quality of each pair, for the threshold sweep.
  const bool sweep = !opt.neg_lists.empty();
  SweepPositives sweep_pos;
  if (sweep) {
    sweep_pos.d.resize(n_edits);
    sweep_pos.min_quality.resize(n_edits);
    for (int e = 0; e < n_edits; ++e) {
      for (auto& v : sweep_pos.d[e]) v.assign(n, 0);
      sweep_pos.min_quality[e].assign(n, 0);
    }
  }
  std::atomic<int> done{0};
  ParallelFor(n, opt.threads, [&](int i) {
    const Image& m = originals[i].image;
    hashes[i] = HashAll(m, /*dihedral=*/true);
    for (int e = 0; e < n_edits; ++e) {
      const Hashes copy = HashAll(edits[e].apply(m), /*dihedral=*/sweep);
      const std::array<int, kMethods> d = Distances(hashes[i], copy);
      for (int k = 0; k < kMethods; ++k) pos[e][k][i] = d[k];
      if (sweep) {
        const std::array<int, kMethods> ds = FindDistances(hashes[i], copy);
        for (int k = 0; k < kMethods; ++k) sweep_pos.d[e][k][i] = ds[k];
        sweep_pos.min_quality[e][i] = std::min(hashes[i].pdq.quality, copy.pdq.quality);
      }
    }
    const int c = ++done;
    if (c % 50 == 0) std::fprintf(stderr, "hashed %d/%d originals\n", c, n);
  });
  std::vector<int> original_short;
  for (Original& o : originals) {
    original_short.push_back(std::min(o.image.width, o.image.height));
    o.image = Image();
  }
  const auto t2 = std::chrono::steady_clock::now();

  // Negative pairs (i < j): all of them, or a seeded sample without repetition.
  std::vector<std::pair<int, int>> pairs;
  const int64_t all_pairs = int64_t(n) * (n - 1) / 2;
  if (all_pairs <= opt.negatives) {
    for (int i = 0; i < n; ++i) {
      for (int j = i + 1; j < n; ++j) pairs.emplace_back(i, j);
    }
  } else {
    std::unordered_set<int64_t> seen;
    std::uniform_int_distribution<int> pick(0, n - 1);
    while (int(pairs.size()) < opt.negatives) {
      int i = pick(rng), j = pick(rng);
      if (i == j) continue;
      if (i > j) std::swap(i, j);
      if (seen.insert(int64_t(i) * n + j).second) pairs.emplace_back(i, j);
    }
  }
  std::array<std::vector<int>, kMethods> neg;
  for (auto& v : neg) v.reserve(pairs.size());
  int64_t neg_low_quality = 0;
  for (const auto& [i, j] : pairs) {
    const std::array<int, kMethods> d = Distances(hashes[i], hashes[j]);
    for (int k = 0; k < kMethods; ++k) neg[k].push_back(d[k]);
    if (std::min(hashes[i].pdq.quality, hashes[j].pdq.quality) < kMinQuality) ++neg_low_quality;
  }
  const auto t3 = std::chrono::steady_clock::now();

  // ---- report ----
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::printf("## Hash robustness\n\n");
  std::printf(
      "%d originals, %d edits each (%d positive pairs), %zu negative pairs of different "
      "originals%s; seed %llu.\n\n",
      n, n_edits, n * n_edits, pairs.size(), all_pairs <= opt.negatives ? " (all)" : "",
      static_cast<unsigned long long>(opt.seed));
  std::printf("| source list | originals |\n| --- | ---: |\n");
  for (size_t li = 0; li < opt.lists.size(); ++li) {
    const std::string& p = opt.lists[li].path;
    std::printf("| %s | %ld |\n", p.substr(p.rfind('/') + 1).c_str(),
                (long)std::count_if(originals.begin(), originals.end(),
                                    [&](const Original& o) { return o.list == int(li); }));
  }

  int t_1e3[kMethods], t_1e4[kMethods], fp_1e3[kMethods], fp_1e4[kMethods];
  for (int k = 0; k < kMethods; ++k) {
    t_1e3[k] = ThresholdAtFpr(neg[k], kMethodBits[k], 1e-3, &fp_1e3[k]);
    t_1e4[k] = ThresholdAtFpr(neg[k], kMethodBits[k], 1e-4, &fp_1e4[k]);
  }
  std::printf("\n### Thresholds on the negatives\n\n");
  std::printf(
      "Threshold t: the largest Hamming distance (bits) at which at most 0.1%% (0.01%%) of "
      "the negative pairs match; FP = negatives at distance <= t; recall and precision "
      "pool all edits (every positive counted once per edit).\n\n");
  std::printf(
      "| method | bits | t @ FPR<=0.1%% | FP | recall | precision | t @ FPR<=0.01%% | FP "
      "| recall | precision |\n");
  std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (int k = 0; k < kMethods; ++k) {
    std::printf("| %s | %d", kMethodNames[k], kMethodBits[k]);
    for (int level = 0; level < 2; ++level) {
      const int t = level == 0 ? t_1e3[k] : t_1e4[k];
      const int fp = level == 0 ? fp_1e3[k] : fp_1e4[k];
      int64_t tp = 0, total = 0;
      for (int e = 0; e < n_edits; ++e) {
        for (int d : pos[e][k]) {
          tp += d <= t;
          ++total;
        }
      }
      const double precision = tp + fp ? double(tp) / double(tp + fp) : 1.0;
      if (t < 0) {
        std::printf(" | none | - | - | -");
        continue;
      }
      std::printf(" | %d (%.3f) | %d | %.3f | %.4f", t, double(t) / kMethodBits[k], fp,
                  double(tp) / double(total), precision);
    }
    std::printf(" |\n");
  }

  auto table = [&](const char* title, const std::function<double(int, int)>& cell,
                   const char* fmt) {
    std::printf("\n### %s\n\n| edit |", title);
    for (const char* m : kMethodNames) std::printf(" %s |", m);
    std::printf("\n| --- |");
    for (int k = 0; k < kMethods; ++k) std::printf(" ---: |");
    std::printf("\n");
    for (int e = 0; e < n_edits; ++e) {
      std::printf("| %s |", edits[e].name);
      for (int k = 0; k < kMethods; ++k) {
        const double v = cell(e, k);
        if (std::isnan(v)) {
          std::printf(" n/a |");
        } else {
          std::printf(fmt, v);
        }
      }
      std::printf("\n");
    }
  };
  table(
      "Recall at the FPR <= 0.1% threshold",
      [&](int e, int k) { return t_1e3[k] < 0 ? NAN : Recall(pos[e][k], t_1e3[k]); }, " %.2f |");
  {
    std::printf("| **all edits** |");
    for (int k = 0; k < kMethods; ++k) {
      double s = 0;
      for (int e = 0; e < n_edits; ++e) s += Recall(pos[e][k], t_1e3[k]);
      if (t_1e3[k] < 0) {
        std::printf(" n/a |");
      } else {
        std::printf(" **%.2f** |", s / n_edits);
      }
    }
    std::printf("\n");
  }
  table(
      "Mean normalised distance (bits / hash bits)",
      [&](int e, int k) { return MeanNormalised(pos[e][k], kMethodBits[k]); }, " %.3f |");
  std::printf("| *negatives* |");
  for (int k = 0; k < kMethods; ++k)
    std::printf(" *%.3f* |", MeanNormalised(neg[k], kMethodBits[k]));
  std::printf("\n");

  const int low_q = int(std::count_if(hashes.begin(), hashes.end(),
                                      [](const Hashes& h) { return h.pdq.quality < kMinQuality; }));
  std::printf("\n### PDQ quality\n\n");
  std::printf("- originals with PDQ quality < %d: %d of %d (%.1f%%)\n", kMinQuality, low_q, n,
              100.0 * low_q / n);
  std::printf("- negative pairs with at least one side of quality < %d: %.1f%%\n", kMinQuality,
              100.0 * double(neg_low_quality) / double(pairs.size()));
  // A method that maps many unrelated images to one hash (e.g. a median threshold on a band that
  // is mostly flat background) shows here, and gets no threshold at a low FPR.
  std::printf("\n### Negative pairs at distance 0\n\n");
  for (int k = 0; k < kMethods; ++k) {
    const auto zeros = std::count(neg[k].begin(), neg[k].end(), 0);
    std::printf("- %s: %ld (%.2f%%)\n", kMethodNames[k], long(zeros),
                100.0 * double(zeros) / double(pairs.size()));
  }

  if (opt.closest > 0) {
    std::vector<size_t> idx(pairs.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    const size_t k = std::min<size_t>(opt.closest, idx.size());
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](size_t a, size_t b) {
      return std::tie(neg[kPdq8][a], a) < std::tie(neg[kPdq8][b], b);
    });
    std::printf("\n### Closest negative pairs by pdq8 (check they are not duplicates)\n\n");
    auto shortp = [](const std::string& p) {
      const size_t at = p.find("/pkgs/");
      return at == std::string::npos ? p : p.substr(at + 6);
    };
    for (size_t r = 0; r < k; ++r) {
      const auto& [i, j] = pairs[idx[r]];
      std::printf("- pdq8 %d bits (pdq %d): `%s` (q %d) vs `%s` (q %d)\n", neg[kPdq8][idx[r]],
                  neg[kPdq][idx[r]], shortp(originals[i].path).c_str(), hashes[i].pdq.quality,
                  shortp(originals[j].path).c_str(), hashes[j].pdq.quality);
    }
  }
  std::fprintf(stderr, "time: select %.1f s, hash %.1f s, negatives %.1f s (%d threads)\n",
               secs(t0, t1), secs(t1, t2), secs(t2, t3), opt.threads);
  if (sweep) {
    std::vector<PoolImage> pool;
    for (int i = 0; i < n; ++i) {
      pool.push_back({originals[i].path, -1, hashes[i], original_short[i]});
    }
    std::vector<QThumb> qthumbs;
    for (const Thumb& t : original_thumbs) qthumbs.push_back(Quantise(t));
    LargeNegatives(opt, sweep_pos, pool, qthumbs, original_families);
  }
  return 0;
}
