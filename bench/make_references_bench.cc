// Writes N distinct reference pictures for copy-detection benchmarks that need more references
// than the training packages hold images (issue 15: an index of 100,000 references).
//
//   make_references_bench SRC_DIR OUT_DIR N [--seed S] [-j THREADS]
//
// Only files of the training split (neardup/split.h: never a held-out family) are used, so the
// pictures share no content with a held-out benchmark's originals and cannot be true matches of
// its copies. Each picture is 320-640 px a side, JPEG q85, made of random crops (35-90% of each
// side, mirrored half the time) of the sources (in a seeded random order): every other one a
// 2 x 2 mosaic of four crops, the others one crop pasted at 45-70% of the canvas onto a tiled
// texture template (MakeTextureVariant). Pictures that share a source differ in crop, texture,
// colour and place; they may be alike each other (as a real reference set's variants are), never
// alike a held-out picture.
// Deterministic for a seed and source folder. Prints the count written and the wall time.
#include <neardup/augment.h>
#include <neardup/decode.h>
#include <neardup/preprocess.h>
#include <neardup/split.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

bool IsImageName(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  return e == ".png" || e == ".jpg" || e == ".jpeg" || e == ".webp" || e == ".bmp" || e == ".gif";
}

// A random crop (35-90% of each side) of `source`, RGB, mirrored half the time; empty when the
// source is too small or does not decode.
neardup::Image RandomCrop(const std::string& source, std::mt19937_64& rng) {
  neardup::DecodeOptions d;
  d.min_side = 256;
  neardup::StatusOr<neardup::Image> img = neardup::DecodeFile(source, d);
  if (!img.ok() || img->width < 48 || img->height < 48) return {};
  if (img->channels == 1) {  // replicated to RGB
    neardup::Image rgb(img->width, img->height, 3);
    for (size_t i = 0; i < img->pixels.size(); ++i) {
      for (int c = 0; c < 3; ++c) rgb.pixels[i * 3 + c] = img->pixels[i];
    }
    img = std::move(rgb);
  }
  std::uniform_real_distribution<double> frac(0.35, 0.9), unit(0, 1);
  const int cw = std::max(32, int(img->width * frac(rng)));
  const int ch = std::max(32, int(img->height * frac(rng)));
  const int cx = int(unit(rng) * (img->width - cw)), cy = int(unit(rng) * (img->height - ch));
  neardup::Image content = neardup::Crop(*img, cx, cy, cw, ch);
  return unit(rng) < 0.5 ? neardup::FlipHorizontal(content) : content;
}

// Picture `i`: even i, a 2 x 2 mosaic of crops of four sources; odd i, one crop pasted on a
// texture template. Sources are sources[(i + k * 7919) % M] for k = 0, 1, ...: a source that
// fails is skipped for the next. False when none is left.
bool MakeOne(const std::vector<std::string>& sources, long i, uint64_t seed,
             const std::string& out) {
  std::mt19937_64 rng(seed * 1000003 + uint64_t(i));
  std::uniform_int_distribution<int> side(320, 640);
  const int width = side(rng), height = side(rng);
  const int cells = i % 2 == 0 ? 4 : 1;
  std::vector<neardup::Image> parts;
  for (size_t k = 0; k < sources.size() && int(parts.size()) < cells; ++k) {
    neardup::Image c = RandomCrop(sources[(size_t(i) + k * 7919) % sources.size()], rng);
    if (!c.empty()) parts.push_back(std::move(c));
  }
  if (int(parts.size()) < cells) return false;
  neardup::Image picture;
  if (cells == 1) {
    neardup::StatusOr<neardup::TextureVariant> v =
        neardup::MakeTextureVariant(parts[0], width, height, rng(), rng());
    if (!v.ok()) return false;
    picture = std::move(v->image);
  } else {
    picture = neardup::Image(width, height, 3);
    const int half_w = width / 2, half_h = height / 2;
    for (int q = 0; q < 4; ++q) {
      const int x0 = (q % 2) * half_w, y0 = (q / 2) * half_h;
      const int w = q % 2 ? width - half_w : half_w, h = q / 2 ? height - half_h : half_h;
      const neardup::Image cell = neardup::Resize(parts[q], w, h);
      for (int y = 0; y < h; ++y) {
        std::copy(cell.row(y), cell.row(y) + size_t(w) * 3, picture.row(y0 + y) + size_t(x0) * 3);
      }
    }
  }
  return neardup::WriteImage(out, picture, 85).ok();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: make_references_bench SRC_DIR OUT_DIR N [--seed S] [-j T]\n");
    return 2;
  }
  const std::string src = argv[1], out = argv[2];
  const long n = std::atol(argv[3]);
  uint64_t seed = 1;
  int threads = int(std::thread::hardware_concurrency());
  for (int i = 4; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "-j") threads = std::max(1, std::atoi(argv[i + 1]));
  }
  std::vector<std::string> sources;
  for (const auto& e : fs::recursive_directory_iterator(src)) {
    if (e.is_regular_file() && IsImageName(e.path()) && !neardup::IsHeldOut(e.path().string())) {
      sources.push_back(e.path().string());
    }
  }
  std::sort(sources.begin(), sources.end());
  std::shuffle(sources.begin(), sources.end(), std::mt19937_64(seed));
  if (sources.empty() || n <= 0) {
    std::fprintf(stderr, "error: %s: no training-split images (or N <= 0)\n", src.c_str());
    return 1;
  }
  fs::create_directories(out);
  const auto start = std::chrono::steady_clock::now();
  std::atomic<long> next{0}, written{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (long i; (i = next++) < n;) {
        char name[32];
        std::snprintf(name, sizeof name, "ref%07ld.jpg", i);
        if (MakeOne(sources, i, seed, out + "/" + name)) ++written;
      }
    });
  }
  for (auto& t : pool) t.join();
  const double s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%ld references from %zu training-split sources in %.1f s\n", written.load(),
              sources.size(), s);
  return written == n ? 0 : 1;
}
