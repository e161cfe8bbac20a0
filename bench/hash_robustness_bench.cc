// How well each perceptual hash of include/neardup/hash.h survives common edits, measured on
// images of the training packages (shared/data/TRAINING-SOURCES.md).
//
//   hash_robustness_bench --list FILE[:COUNT]... [--n 300] [--seed 1] [--negatives 50000]
//                         [--threads 2] [--closest 5]
//
// Each list file holds image paths, one a line (scripts/fetch_training_images.sh writes them);
// COUNT originals are drawn from it (default: what is left of --n, shared among the lists without
// a count). Drawing is seeded and round-robin over directories, because sibling files are often
// frames of one object (freedroidrpg renders 30 rotations per item). Each original is decoded with
// OpenCV (transparency composited over white), downscaled so its long side is <= 1024, and skipped
// if its short side is < 128 px, if it is flat, if an earlier original is of its family (same
// folder and file stem once variant suffixes such as -l/-d, -4x3, _0005 are dropped), or if its
// 16x16 grey thumbnail, whole or centre square, correlates with an earlier original's at
// |r| > 0.95 (one design at several sizes), so that the negatives below are not near-duplicates.
//
// Positives: each original against 15 edited copies of itself. Negatives: pairs of different
// originals (all pairs when there are fewer than --negatives, else a seeded sample). Methods:
// ahash, dhash, phash, whash (64 bits), pdq (256 bits) and pdq8, the smallest distance between
// the 8 dihedral PDQ hashes of the first image and the plain PDQ hash of the second (how a query
// is matched against a catalogue when rotations and mirrors should be found).
//
// Prints Markdown on stdout: per method the largest threshold (bits) whose false-positive rate on
// the negatives is <= 0.1% and <= 0.01% with its FP count, recall per edit at the 0.1% threshold,
// mean normalised distance per edit, PDQ quality figures and the closest negative pairs (to spot
// duplicates the selection missed). Progress goes to stderr. Deterministic for a given seed.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "neardup/hash.h"
#include "neardup/image.h"

namespace {

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
  int neg_n = 5000;          // images shared among the --negatives-list files without a count
  int neg_max_side = 512;    // negatives are downscaled to this long side
  int neg_min_side = 64;     // and skipped when their short side is smaller
  int sweep_closest = 20;    // closest negative pairs listed per method
  std::string closest_dir;   // where to write contact sheets of them (none when empty)
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

// 8-bit BGR, transparency composited over white, long side <= max_side. Empty on failure.
cv::Mat LoadOriginal(const std::string& path, int max_side = kMaxSide) {
  cv::Mat m;
  try {
    m = cv::imread(path, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    std::fprintf(stderr, "warning: %s: %s\n", path.c_str(), e.what());
    return {};  // counted as undecodable
  }
  if (m.empty()) return {};
  if (m.depth() == CV_16U) m.convertTo(m, CV_8U, 1.0 / 257);
  if (m.depth() != CV_8U) return {};
  if (m.channels() == 1) {
    cv::cvtColor(m, m, cv::COLOR_GRAY2BGR);
  } else if (m.channels() == 4) {
    cv::Mat f, out;
    m.convertTo(f, CV_32FC4, 1.0 / 255);
    std::vector<cv::Mat> ch;
    cv::split(f, ch);
    for (int c = 0; c < 3; ++c) ch[c] = ch[c].mul(ch[3]) + (1.0f - ch[3]);
    ch.pop_back();
    cv::merge(ch, f);
    f.convertTo(m, CV_8UC3, 255.0);
  } else if (m.channels() != 3) {
    return {};
  }
  const int long_side = std::max(m.cols, m.rows);
  if (long_side > max_side) {
    const double s = double(max_side) / long_side;
    cv::Mat small;
    cv::resize(m, small, cv::Size(), s, s, cv::INTER_AREA);
    m = small;
  }
  return m;
}

// Zero-mean, unit-norm 16x16 grey thumbnails (the dot product of two is their correlation) of the
// whole image and of its centred square, which catches one design cut to 4:3 and to 16:9; and
// the grey standard deviation, to reject flat images.
struct Thumb {
  cv::Mat whole, square;
  double stddev = 0;
};

cv::Mat NormalisedThumb(const cv::Mat& grey) {
  cv::Mat t;
  cv::resize(grey, t, cv::Size(16, 16), 0, 0, cv::INTER_AREA);
  t.convertTo(t, CV_32F);
  t -= cv::mean(t)[0];
  const double n = cv::norm(t);
  if (n > 1e-6) t /= n;
  return t;
}

Thumb MakeThumb(const cv::Mat& bgr) {
  cv::Mat g;
  cv::cvtColor(bgr, g, cv::COLOR_BGR2GRAY);
  const int side = std::min(g.cols, g.rows);
  Thumb t;
  t.whole = NormalisedThumb(g);
  t.square = NormalisedThumb(g(cv::Rect((g.cols - side) / 2, (g.rows - side) / 2, side, side)));
  cv::Mat small;
  cv::resize(g, small, cv::Size(16, 16), 0, 0, cv::INTER_AREA);
  cv::Scalar mean, stddev;
  cv::meanStdDev(small, mean, stddev);
  t.stddev = stddev[0];
  return t;
}

bool NearCopy(const Thumb& a, const Thumb& b) {
  return std::abs(a.whole.dot(b.whole)) > kDupCorrelation ||
         std::abs(a.square.dot(b.square)) > kDupCorrelation;
}

// Files of one design or one object share a key: the directory plus the file stem without
// variant suffixes ("licorice-l"/"licorice-d", "grub-4x3"/"grub-16x9", "portrait_0005",
// "swordsman-3", a bare "1920x1080").
std::string FamilyKey(const std::string& path) {
  const size_t slash = path.rfind('/') + 1;
  std::string stem = path.substr(slash);
  stem = stem.substr(0, stem.rfind('.'));
  static const std::regex kSuffix("(^|[-_.+])(l|d|light|dark|day|night|\\d+x\\d+|\\d+)$",
                                  std::regex::icase);
  for (std::string prev; prev != stem;) {
    prev = stem;
    stem = std::regex_replace(stem, kSuffix, "");
  }
  return path.substr(0, slash) + stem;
}

neardup::Image ToImage(const cv::Mat& bgr) {
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  neardup::Image img(rgb.cols, rgb.rows, 3);
  for (int y = 0; y < rgb.rows; ++y) std::memcpy(img.row(y), rgb.ptr(y), size_t(rgb.cols) * 3);
  return img;
}

// ---- the edits ----

cv::Mat Resize(const cv::Mat& m, double s) {
  cv::Mat out;
  cv::resize(m, out, cv::Size(), s, s, cv::INTER_AREA);
  return out;
}

cv::Mat Jpeg(const cv::Mat& m, int quality) {
  std::vector<uchar> buf;
  cv::imencode(".jpg", m, buf, {cv::IMWRITE_JPEG_QUALITY, quality});
  return cv::imdecode(buf, cv::IMREAD_COLOR);
}

// Keeps `area` of the image at its aspect; centred, or anchored at the top-left corner.
cv::Mat Crop(const cv::Mat& m, double area, bool centred) {
  const double s = std::sqrt(area);
  const int w = std::max(1, int(std::lround(m.cols * s)));
  const int h = std::max(1, int(std::lround(m.rows * s)));
  const int x = centred ? (m.cols - w) / 2 : 0;
  const int y = centred ? (m.rows - h) / 2 : 0;
  return m(cv::Rect(x, y, w, h)).clone();
}

cv::Mat Rotate90(const cv::Mat& m) {
  cv::Mat out;
  cv::rotate(m, out, cv::ROTATE_90_CLOCKWISE);
  return out;
}

// Rotates by `degrees` about the centre on a canvas grown to hold the whole image; black corners.
cv::Mat RotateSmall(const cv::Mat& m, double degrees) {
  const cv::Point2f centre(m.cols / 2.0f, m.rows / 2.0f);
  cv::Mat r = cv::getRotationMatrix2D(centre, degrees, 1.0);
  const cv::Rect2f box = cv::RotatedRect(centre, m.size(), float(degrees)).boundingRect2f();
  r.at<double>(0, 2) += box.width / 2.0 - centre.x;
  r.at<double>(1, 2) += box.height / 2.0 - centre.y;
  cv::Mat out;
  cv::warpAffine(m, out, r, cv::Size(int(std::ceil(box.width)), int(std::ceil(box.height))),
                 cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0, 0, 0));
  return out;
}

cv::Mat Mirror(const cv::Mat& m) {
  cv::Mat out;
  cv::flip(m, out, 1);
  return out;
}

cv::Mat Grey(const cv::Mat& m) {
  cv::Mat g, out;
  cv::cvtColor(m, g, cv::COLOR_BGR2GRAY);
  cv::cvtColor(g, out, cv::COLOR_GRAY2BGR);
  return out;
}

cv::Mat Gamma(const cv::Mat& m, double gamma) {
  cv::Mat lut(1, 256, CV_8U);
  for (int i = 0; i < 256; ++i) {
    lut.at<uchar>(i) = cv::saturate_cast<uchar>(255.0 * std::pow(i / 255.0, gamma));
  }
  cv::Mat out;
  cv::LUT(m, lut, out);
  return out;
}

// A black band over the bottom eighth with a white caption, as a social-media repost has.
cv::Mat Caption(const cv::Mat& m) {
  cv::Mat out = m.clone();
  const int band = std::max(12, m.rows / 8);
  cv::rectangle(out, cv::Rect(0, m.rows - band, m.cols, band), cv::Scalar(0, 0, 0), cv::FILLED);
  const std::string text = "Summer 2023 - shared with neardup";
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  int base = 0;
  const cv::Size unit = cv::getTextSize(text, font, 1.0, 2, &base);
  const double scale = std::min(0.6 * band / unit.height, 0.9 * m.cols / unit.width);
  const int thickness = std::max(1, int(std::lround(scale * 2)));
  const cv::Size size = cv::getTextSize(text, font, scale, thickness, &base);
  const cv::Point origin((m.cols - size.width) / 2, m.rows - (band - size.height) / 2);
  cv::putText(out, text, origin, font, scale, cv::Scalar(255, 255, 255), thickness, cv::LINE_AA);
  return out;
}

cv::Mat Blur(const cv::Mat& m, double sigma) {
  cv::Mat out;
  cv::GaussianBlur(m, out, cv::Size(0, 0), sigma);
  return out;
}

struct Edit {
  const char* name;
  std::function<cv::Mat(const cv::Mat&)> apply;
};

const std::vector<Edit>& Edits() {
  static const std::vector<Edit> edits = {
      {"resize 50%", [](const cv::Mat& m) { return Resize(m, 0.5); }},
      {"resize 25%", [](const cv::Mat& m) { return Resize(m, 0.25); }},
      {"JPEG q30", [](const cv::Mat& m) { return Jpeg(m, 30); }},
      {"JPEG q10", [](const cv::Mat& m) { return Jpeg(m, 10); }},
      {"crop 80% centred", [](const cv::Mat& m) { return Crop(m, 0.8, true); }},
      {"crop 80% corner", [](const cv::Mat& m) { return Crop(m, 0.8, false); }},
      {"crop 60% centred", [](const cv::Mat& m) { return Crop(m, 0.6, true); }},
      {"crop 60% corner", [](const cv::Mat& m) { return Crop(m, 0.6, false); }},
      {"rotate 90°", Rotate90},
      {"rotate 5° (border)", [](const cv::Mat& m) { return RotateSmall(m, 5.0); }},
      {"mirror", Mirror},
      {"greyscale", Grey},
      {"gamma 0.6", [](const cv::Mat& m) { return Gamma(m, 0.6); }},
      {"caption bar", Caption},
      {"blur sigma 2", [](const cv::Mat& m) { return Blur(m, 2.0); }},
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
  std::array<neardup::Hash256, 8> dihedral{};  // only filled for originals
};

Hashes HashAll(const cv::Mat& bgr, bool dihedral) {
  const neardup::Image img = ToImage(bgr);
  Hashes h;
  h.h64[kAhash] = neardup::AverageHash(img);
  h.h64[kDhash] = neardup::DifferenceHash(img);
  h.h64[kPhash] = neardup::PerceptualHash(img);
  h.h64[kWhash] = neardup::WaveletHash(img);
  h.pdq = neardup::PdqHash(img);
  if (dihedral) h.dihedral = neardup::PdqDihedralHashes(img).hashes;
  return h;
}

// Distances from original `a` (with its dihedral hashes) to image `b`, per method, in bits.
std::array<int, kMethods> Distances(const Hashes& a, const Hashes& b) {
  std::array<int, kMethods> d{};
  for (int m = kAhash; m <= kWhash; ++m) d[m] = neardup::HammingDistance64(a.h64[m], b.h64[m]);
  d[kPdq] = neardup::HammingDistance(a.pdq.hash, b.pdq.hash);
  int best = neardup::kPdqBits;
  for (const neardup::Hash256& h : a.dihedral) {
    best = std::min(best, neardup::HammingDistance(h, b.pdq.hash));
  }
  d[kPdq8] = best;
  return d;
}

// ---- selection ----

struct Original {
  std::string path;
  int list = 0;
  cv::Mat bgr;
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
      std::vector<cv::Mat> decoded(count);
      ParallelFor(count, opt.threads, [&](int i) { decoded[i] = LoadOriginal(order[start + i]); });
      for (int i = 0; i < count && got < want; ++i) {
        const cv::Mat& m = decoded[i];
        if (m.empty()) {
          ++bad;
          continue;
        }
        if (std::min(m.cols, m.rows) < kMinSide) {
          ++small;
          continue;
        }
        Thumb t = MakeThumb(m);
        if (t.stddev < 4.0) {
          ++flat;
          continue;
        }
        const std::string family = FamilyKey(order[start + i]);
        if (families.count(family) || std::any_of(thumbs.begin(), thumbs.end(),
                                                  [&](const Thumb& s) { return NearCopy(t, s); })) {
          ++dup;
          continue;
        }
        families.insert(family);
        thumbs.push_back(t);
        chosen.push_back({order[start + i], int(li), m});
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

}  // namespace

int main(int argc, char** argv) {
  const Options opt = ParseArgs(argc, argv);
  const auto t0 = std::chrono::steady_clock::now();
  std::mt19937_64 rng(opt.seed);

  std::vector<Thumb> original_thumbs;
  std::set<std::string> original_families;
  std::vector<Original> originals =
      SelectOriginals(opt, rng, &original_thumbs, &original_families);
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
    const cv::Mat& m = originals[i].bgr;
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
  for (Original& o : originals) o.bgr.release();
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
    if (hashes[i].pdq.quality < 50 || hashes[j].pdq.quality < 50) ++neg_low_quality;
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
                                      [](const Hashes& h) { return h.pdq.quality < 50; }));
  std::printf("\n### PDQ quality\n\n");
  std::printf("- originals with PDQ quality < 50: %d of %d (%.1f%%)\n", low_q, n,
              100.0 * low_q / n);
  std::printf("- negative pairs with at least one side of quality < 50: %.1f%%\n",
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
    for (int i = 0; i < n; ++i) pool.push_back({originals[i].path, -1, hashes[i]});
    std::vector<QThumb> qthumbs;
    for (const Thumb& t : original_thumbs) qthumbs.push_back(Quantise(t));
    LargeNegatives(opt, sweep_pos, pool, qthumbs, original_families);
  }
  return 0;
}
