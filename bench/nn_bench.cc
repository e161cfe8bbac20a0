// Learned-descriptor throughput: images/s of decode (DCT-downscaled to the input size) + Compute
// through the plugin (MakeNnMethod), as `neardup find` runs it, for a model with random weights
// (speed does not depend on the weights). Also the network alone, batched, for reference.
//
//   nn_bench <folder of JPEGs> [backbone=mobile] [input_size=224] [threads=2] [max_images=0]
//
// Thread layouts compared: T workers each running inference with 1 LibTorch thread, and 1 worker
// with T LibTorch threads; each one image at a time and in batches (Method::ComputeBatch).
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/parallel.h"
#include "neardup/decode.h"
#include "neardup/nn.h"
#include "nn/model.h"

namespace fs = std::filesystem;

using neardup::bench::ListJpegs;
using neardup::bench::NowSeconds;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: nn_bench FOLDER [backbone] [input_size] [threads] [max]\n");
    return 1;
  }
  const std::string folder = argv[1];
  const std::string backbone = argc > 2 ? argv[2] : "mobile";
  const int size = argc > 3 ? std::atoi(argv[3]) : 224;
  const int threads = argc > 4 ? std::atoi(argv[4]) : 2;
  const size_t max_images = argc > 5 ? size_t(std::atoll(argv[5])) : 0;
  std::vector<std::string> files = ListJpegs(folder, max_images);
  if (files.empty()) {
    std::fprintf(stderr, "no JPEGs in %s\n", folder.c_str());
    return 1;
  }

  neardup::nn::ModelConfig config;
  config.backbone = backbone;
  config.input_size = size;
  if (std::getenv("NN_BENCH_FLUSH_DENORMAL")) at::globalContext().setFlushDenormal(true);
  torch::manual_seed(1);
  auto net = neardup::nn::MakeModel(config);
  if (!net.ok()) {
    std::fprintf(stderr, "%s\n", net.status().ToString().c_str());
    return 1;
  }
  int64_t params = 0;
  for (const auto& p : (*net)->parameters()) params += p.numel();
  const std::string model = (fs::temp_directory_path() / "nn_bench_model.pt").string();
  if (auto s = neardup::nn::SaveModel(*net, model); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("stn-cnn:%s, %.2fM parameters, input %d px, %zu JPEGs from %s\n", backbone.c_str(),
              params / 1e6, size, files.size(), folder.c_str());

  neardup::NnMethodOptions opt;
  opt.model_path = model;
  auto method = neardup::MakeNnMethod("stn-cnn:" + backbone, opt);
  if (!method.ok()) {
    std::fprintf(stderr, "%s\n", method.status().ToString().c_str());
    return 1;
  }
  neardup::DecodeOptions dopt;
  dopt.min_side = (*method)->min_decode_side();

  // Decode only, then decode + describe under both thread layouts, one image at a time
  // (Compute) and in batches of the method's preferred size (ComputeBatch, as Scan runs it).
  auto run = [&](const char* label, int workers, int torch_threads, bool describe, int batch) {
    torch::set_num_threads(torch_threads);
    std::atomic<int> failed{0};
    const double t0 = NowSeconds();
    neardup::ParallelFor(int64_t(files.size()), workers, batch, [&](int64_t b, int64_t e, int) {
      std::vector<neardup::Image> images;
      for (int64_t i = b; i < e; ++i) {
        auto img = neardup::DecodeFile(files[i], dopt);
        if (!img.ok()) {
          ++failed;
          continue;
        }
        images.push_back(std::move(img).value());
      }
      if (!describe) return;
      std::vector<const neardup::Image*> ptrs;
      for (const neardup::Image& im : images) ptrs.push_back(&im);
      for (const auto& d : (*method)->ComputeBatch(ptrs)) failed += d.ok() ? 0 : 1;
    });
    const double s = NowSeconds() - t0;
    std::printf("%-52s %7.1f images/s  (%.2f s, %d failed)\n", label, files.size() / s, s,
                failed.load());
  };
  const int batch = (*method)->preferred_batch();
  char label[128];
  std::snprintf(label, sizeof label, "decode only, %d workers", threads);
  run(label, threads, 1, false, 1);
  std::snprintf(label, sizeof label, "decode+describe, %d workers x 1 torch thread", threads);
  run(label, threads, 1, true, 1);
  std::snprintf(label, sizeof label, "decode+describe, 1 worker x %d torch threads", threads);
  run(label, 1, threads, true, 1);
  std::snprintf(label, sizeof label, "decode+describe batch %d, %d workers x 1 thread", batch,
                threads);
  run(label, threads, 1, true, batch);
  std::snprintf(label, sizeof label, "decode+describe batch %d, 1 worker x %d threads", batch,
                threads);
  run(label, 1, threads, true, batch);

  // The network alone, batched (what a batching pipeline could reach).
  (*net)->eval();
  torch::set_num_threads(threads);
  torch::InferenceMode guard;
  for (int batch : {1, 2, 4, 8, 16}) {
    torch::Tensor x = torch::randn({batch, 3, size, size});
    (*net)->forward(x);  // warm-up
    const int reps = std::max(2, 64 / batch);
    const double t0 = NowSeconds();
    for (int r = 0; r < reps; ++r) (*net)->forward(x);
    const double s = NowSeconds() - t0;
    std::printf("network only, batch %2d, %d torch threads       %7.1f images/s\n", batch, threads,
                reps * batch / s);
  }
  fs::remove(model);
  return 0;
}
