// A small random-weight model written to a file, for the tests of what consumes model files.
#ifndef NEARDUP_TESTS_NN_RANDOM_MODEL_H_
#define NEARDUP_TESTS_NN_RANDOM_MODEL_H_

#include <cstdint>
#include <string>

#include "nn/model.h"

namespace neardup::nn {

// Saves a model of `config` with weights drawn from `seed` to `path`. False when it cannot be made
// or written.
inline bool WriteRandomModel(const std::string& path, const ModelConfig& config, uint64_t seed) {
  torch::manual_seed(seed);
  StatusOr<NearDupNet> net = MakeModel(config);
  return net.ok() && SaveModel(*net, path).ok();
}

// A backbone without STN at a small size, for tests that only need some model file.
inline ModelConfig SmallCnnConfig(const std::string& backbone, int dim, int size) {
  ModelConfig c;
  c.backbone = backbone;
  c.stn = false;
  c.dim = dim;
  c.input_size = c.train_size = size;
  return c;
}

// Saves a "mobile" model with an identity-initialised STN, 16-d descriptors and 64 px input,
// with weights drawn from `seed`, to `path`. False when it cannot be made or written.
inline bool WriteRandomStnModel(const std::string& path, uint64_t seed) {
  ModelConfig c;
  c.backbone = "mobile";
  c.stn = true;
  c.dim = 16;
  c.input_size = 64;
  c.train_size = 64;
  torch::manual_seed(seed);
  StatusOr<NearDupNet> net = MakeModel(c);
  return net.ok() && SaveModel(*net, path).ok();
}

}  // namespace neardup::nn

#endif  // NEARDUP_TESTS_NN_RANDOM_MODEL_H_
