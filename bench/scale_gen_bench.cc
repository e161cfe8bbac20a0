// Writes a benchmark folder of N distinct, procedurally drawn photo-like images with planted
// near-duplicates of every edit family, for timing `neardup find` at scale (bench/scale_bench.sh).
//
//   scale_gen_bench --out DIR [--n 10000] [--seed 1] [--originals 0.01] [--size 640x480]
//                   [--threads 0]
//
// The folder is the format `neardup bench eval` reads (include/neardup/eval.h):
//   DIR/images/<8 hex>.jpg   every image, under names that say nothing of its role;
//   DIR/truth.csv            image,group,role,family.
// Of the N images, round(N * originals) are originals, each with one copy per family
// (augment.h's AllFamilies, seeded per original and family); the rest are distractors. Every
// image is drawn from its own seed: a smooth colour field (bicubic upsampling of a few random
// pixels), 25-60 random filled polygons, ellipses, bars and strokes in colours of its own palette,
// a mild blur and sensor noise, saved as JPEG quality 90. Two images of different seeds share no
// structure, so every pair other than an original and its copies is a true negative (unlike
// images of packaged artwork, where one design comes at several sizes).
// Deterministic for a given seed, N and size.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "augment/rng.h"
#include "neardup/augment.h"

namespace fs = std::filesystem;

namespace {

struct Options {
  std::string out_dir;
  int64_t n = 10000;
  uint64_t seed = 1;
  double originals = 0.01;  // fraction of N that are originals (each with AllFamilies copies)
  int width = 640;
  int height = 480;
  int threads = 0;
};

[[noreturn]] void Usage(const char* msg) {
  std::fprintf(stderr,
               "error: %s\nusage: scale_gen_bench --out DIR [--n N] [--seed S] "
               "[--originals FRACTION] [--size WxH] [--threads T]\n",
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
    if (a == "--out") {
      o.out_dir = value();
    } else if (a == "--n") {
      o.n = std::stoll(value());
    } else if (a == "--seed") {
      o.seed = std::stoull(value());
    } else if (a == "--originals") {
      o.originals = std::stod(value());
    } else if (a == "--threads") {
      o.threads = std::stoi(value());
    } else if (a == "--size") {
      std::string v = value();
      if (std::sscanf(v.c_str(), "%dx%d", &o.width, &o.height) != 2) Usage("--size takes WxH");
    } else {
      Usage(("unknown argument " + a).c_str());
    }
  }
  if (o.out_dir.empty()) Usage("--out is required");
  if (o.n < 2 || o.width < 64 || o.height < 64) Usage("bad --n or --size");
  if (o.originals <= 0 || o.originals > 0.04) Usage("--originals must be in (0, 0.04]");
  return o;
}

using neardup::augment_internal::SplitMix64;

// A uniform double in [0, 1) and an integer in [lo, hi] from our own arithmetic (the standard
// distributions differ between libraries).
struct Draw {
  std::mt19937_64 g;
  explicit Draw(uint64_t seed) : g(seed) {}
  double U() { return double(g() >> 11) * (1.0 / 9007199254740992.0); }
  int I(int lo, int hi) { return lo + int(U() * (hi - lo + 1)); }
};

cv::Scalar PaletteColour(Draw& d, const std::vector<cv::Vec3b>& palette) {
  const cv::Vec3b base = palette[d.I(0, int(palette.size()) - 1)];
  auto jitter = [&](int v) { return std::clamp(v + d.I(-25, 25), 0, 255); };
  return cv::Scalar(jitter(base[0]), jitter(base[1]), jitter(base[2]));
}

// One photo-like picture (BGR) drawn from `seed`.
cv::Mat DrawPicture(uint64_t seed, int width, int height) {
  Draw d(seed);
  std::vector<cv::Vec3b> palette(d.I(3, 6));
  for (auto& c : palette) c = cv::Vec3b(d.I(0, 255), d.I(0, 255), d.I(0, 255));

  // A smooth colour field: a few random pixels upsampled bicubically.
  cv::Mat small(d.I(2, 5), d.I(2, 5), CV_8UC3);
  for (int y = 0; y < small.rows; ++y) {
    for (int x = 0; x < small.cols; ++x) {
      cv::Scalar c = PaletteColour(d, palette);
      small.at<cv::Vec3b>(y, x) = cv::Vec3b(c[0], c[1], c[2]);
    }
  }
  cv::Mat img;
  cv::resize(small, img, cv::Size(width, height), 0, 0, cv::INTER_CUBIC);

  const int shapes = d.I(25, 60);
  const int side = std::min(width, height);
  for (int s = 0; s < shapes; ++s) {
    const cv::Scalar colour = PaletteColour(d, palette);
    const cv::Point c(d.I(-side / 8, width + side / 8), d.I(-side / 8, height + side / 8));
    const int r = std::max(3, int(side * (0.02 + 0.25 * d.U() * d.U())));
    switch (d.I(0, 3)) {
      case 0: {  // polygon
        std::vector<cv::Point> pts(d.I(3, 7));
        for (auto& p : pts) p = c + cv::Point(d.I(-r, r), d.I(-r, r));
        cv::fillPoly(img, std::vector<std::vector<cv::Point>>{pts}, colour, cv::LINE_AA);
        break;
      }
      case 1:
        cv::ellipse(img, c, cv::Size(r, std::max(2, int(r * (0.3 + 0.7 * d.U())))),
                    d.U() * 180, 0, 360, colour, -1, cv::LINE_AA);
        break;
      case 2:
        cv::rectangle(img, c, c + cv::Point(d.I(2, r), d.I(2, r)), colour, -1, cv::LINE_AA);
        break;
      default:
        cv::line(img, c, c + cv::Point(d.I(-2 * r, 2 * r), d.I(-2 * r, 2 * r)), colour,
                 d.I(1, std::max(1, r / 6)), cv::LINE_AA);
    }
  }
  cv::GaussianBlur(img, img, cv::Size(0, 0), 0.5 + d.U());
  cv::Mat noise(img.size(), CV_16SC3);
  cv::RNG rng(seed ^ 0x5EED);
  rng.fill(noise, cv::RNG::NORMAL, 0, 3);
  cv::Mat out;
  img.convertTo(out, CV_16SC3);
  out += noise;
  out.convertTo(img, CV_8UC3);
  return img;
}

neardup::Image ToImage(const cv::Mat& bgr) {
  neardup::Image im(bgr.cols, bgr.rows, 3);
  cv::Mat rgb(bgr.rows, bgr.cols, CV_8UC3, im.pixels.data());
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return im;
}

cv::Mat ToBgr(const neardup::Image& im) {
  cv::Mat rgb(im.height, im.width, CV_8UC3, const_cast<uint8_t*>(im.pixels.data()));
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  return bgr;
}

struct Row {
  std::string image, group, role, family;
};

}  // namespace

int main(int argc, char** argv) {
  const Options o = ParseArgs(argc, argv);
  std::error_code ec;
  if (fs::exists(o.out_dir) && !fs::is_empty(o.out_dir, ec)) Usage("--out exists and is not empty");
  fs::create_directories(fs::path(o.out_dir) / "images");

  const std::vector<neardup::Family> families = neardup::AllFamilies();
  const int nf = int(families.size());
  const int64_t originals = std::max<int64_t>(1, std::llround(o.n * o.originals));
  const int64_t distractors = o.n - originals * (1 + nf);
  if (distractors < 0) Usage("--n too small for the originals and their copies");

  // Rows: originals, their copies (original i, family f at originals + i * nf + f), distractors.
  std::vector<Row> rows(size_t(o.n));
  std::vector<uint64_t> names(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) names[i] = SplitMix64(o.seed * 0x100000001ull + i);
  for (int64_t i = 0; i < originals; ++i) {
    rows[i] = {"", "g" + std::to_string(i + 1), "original", ""};
    for (int f = 0; f < nf; ++f) {
      rows[originals + i * nf + f] = {"", rows[i].group, "copy", neardup::FamilyName(families[f])};
    }
  }
  for (int64_t i = originals * (1 + nf); i < o.n; ++i) rows[i] = {"", "", "distractor", ""};
  for (size_t i = 0; i < rows.size(); ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%012llx.jpg", (unsigned long long)(names[i] >> 16));
    rows[i].image = buf;
  }

  const std::vector<int> jpeg = {cv::IMWRITE_JPEG_QUALITY, 90};
  const std::string dir = (fs::path(o.out_dir) / "images").string();
  std::atomic<int64_t> next{0}, failed{0};
  // Work items: each original with its copies, then each distractor.
  const int64_t items = originals + distractors;
  auto worker = [&]() {
    for (int64_t k; (k = next.fetch_add(1)) < items;) {
      const int64_t row = k < originals ? k : originals * (1 + nf) + (k - originals);
      const cv::Mat pic = DrawPicture(SplitMix64(o.seed ^ SplitMix64(uint64_t(row) + 1)),
                                      o.width, o.height);
      if (!cv::imwrite(dir + "/" + rows[row].image, pic, jpeg)) ++failed;
      if (k >= originals) continue;
      const neardup::Image im = ToImage(pic);
      for (int f = 0; f < nf; ++f) {
        const uint64_t seed = SplitMix64(o.seed ^ SplitMix64(uint64_t(k) * 1000 + f + 7));
        auto a = neardup::ApplyFamily(im, families[f], seed);
        const std::string path = dir + "/" + rows[originals + k * nf + f].image;
        if (!a.ok() || !cv::imwrite(path, ToBgr(a->image), jpeg)) ++failed;
      }
    }
  };
  const int threads =
      o.threads > 0 ? o.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (failed > 0) {
    std::fprintf(stderr, "error: %lld images could not be written\n", (long long)failed.load());
    return 1;
  }
  std::ofstream truth(fs::path(o.out_dir) / "truth.csv");
  truth << "image,group,role,family\n";
  for (const Row& r : rows) truth << r.image << ',' << r.group << ',' << r.role << ',' << r.family << '\n';
  std::printf("wrote %lld images to %s: %lld originals x %d families, %lld distractors\n",
              (long long)o.n, o.out_dir.c_str(), (long long)originals, nf, (long long)distractors);
  return 0;
}
