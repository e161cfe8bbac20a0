#include "nn/losses.h"

#include <cassert>
#include <cmath>
#include <vector>

namespace neardup::nn {
namespace {

// 2N x 2N: true where column j is row i itself or its pair.
torch::Tensor SameImageMask(int64_t two_n, const torch::Device& device) {
  const int64_t n = two_n / 2;
  torch::Tensor idx =
      torch::arange(two_n, torch::TensorOptions().dtype(torch::kLong).device(device));
  torch::Tensor image = idx.remainder(n);
  return image.unsqueeze(1) == image.unsqueeze(0);
}

}  // namespace

torch::Tensor InfoNceLoss(const torch::Tensor& z, double temperature) {
  assert(z.dim() == 2 && z.size(0) % 2 == 0 && z.size(0) >= 4 && temperature > 0);
  const int64_t two_n = z.size(0);
  const int64_t n = two_n / 2;
  torch::Tensor logits = torch::mm(z, z.t()) / temperature;
  // A view is never its own negative: -inf on the diagonal drops it from the softmax.
  torch::Tensor eye =
      torch::eye(two_n, torch::TensorOptions().dtype(torch::kBool).device(z.device()));
  logits = logits.masked_fill(eye, -std::numeric_limits<float>::infinity());
  torch::Tensor idx =
      torch::arange(two_n, torch::TensorOptions().dtype(torch::kLong).device(z.device()));
  torch::Tensor target = (idx + n).remainder(two_n);
  return torch::nn::functional::cross_entropy(logits, target);
}

torch::Tensor EntropyLoss(const torch::Tensor& z) {
  assert(z.dim() == 2 && z.size(0) % 2 == 0 && z.size(0) >= 4);
  const int64_t two_n = z.size(0);
  // Nearest neighbour by inner product (unit vectors: max similarity = min distance), chosen
  // without gradient; the distance to it is then recomputed with gradient, as SSCD and DINOv2's
  // KoLeo do. Differentiating through min() of a full distance matrix would also work but
  // sqrt(|a|^2 + |b|^2 - 2ab) has an infinite derivative at 0 for collapsed inputs.
  torch::Tensor nearest;
  {
    torch::NoGradGuard no_grad;
    torch::Tensor sim = torch::mm(z, z.t());
    sim =
        sim.masked_fill(SameImageMask(two_n, z.device()), -std::numeric_limits<float>::infinity());
    nearest = sim.argmax(1);
  }
  torch::Tensor diff = z - z.index_select(0, nearest);
  torch::Tensor dist_sq = diff.pow(2).sum(1);
  // Floor inside the sqrt so the gradient stays finite when two embeddings coincide.
  torch::Tensor dist = (dist_sq + kEntropyMinDistance * kEntropyMinDistance).sqrt();
  return -dist.log().mean();
}

LossTerms ContrastiveLoss(const torch::Tensor& z, double temperature, double entropy_weight) {
  LossTerms t;
  t.info_nce = InfoNceLoss(z, temperature);
  t.entropy = EntropyLoss(z);
  t.total = t.info_nce + entropy_weight * t.entropy;
  return t;
}

KnownWarps RandomSimilarityWarps(int64_t n, double max_degrees, double max_scale,
                                 double max_shift) {
  const auto opts = torch::TensorOptions().dtype(torch::kFloat32);
  const torch::Tensor degrees = (torch::rand({n}, opts) * 2 - 1) * max_degrees;
  const torch::Tensor angle = degrees * (M_PI / 180.0);
  const double log_scale = std::log(max_scale);
  const torch::Tensor scale = torch::exp((torch::rand({n}, opts) * 2 - 1) * log_scale);
  const torch::Tensor shift = (torch::rand({n, 2}, opts) * 2 - 1) * max_shift;
  const torch::Tensor c = torch::cos(angle), s = torch::sin(angle);
  // warp: p_in = scale * R p_out + shift;  undo: p = R^T (p_in - shift) / scale.
  const torch::Tensor r = torch::stack({torch::stack({c, -s}, 1), torch::stack({s, c}, 1)}, 1);
  const torch::Tensor a = r * scale.view({n, 1, 1});
  const torch::Tensor warp = torch::cat({a, shift.unsqueeze(2)}, 2);
  const torch::Tensor a_inv = r.transpose(1, 2) / scale.view({n, 1, 1});
  const torch::Tensor undo =
      torch::cat({a_inv, -a_inv.matmul(shift.unsqueeze(2))}, 2);
  return {warp, undo, degrees};
}

torch::Tensor GridAlignmentLoss(const torch::Tensor& theta, const torch::Tensor& target,
                                int64_t g) {
  const torch::Tensor t = torch::linspace(-1, 1, g, theta.options());
  const std::vector<torch::Tensor> yx = torch::meshgrid({t, t}, "ij");
  // g*g x 3 homogeneous points (x, y, 1).
  const torch::Tensor points =
      torch::stack({yx[1].flatten(), yx[0].flatten(), torch::ones({g * g}, theta.options())}, 1);
  const torch::Tensor a = points.matmul(theta.transpose(1, 2));   // N x g*g x 2
  const torch::Tensor b = points.matmul(target.transpose(1, 2));  // N x g*g x 2
  return (a - b).pow(2).sum(2).mean();
}

torch::Tensor AffineDegrees(const torch::Tensor& theta) {
  return torch::atan2(theta.select(1, 1).select(1, 0), theta.select(1, 0).select(1, 0)) *
         (180.0 / M_PI);
}

}  // namespace neardup::nn
