// How well ContentRegions (src/image/content_regions.h) finds a picture pasted into a screenshot:
// for each copy of a `neardup bench make` folder whose only edit is "paste", the intersection over
// union of the planted window and the best of the regions found.
//   content_regions_bench BENCH_DIR [MAX_REGIONS=2] [OUT_DIR]
// With OUT_DIR, each copy is written there with the planted window in green and the regions found
// in red, named by its IoU, to look at what is missed.
// Prints the IoU quantiles, the share of copies with IoU >= 0.5 / 0.8 / 0.9, how many regions
// were found per image, the time per image, and per family of the other images the share with a
// region (each costs its query one description more). Needs BENCH_DIR/transforms.jsonl.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "image/content_regions.h"
#include "neardup/decode.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: content_regions_bench BENCH_DIR [MAX_REGIONS]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int max_regions = argc > 2 ? std::atoi(argv[2]) : 2;
  const std::string out_dir = argc > 3 ? argv[3] : "";
  std::ifstream in(dir + "/transforms.jsonl");
  std::string line;
  std::vector<double> ious;
  std::vector<int> counts;
  double seconds = 0;
  while (std::getline(in, line)) {
    const nlohmann::json j = nlohmann::json::parse(line);
    if (j.value("role", "") != "copy" || j.value("family", "") != "paste") continue;
    const nlohmann::json& p = j["applied"][0]["params"];
    auto img = neardup::DecodeFile(dir + "/images/" + j["image"].get<std::string>(),
                                   neardup::DecodeOptions{});
    if (!img.ok()) continue;
    // The copy may have been stored smaller than its canvas.
    const double sx = double(img->width) / p["canvas_width"].get<double>();
    const double sy = double(img->height) / p["canvas_height"].get<double>();
    const double tx = p["x"].get<double>() * sx, ty = p["y"].get<double>() * sy;
    const double tw = p["width"].get<double>() * sx, th = p["height"].get<double>() * sy;
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<neardup::Region> found = neardup::ContentRegions(*img, max_regions);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double best = 0;
    for (const neardup::Region& r : found) {
      const double ix = std::max(0.0, std::min(tx + tw, double(r.x + r.width)) - std::max(tx, double(r.x)));
      const double iy = std::max(0.0, std::min(ty + th, double(r.y + r.height)) - std::max(ty, double(r.y)));
      const double inter = ix * iy;
      best = std::max(best, inter / (tw * th + double(r.width) * r.height - inter));
    }
    if (!out_dir.empty()) {
      neardup::Image drawn = img->channels == 3 ? *img : neardup::Image(*img);
      auto box = [&](int x, int y, int w, int h, uint8_t r, uint8_t g) {
        for (int t = 0; t < 2; ++t) {
          for (int xx = std::max(0, x); xx < std::min(drawn.width, x + w); ++xx) {
            for (int yy : {y + t, y + h - 1 - t}) {
              if (yy < 0 || yy >= drawn.height) continue;
              for (int c = 0; c < drawn.channels; ++c) drawn.at(yy, xx, c) = c == 0 ? r : c == 1 ? g : 0;
            }
          }
          for (int yy = std::max(0, y); yy < std::min(drawn.height, y + h); ++yy) {
            for (int xx : {x + t, x + w - 1 - t}) {
              if (xx < 0 || xx >= drawn.width) continue;
              for (int c = 0; c < drawn.channels; ++c) drawn.at(yy, xx, c) = c == 0 ? r : c == 1 ? g : 0;
            }
          }
        }
      };
      box(int(tx), int(ty), int(tw), int(th), 0, 255);
      for (const neardup::Region& r : found) box(r.x, r.y, r.width, r.height, 255, 0);
      char name[64];
      std::snprintf(name, sizeof name, "/%.2f-%zu.png", best, ious.size());
      (void)neardup::WriteImage(out_dir + name, drawn);
    }
    ious.push_back(best);
    counts.push_back(int(found.size()));
  }
  if (ious.empty()) {
    std::fprintf(stderr, "no paste copies in %s/transforms.jsonl\n", dir.c_str());
    return 1;
  }
  std::vector<double> sorted = ious;
  std::sort(sorted.begin(), sorted.end());
  auto q = [&](double f) { return sorted[size_t(f * double(sorted.size() - 1))]; };
  auto share = [&](double t) {
    return double(std::count_if(ious.begin(), ious.end(), [t](double v) { return v >= t; })) /
           double(ious.size());
  };
  int none = int(std::count(counts.begin(), counts.end(), 0));
  std::printf("paste copies: %zu, max regions %d\n", ious.size(), max_regions);
  std::printf("IoU p10 %.3f  p25 %.3f  median %.3f  p75 %.3f\n", q(0.1), q(0.25), q(0.5), q(0.75));
  std::printf("IoU >= 0.5: %.3f   >= 0.8: %.3f   >= 0.9: %.3f   no region: %d\n", share(0.5),
              share(0.8), share(0.9), none);
  std::printf("time per image: %.2f ms\n", 1000 * seconds / double(ious.size()));
  // Every other image of the folder: how often a region is found where none was planted.
  std::map<std::string, std::pair<int, int>> by_family;  // family -> (with a region, images)
  std::ifstream again(dir + "/transforms.jsonl");
  while (std::getline(again, line)) {
    const nlohmann::json j = nlohmann::json::parse(line);
    const std::string family = j.value("role", "") == "copy" ? j.value("family", "") : j.value("role", "");
    if (family == "paste") continue;
    auto img = neardup::DecodeFile(dir + "/images/" + j["image"].get<std::string>(),
                                   neardup::DecodeOptions{});
    if (!img.ok()) continue;
    auto& [with, n] = by_family[family];
    with += !neardup::ContentRegions(*img, max_regions).empty();
    ++n;
  }
  std::printf("other images with a region:");
  for (const auto& [family, c] : by_family) {
    if (c.first) std::printf(" %s %d/%d", family.c_str(), c.first, c.second);
  }
  std::printf("\n");
  return 0;
}
