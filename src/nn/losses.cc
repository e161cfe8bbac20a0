#include "nn/losses.h"

#include <cassert>

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

}  // namespace neardup::nn
