// nn.h's WhitenModel: PCA whitening of a model's pooled features, stored as its projection.
#include <algorithm>
#include <chrono>
#include <thread>

#include "nn/model.h"
#include "nn/train_data.h"
#include "plugin/nn_plugin_api.h"

namespace neardup {
namespace {

namespace F = torch::nn::functional;

constexpr int kBatch = 32;  // images per forward pass

}  // namespace

StatusOr<WhitenSummary> WhitenModelImpl(const WhitenOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(nn::NearDupNet net, nn::LoadModel(o.model));
  const nn::ModelConfig& c = net->config();
  nn::TrainDataOptions d;
  d.folders = o.data;
  d.max_images = o.max_images;
  d.seed = o.seed;
  d.skip_held_out = !o.use_held_out;
  d.threads = o.threads;
  d.long_side = std::max(nn::kMaxCachedLongSide, c.input_size);
  d.log = o.log;
  ASSIGN_OR_RETURN(std::unique_ptr<nn::TrainImages> images, nn::TrainImages::Load(d));
  try {
    torch::set_num_threads(o.threads > 0 ? o.threads : int(std::thread::hardware_concurrency()));
    torch::NoGradGuard no_grad;
    net->eval();
    std::vector<torch::Tensor> parts;
    for (int first = 0; first < images->size(); first += kBatch) {
      std::vector<Image> batch;
      for (int i = first; i < std::min(images->size(), first + kBatch); ++i) {
        StatusOr<Image> im = images->Get(i);
        if (!im.ok()) {
          if (o.log) o.log(images->path(i) + ": " + im.status().message() + " (left out)");
          continue;
        }
        batch.push_back(std::move(*im));
      }
      if (batch.empty()) continue;
      torch::Tensor f = net->Pool(nn::ImagesToBatch(batch, c.input_size, c.mean, c.std));
      parts.push_back(F::normalize(f, F::NormalizeFuncOptions().p(2).dim(1)).to(torch::kDouble));
      if (o.log && (first / kBatch) % 20 == 0) {
        o.log("whitening: " + std::to_string(first + int(batch.size())) + " of " +
              std::to_string(images->size()) + " images described");
      }
    }
    if (parts.empty()) return NotFoundError("whitening: no image could be described");
    const torch::Tensor x = torch::cat(parts);
    const int64_t n = x.size(0), channels = x.size(1);
    if (n < 2) return NotFoundError("whitening needs at least 2 images");
    const int dim = o.dim > 0 ? o.dim : int(channels);
    if (dim > channels) {
      return InvalidArgumentError("whitening: --dim " + std::to_string(dim) + " is more than the " +
                                  std::to_string(channels) + " pooled features");
    }
    const torch::Tensor mean = x.mean(0);
    const torch::Tensor centred = x - mean;
    const torch::Tensor cov = centred.t().matmul(centred) / double(n - 1);
    auto [values, vectors] = torch::linalg_eigh(cov);  // ascending
    values = values.flip(0).clamp_min(0);
    vectors = vectors.flip(1);
    const double shrink = o.shrink * values.mean().item<double>();
    const torch::Tensor kept = values.slice(0, 0, dim);
    const torch::Tensor w = (kept + shrink).rsqrt().unsqueeze(1) * vectors.slice(1, 0, dim).t();

    nn::ModelConfig wc = c;
    wc.dim = dim;
    wc.min_cosine = 0;  // a new descriptor space: `model calibrate` again
    wc.normalize_pooled = true;
    ASSIGN_OR_RETURN(nn::NearDupNet out, nn::MakeModel(wc));
    nn::CopyMatchingWeights(net, out, "proj.");
    out->projection()->weight.copy_(w.to(torch::kFloat));
    out->projection()->bias.copy_((-w.matmul(mean)).to(torch::kFloat));
    RETURN_IF_ERROR(nn::SaveModel(out, o.out));
    WhitenSummary s;
    s.images = int(n);
    s.dim = dim;
    s.explained = kept.sum().item<double>() / std::max(1e-30, values.sum().item<double>());
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return s;
  } catch (const std::exception& e) {
    return nn::TorchError(e, "whitening " + o.model);
  }
}

}  // namespace neardup
