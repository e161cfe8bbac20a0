// Writes a folder of synthetic 8-megapixel "camera photos" with known near-duplicates, for timing
// and checking `neardup find` at realistic sizes.
//
//   make_photos_bench --sources data-cache/images-gnome-backgrounds.txt ... --out DIR
//                     [--n 200] [--seed 1] [--copies 0.15] [--size 3280x2464]
//                     [--min-pixels 300000] [--noise 2]
//
// Each photo is a random crop of one source image from the list files (the training packages of
// shared/data/TRAINING-SOURCES.md, fetched by scripts/fetch_training_images.sh), resized to the
// sensor size (landscape, or portrait for about one photo in five), with Gaussian sensor noise of
// sigma 2 so that the JPEG entropy is that of a photo rather than of flat artwork, saved as JPEG
// quality 90 with 4:2:0 chroma (libjpeg's default). About `--copies` of the photos also get one
// near-duplicate made from the saved JPEG, as a user's re-save would: half size, re-encoded at
// quality 70, cropped to 90% of its area, or mirrored.
//
// All files are named IMG_NNNN.jpg in a random order, so names reveal nothing. Written besides:
//   truth.csv     file,group  (every file; files that share a group are near-duplicates)
//   manifest.csv  file,group,role,edit,source,crop_x,crop_y,crop_w,crop_h  (for debugging)
//
// Distinct groups must not be near-duplicates by accident, or a correct finder would look wrong:
// sources whose 16x16 thumbnails correlate (|r| > 0.95, e.g. one design at several resolutions)
// are kept once, a source is reused only on disjoint strips of it, and a photo whose thumbnail
// correlates with an earlier one (|r| > 0.9) is drawn again.
//
// Deterministic for a given seed and source list. The default size 3280x2464 (8.08 MP, a common
// 8 MP sensor) is used because 3264x2448 is 7.99 MP, just under 8e6 pixels.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Options {
  std::vector<std::string> source_lists;
  std::string out_dir;
  int n = 200;
  uint64_t seed = 1;
  double copy_fraction = 0.15;  // fraction of photos that get one near-duplicate
  int width = 3280;             // landscape size; portraits swap it
  int height = 2464;
  int64_t min_pixels = 300000;  // smaller sources are upscaled too far to look like anything
  int jpeg_quality = 90;
  double noise_sigma = 2.0;  // sensor noise, in 8-bit levels
  double portrait_fraction = 0.2;
};

[[noreturn]] void Usage(const char* msg) {
  std::fprintf(stderr,
               "error: %s\nusage: make_photos_bench --sources LIST... --out DIR [--n N] "
               "[--seed S] [--copies FRACTION] [--size WxH] [--min-pixels P] [--noise SIGMA]\n",
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
    if (a == "--sources") {
      while (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) {
        o.source_lists.push_back(argv[++i]);
      }
    } else if (a == "--out") {
      o.out_dir = value();
    } else if (a == "--n") {
      o.n = std::stoi(value());
    } else if (a == "--seed") {
      o.seed = std::stoull(value());
    } else if (a == "--copies") {
      o.copy_fraction = std::stod(value());
    } else if (a == "--noise") {
      o.noise_sigma = std::stod(value());
    } else if (a == "--min-pixels") {
      o.min_pixels = std::stoll(value());
    } else if (a == "--size") {
      std::string v = value();
      if (std::sscanf(v.c_str(), "%dx%d", &o.width, &o.height) != 2) Usage("--size takes WxH");
    } else if (a == "-h" || a == "--help") {
      Usage("help");
    } else {
      Usage(("unknown argument " + a).c_str());
    }
  }
  if (o.source_lists.empty()) Usage("--sources needs at least one list file");
  if (o.out_dir.empty()) Usage("--out is required");
  if (o.n <= 0 || o.width < 16 || o.height < 16) Usage("bad --n or --size");
  return o;
}

// Image size from the PNG or JPEG header, without decoding; nullopt for other formats, which are
// few and are decoded to learn their size.
std::optional<cv::Size> HeaderSize(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<unsigned char> b(64 * 1024);
  f.read(reinterpret_cast<char*>(b.data()), b.size());
  b.resize(f.gcount());
  auto be16 = [&](size_t p) { return (b[p] << 8) | b[p + 1]; };
  if (b.size() >= 24 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
    int w = (b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19];
    int h = (b[20] << 24) | (b[21] << 16) | (b[22] << 8) | b[23];
    return cv::Size(w, h);
  }
  if (b.size() >= 4 && b[0] == 0xFF && b[1] == 0xD8) {
    size_t p = 2;
    while (p + 9 < b.size()) {
      if (b[p] != 0xFF) return std::nullopt;
      int m = b[p + 1];
      if (m == 0xFF) {
        ++p;
        continue;
      }
      bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
      if (sof) return cv::Size(be16(p + 7), be16(p + 5));
      if ((m >= 0xD0 && m <= 0xD9) || m == 0x01) {
        p += 2;
      } else {
        p += 2 + be16(p + 2);
      }
    }
  }
  return std::nullopt;
}

// Decodes to 8-bit BGR; transparent areas are composited over black (night sky for stellarium's
// constellation art and panoramas). Empty on failure.
cv::Mat LoadBgr(const std::string& path, double* opaque_fraction = nullptr) {
  cv::Mat m;
  try {
    m = cv::imread(path, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception& e) {
    std::fprintf(stderr, "warning: %s: %s\n", path.c_str(), e.what());
    return {};
  }
  if (m.empty()) return {};
  if (m.depth() == CV_16U) m.convertTo(m, CV_8U, 1.0 / 257);
  if (m.depth() != CV_8U) return {};
  if (opaque_fraction) *opaque_fraction = 1.0;
  if (m.channels() == 1) {
    cv::cvtColor(m, m, cv::COLOR_GRAY2BGR);
  } else if (m.channels() == 4) {
    std::vector<cv::Mat> ch;
    cv::split(m, ch);
    if (opaque_fraction) *opaque_fraction = cv::countNonZero(ch[3] >= 128) / double(m.total());
    cv::Mat alpha;
    ch[3].convertTo(alpha, CV_32F, 1.0 / 255);
    cv::Mat bgr;
    cv::merge(std::vector<cv::Mat>{ch[0], ch[1], ch[2]}, bgr);
    bgr.convertTo(bgr, CV_32FC3);
    cv::Mat alpha3;
    cv::merge(std::vector<cv::Mat>{alpha, alpha, alpha}, alpha3);
    cv::multiply(bgr, alpha3, bgr);
    bgr.convertTo(m, CV_8UC3);
  }
  return m;
}

// Zero-mean, unit-norm 16x16 grey thumbnail; the dot product of two is their correlation.
cv::Mat Thumb(const cv::Mat& bgr, int side = 16) {
  cv::Mat g, t;
  cv::cvtColor(bgr, g, cv::COLOR_BGR2GRAY);
  cv::resize(g, t, cv::Size(side, side), 0, 0, cv::INTER_AREA);
  t.convertTo(t, CV_32F);
  t -= cv::mean(t)[0];
  double n = cv::norm(t);
  if (n > 1e-6) t /= n;
  return t;
}

double GreyStd(const cv::Mat& bgr) {
  cv::Mat g, small;
  cv::cvtColor(bgr, g, cv::COLOR_BGR2GRAY);
  cv::resize(g, small, cv::Size(64, 64), 0, 0, cv::INTER_AREA);
  cv::Scalar mean, stddev;
  cv::meanStdDev(small, mean, stddev);
  return stddev[0];
}

bool TooClose(const cv::Mat& t, const std::vector<cv::Mat>& seen, double limit) {
  for (const cv::Mat& s : seen) {
    if (std::abs(t.dot(s)) > limit) return true;
  }
  return false;
}

struct Source {
  std::string path;
  cv::Size size;
};

bool WriteJpeg(const std::string& path, const cv::Mat& bgr, int quality) {
  // OpenCV's libjpeg writer uses 4:2:0 chroma subsampling by default.
  return cv::imwrite(path, bgr, {cv::IMWRITE_JPEG_QUALITY, quality});
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = ParseArgs(argc, argv);
  std::mt19937_64 rng(opt.seed);

  // 1. Candidate sources: large enough by their header.
  std::vector<Source> candidates;
  for (const std::string& list : opt.source_lists) {
    std::ifstream in(list);
    if (!in) {
      std::fprintf(stderr, "error: cannot read %s\n", list.c_str());
      return 1;
    }
    int kept = 0, total = 0;
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      ++total;
      std::optional<cv::Size> s = HeaderSize(line);
      if (!s) {
        cv::Mat m = LoadBgr(line);
        if (m.empty()) continue;
        s = m.size();
      }
      if (int64_t(s->width) * s->height < opt.min_pixels) continue;
      if (std::min(s->width, s->height) < 400) continue;  // strips, banners
      candidates.push_back({line, *s});
      ++kept;
    }
    std::fprintf(stderr, "%s: %d of %d images >= %lld pixels\n", list.c_str(), kept, total,
                 static_cast<long long>(opt.min_pixels));
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Source& a, const Source& b) { return a.path < b.path; });

  // 2. The usable pool: decodes, mostly opaque, not flat, not a copy of another source.
  //    Larger sources first, so that of two versions of one design the larger one stays.
  std::stable_sort(candidates.begin(), candidates.end(), [](const Source& a, const Source& b) {
    return int64_t(a.size.width) * a.size.height > int64_t(b.size.width) * b.size.height;
  });
  std::vector<Source> pool;
  std::vector<cv::Mat> source_thumbs;
  int rejected_flat = 0, rejected_dup = 0, rejected_decode = 0;
  for (const Source& c : candidates) {
    double opaque = 1.0;
    cv::Mat m = LoadBgr(c.path, &opaque);
    if (m.empty()) {
      ++rejected_decode;
      continue;
    }
    if (opaque < 0.6 || GreyStd(m) < 12) {
      ++rejected_flat;
      continue;
    }
    cv::Mat t = Thumb(m);
    if (TooClose(t, source_thumbs, 0.95)) {
      ++rejected_dup;
      continue;
    }
    source_thumbs.push_back(t);
    pool.push_back({c.path, m.size()});
  }
  std::fprintf(stderr,
               "pool: %zu sources (%zu candidates; rejected %d flat or transparent, %d "
               "near-copies, %d undecodable)\n",
               pool.size(), candidates.size(), rejected_flat, rejected_dup, rejected_decode);
  if (pool.empty()) {
    std::fprintf(stderr, "error: no usable source image\n");
    return 1;
  }
  std::shuffle(pool.begin(), pool.end(), rng);

  // A source used k times is cut into k disjoint strips along its long side, one per photo.
  const int strips = std::min<int>(4, (opt.n + int(pool.size()) - 1) / int(pool.size()));
  const int n_copies = int(std::lround(opt.n * opt.copy_fraction));

  std::error_code ec;
  fs::create_directories(opt.out_dir, ec);
  if (ec) {
    std::fprintf(stderr, "error: cannot create %s: %s\n", opt.out_dir.c_str(),
                 ec.message().c_str());
    return 1;
  }

  // Opaque names: distinct random 4-digit numbers, handed out in order.
  std::vector<int> numbers(9000);
  std::iota(numbers.begin(), numbers.end(), 1000);
  std::shuffle(numbers.begin(), numbers.end(), rng);
  size_t next_number = 0;
  auto next_name = [&]() {
    char buf[32];
    std::snprintf(buf, sizeof buf, "IMG_%04d.jpg", numbers.at(next_number++));
    return std::string(buf);
  };

  // Which photos get a copy, and which edit (cycled so each kind appears about equally).
  std::vector<int> order(opt.n);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<int> copy_kind(opt.n, -1);
  for (int k = 0; k < n_copies && k < opt.n; ++k) copy_kind[order[k]] = k % 4;
  static const char* kEditNames[] = {"resize50", "jpeg70", "crop90", "mirror"};

  std::ofstream truth(fs::path(opt.out_dir) / "truth.csv");
  std::ofstream manifest(fs::path(opt.out_dir) / "manifest.csv");
  truth << "file,group\n";
  manifest << "file,group,role,edit,source,crop_x,crop_y,crop_w,crop_h\n";

  std::vector<cv::Mat> photo_thumbs;
  std::vector<int> uses(pool.size(), 0);
  size_t cursor = 0;
  int64_t bytes = 0, min_pixels_written = INT64_MAX;
  int files = 0;
  for (int i = 0; i < opt.n; ++i) {
    std::uniform_real_distribution<double> u01(0, 1);
    const bool portrait = u01(rng) < opt.portrait_fraction;
    const cv::Size out =
        portrait ? cv::Size(opt.height, opt.width) : cv::Size(opt.width, opt.height);
    cv::Mat photo;
    cv::Rect crop;
    std::string source;
    // Try sources in the shuffled cycle until one gives a photo unlike the earlier ones.
    for (size_t attempt = 0; attempt < 4 * pool.size() * strips && photo.empty(); ++attempt) {
      const size_t s = cursor++ % pool.size();
      if (uses[s] >= strips) continue;
      cv::Mat src = LoadBgr(pool[s].path);
      if (src.empty()) continue;
      // The strip of the source this use may draw from.
      const bool wide = src.cols >= src.rows;
      const int long_side = wide ? src.cols : src.rows;
      const int step = long_side / strips;
      cv::Rect strip = wide ? cv::Rect(uses[s] * step, 0, step, src.rows)
                            : cv::Rect(0, uses[s] * step, src.cols, step);
      // Largest crop of the output aspect inside the strip, then 50-100% of its area.
      const double aspect = double(out.width) / out.height;
      int cw = strip.width, ch = int(cw / aspect);
      if (ch > strip.height) {
        ch = strip.height;
        cw = int(ch * aspect);
      }
      const double scale = std::sqrt(0.5 + 0.5 * u01(rng));
      cw = std::max(16, int(cw * scale));
      ch = std::max(16, int(ch * scale));
      std::uniform_int_distribution<int> dx(0, strip.width - cw), dy(0, strip.height - ch);
      cv::Rect r(strip.x + dx(rng), strip.y + dy(rng), cw, ch);
      cv::Mat cut = src(r);
      if (GreyStd(cut) < 12) continue;
      cv::Mat t = Thumb(cut);
      if (TooClose(t, photo_thumbs, 0.9)) continue;
      cv::resize(cut, photo, out, 0, 0, cw > out.width ? cv::INTER_AREA : cv::INTER_CUBIC);
      photo_thumbs.push_back(t);
      ++uses[s];
      crop = r;
      source = pool[s].path;
    }
    if (photo.empty()) {
      std::fprintf(stderr, "error: sources exhausted after %d photos; lower --n\n", i);
      return 1;
    }
    // Sensor noise: a fixed seed per photo keeps the output independent of thread timing.
    cv::Mat noise(photo.size(), CV_32FC3);
    cv::RNG cvrng(opt.seed * 1000003 + i);
    cvrng.fill(noise, cv::RNG::NORMAL, 0, opt.noise_sigma);
    cv::Mat f;
    photo.convertTo(f, CV_32FC3);
    f += noise;
    f.convertTo(photo, CV_8UC3);  // saturating

    char group[16];
    std::snprintf(group, sizeof group, "g%04d", i);
    const std::string name = next_name();
    const fs::path path = fs::path(opt.out_dir) / name;
    if (!WriteJpeg(path.string(), photo, opt.jpeg_quality)) {
      std::fprintf(stderr, "error: cannot write %s\n", path.c_str());
      return 1;
    }
    auto account = [&](const fs::path& p, const cv::Mat& m, bool is_photo) {
      bytes += int64_t(fs::file_size(p));
      if (is_photo) min_pixels_written = std::min<int64_t>(min_pixels_written, m.total());
      ++files;
    };
    account(path, photo, true);
    truth << name << ',' << group << '\n';
    manifest << name << ',' << group << ",photo,," << source << ',' << crop.x << ',' << crop.y
             << ',' << crop.width << ',' << crop.height << '\n';

    if (copy_kind[i] >= 0) {
      // Start from the saved file, as a user's edit would.
      cv::Mat saved = cv::imread(path.string(), cv::IMREAD_COLOR);
      cv::Mat copy;
      int quality = opt.jpeg_quality;
      switch (copy_kind[i]) {
        case 0:
          cv::resize(saved, copy, cv::Size(), 0.5, 0.5, cv::INTER_AREA);
          break;
        case 1:
          copy = saved;
          quality = 70;
          break;
        case 2: {
          // 90% of the area, as hash_robustness_bench counts crops.
          const double side = std::sqrt(0.9);
          const int w = int(saved.cols * side), h = int(saved.rows * side);
          std::uniform_int_distribution<int> dx(0, saved.cols - w), dy(0, saved.rows - h);
          copy = saved(cv::Rect(dx(rng), dy(rng), w, h)).clone();
          break;
        }
        default:
          cv::flip(saved, copy, 1);
          break;
      }
      const std::string copy_name = next_name();
      const fs::path copy_path = fs::path(opt.out_dir) / copy_name;
      if (!WriteJpeg(copy_path.string(), copy, quality)) {
        std::fprintf(stderr, "error: cannot write %s\n", copy_path.c_str());
        return 1;
      }
      account(copy_path, copy, false);
      truth << copy_name << ',' << group << '\n';
      manifest << copy_name << ',' << group << ",copy," << kEditNames[copy_kind[i]] << ',' << source
               << ",,,,\n";
    }
    if ((i + 1) % 20 == 0) std::fprintf(stderr, "%d/%d photos\n", i + 1, opt.n);
  }
  std::printf("wrote %d files (%d photos %dx%d or %dx%d, %d near-duplicate copies) to %s\n", files,
              opt.n, opt.width, opt.height, opt.height, opt.width, n_copies, opt.out_dir.c_str());
  std::printf("total %.1f MB, mean photo+copy %.2f MB, smallest photo %lld pixels\n", bytes / 1e6,
              bytes / 1e6 / files, static_cast<long long>(min_pixels_written));
  std::printf("pool %zu sources, each used on at most %d disjoint strips\n", pool.size(), strips);
  return 0;
}
