// What a trained spatial transformer does: the affine transforms its localization net predicts
// on a folder of images, summarised (scale per axis, rotation, shear, translation), so an
// ablation can tell an STN that learned to align from one that stayed at the identity.
//
//   stn_stats_bench MODEL.pt FOLDER [max_images=500] [rotate]
//
// With `rotate`: each image is also rotated by a known angle (uniform in +-30 degrees, seeded;
// the same warp as `train --stn-supervision` uses, without scale or shift) and the STN's
// rotation error on it is summarised: |predicted + applied| (an STN that undoes the rotation
// predicts its opposite), beside the error of the identity (|applied|).
//
// The 2x3 affine theta maps output (aligned) coordinates to input coordinates in [-1,1]; its
// columns' norms are the sampling scales (1 = identity, < 1 = zoom in), the angle of the first
// column is the rotation, theta[:,2] the translation (1 = half the image).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_util.h"
#include "neardup/decode.h"
#include "nn/losses.h"
#include "nn/model.h"

using neardup::bench::ListJpegs;

namespace {

void Summary(const char* name, std::vector<double> v) {
  if (v.empty()) return;
  std::sort(v.begin(), v.end());
  double mean = 0;
  for (double x : v) mean += x;
  mean /= double(v.size());
  auto q = [&](double p) { return v[std::min(v.size() - 1, size_t(p * double(v.size())))]; };
  std::printf("%-22s mean %8.4f   p5 %8.4f   p50 %8.4f   p95 %8.4f\n", name, mean, q(0.05), q(0.5),
              q(0.95));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: stn_stats_bench MODEL.pt FOLDER [max_images]\n");
    return 1;
  }
  const size_t max_images = argc > 3 ? size_t(std::atoll(argv[3])) : 500;
  auto net = neardup::nn::LoadModel(argv[1]);
  if (!net.ok()) {
    std::fprintf(stderr, "%s\n", net.status().ToString().c_str());
    return 1;
  }
  neardup::nn::SpatialTransformerImpl* stn = (*net)->stn();
  if (stn == nullptr) {
    std::fprintf(stderr, "%s has no STN\n", argv[1]);
    return 1;
  }
  const neardup::nn::ModelConfig& c = (*net)->config();
  torch::set_num_threads(2);
  torch::InferenceMode guard;
  const bool rotate = argc > 4 && std::string(argv[4]) == "rotate";
  torch::manual_seed(1);
  std::vector<double> sx, sy, rot, shear, tx, ty, dev, rot_error, identity_error;
  neardup::DecodeOptions dopt;
  dopt.min_side = c.input_size;
  for (const std::string& path : ListJpegs(argv[2], max_images)) {
    auto img = neardup::DecodeFile(path, dopt);
    if (!img.ok()) continue;
    torch::Tensor x = neardup::nn::ImageToTensor(*img, c.input_size, c.mean, c.std).unsqueeze(0);
    torch::Tensor t = stn->Theta(x)[0].to(torch::kDouble);  // 2 x 3
    if (rotate) {
      const neardup::nn::KnownWarps w = neardup::nn::RandomSimilarityWarps(1, 30, 1.0, 0.0);
      const torch::Tensor warped = neardup::nn::SampleAffine(x, w.warp);
      const double applied = w.degrees[0].item<double>();
      const double predicted = neardup::nn::AffineDegrees(stn->Theta(warped))[0].item<double>();
      rot_error.push_back(std::abs(predicted + applied));
      identity_error.push_back(std::abs(applied));
    }
    auto a = t.accessor<double, 2>();
    sx.push_back(std::hypot(a[0][0], a[1][0]));
    sy.push_back(std::hypot(a[0][1], a[1][1]));
    rot.push_back(std::atan2(a[1][0], a[0][0]) * 180.0 / M_PI);
    // Shear: the cosine of the angle between the two columns (0 for a similarity).
    shear.push_back((a[0][0] * a[0][1] + a[1][0] * a[1][1]) / (sx.back() * sy.back()));
    tx.push_back(a[0][2]);
    ty.push_back(a[1][2]);
    // Distance from the identity: the largest |theta - [I|0]| entry.
    dev.push_back(std::max({std::abs(a[0][0] - 1), std::abs(a[0][1]), std::abs(a[0][2]),
                            std::abs(a[1][0]), std::abs(a[1][1] - 1), std::abs(a[1][2])}));
  }
  std::printf("%s: STN transforms on %zu images of %s (input %d px)\n", argv[1], sx.size(), argv[2],
              c.input_size);
  Summary("scale x", sx);
  Summary("scale y", sy);
  Summary("rotation (degrees)", rot);
  Summary("shear (cos)", shear);
  Summary("shift x", tx);
  Summary("shift y", ty);
  Summary("max |theta - I|", dev);
  if (rotate) {
    Summary("rotation error on rotated copies (degrees)", rot_error);
    Summary("the identity's error (= |applied|)", identity_error);
  }
  return 0;
}
