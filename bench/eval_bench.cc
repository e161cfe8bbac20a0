// Times `neardup bench eval`'s library work on a synthetic benchmark: reading truth.csv, parsing
// a pairs CSV of 10 million lines and computing every metric.
//
//   eval_bench [LINES [IMAGES]]     defaults: 10000000 lines, 20000 images
//
// With NEARDUP_EVAL_BENCH_KEEP set, the generated folder is kept (to time the CLI on it).
// The benchmark has groups of one original and two copies (families jpeg, crop, rotate90,
// strong), a few natural groups and distractors; the pairs file imitates `neardup pairs --k K`
// with absolute paths: every image's K neighbours on consecutive lines, its group mates first
// (so most positive pairs appear twice, as a,b and b,a), then random other images.
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "bench_util.h"
#include "neardup/eval.h"

namespace {

namespace fs = std::filesystem;

using neardup::bench::NowSeconds;

struct Synthetic {
  std::vector<std::string> paths;  // relative to images/
  std::vector<int> group;          // -1 for distractors
  std::vector<std::vector<int>> members;
};

Synthetic WriteTruth(const std::string& dir, int num_images) {
  static const char* kFamilies[] = {"jpeg", "crop", "rotate90", "strong"};
  Synthetic s;
  std::string csv = "image,group,role,family\n";
  const int num_groups = num_images / 4;  // 3 images each: 3/4 of the images are in groups
  const int natural_groups = num_groups / 20;
  for (int g = 0; g < num_groups && int(s.paths.size()) + 3 <= num_images; ++g) {
    s.members.emplace_back();
    const bool natural = g < natural_groups;
    for (int m = 0; m < 3; ++m) {
      char name[64];
      const char* family = kFamilies[(g + m) % 4];
      std::snprintf(name, sizeof name, "%s/g%06d_%d.jpg", natural ? "natural" : "copies", g, m);
      if (m == 0) std::snprintf(name, sizeof name, "originals/g%06d.jpg", g);
      const char* role = m == 0 ? "original" : natural ? "natural" : "copy";
      csv += std::string(name) + ",g" + std::to_string(g) + "," + role + "," +
             (natural || m == 0 ? "" : family) + "\n";
      s.members.back().push_back(int(s.paths.size()));
      s.paths.push_back(name);
      s.group.push_back(g);
    }
  }
  while (int(s.paths.size()) < num_images) {
    const std::string name = "distractors/d" + std::to_string(s.paths.size()) + ".jpg";
    csv += name + ",,distractor,\n";
    s.paths.push_back(name);
    s.group.push_back(-1);
  }
  FILE* f = std::fopen((dir + "/truth.csv").c_str(), "wb");
  std::fwrite(csv.data(), 1, csv.size(), f);
  std::fclose(f);
  return s;
}

void AppendScore(std::string* out, double score) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, score, std::chars_format::fixed, 6);
  out->append(buf, r.ptr);
}

void WritePairs(const std::string& path, const std::string& images_dir, const Synthetic& s,
                int64_t lines) {
  const int n = int(s.paths.size());
  const int64_t k = std::max<int64_t>(1, lines / n);
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<int> any(0, n - 1);
  FILE* f = std::fopen(path.c_str(), "wb");
  std::string buf = "a,b,score\n";
  int64_t written = 0;
  for (int a = 0; a < n && written < lines; ++a) {
    const std::string pa = images_dir + "/" + s.paths[a];
    auto line = [&](int b, double score) {
      buf += pa;
      buf += ',';
      buf += images_dir;
      buf += '/';
      buf += s.paths[b];
      buf += ',';
      AppendScore(&buf, score);
      buf += '\n';
      ++written;
    };
    int64_t listed = 0;
    if (s.group[a] >= 0) {
      for (int b : s.members[s.group[a]]) {
        if (b == a || listed >= k) continue;
        line(b, 0.7 + 0.3 * u(rng));  // a found copy
        ++listed;
      }
    }
    for (; listed < k && written < lines; ++listed) {
      const double x = u(rng);
      line(any(rng), 0.85 * x * x * x);  // mostly low, a tail that overlaps the copies
    }
    if (buf.size() > (1 << 24)) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), f);
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t lines = argc > 1 ? std::atoll(argv[1]) : 10'000'000;
  const int num_images = argc > 2 ? std::atoi(argv[2]) : 20'000;
  if (lines <= 0 || num_images < 4) {
    std::fprintf(stderr, "usage: eval_bench [LINES [IMAGES]]\n");
    return 1;
  }
  std::string tmpl = (fs::temp_directory_path() / "neardup_eval_bench_XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string dir = tmpl;
  fs::create_directories(dir + "/images");
  const double t0 = NowSeconds();
  const Synthetic s = WriteTruth(dir, num_images);
  const std::string pairs_path = dir + "/pairs.csv";
  WritePairs(pairs_path, dir + "/images", s, lines);
  const double t1 = NowSeconds();
  std::printf("generated %d images, %lld lines (%.0f MB) in %.1f s\n", num_images, (long long)lines,
              double(fs::file_size(pairs_path)) / 1e6, t1 - t0);

  // Read the pairs file once so every timed run sees it in the page cache, as a second run would.
  {
    std::vector<char> chunk(1 << 20);
    FILE* f = std::fopen(pairs_path.c_str(), "rb");
    while (std::fread(chunk.data(), 1, chunk.size(), f) > 0) {
    }
    std::fclose(f);
  }

  int rc = 0;
  for (int run = 0; run < 3; ++run) {
    const double a = NowSeconds();
    auto bench = neardup::LoadBenchmark(dir);
    if (!bench.ok()) {
      std::fprintf(stderr, "%s\n", bench.status().ToString().c_str());
      rc = 1;
      break;
    }
    const double b = NowSeconds();
    auto input = neardup::ReadPairsCsv(pairs_path, *bench);
    if (!input.ok()) {
      std::fprintf(stderr, "%s\n", input.status().ToString().c_str());
      rc = 1;
      break;
    }
    const double c = NowSeconds();
    const int64_t read = input->lines;
    neardup::EvalOptions options;
    options.threshold = 0.8;
    const neardup::EvalReport r = neardup::Evaluate(*bench, std::move(*input), options);
    const double d = NowSeconds();
    std::printf(
        "run %d: %.2f s total (truth %.3f s, parse %.2f s, metrics %.2f s), %.1f M pairs/s; "
        "%lld unique pairs, µAP %.4f, R@P0.99 %.4f\n",
        run + 1, d - a, b - a, c - b, d - c, double(read) / (d - a) / 1e6,
        (long long)(r.positives_listed + r.negatives_listed + r.ignored_listed), r.micro_ap,
        r.recall_at_p99 ? r.recall_at_p99->recall : 0.0);
  }
  if (std::getenv("NEARDUP_EVAL_BENCH_KEEP") != nullptr) {
    std::printf("kept %s (truth.csv, pairs.csv)\n", dir.c_str());
  } else {
    fs::remove_all(dir);
  }
  return rc;
}
