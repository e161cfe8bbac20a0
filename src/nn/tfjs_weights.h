// Reads a TensorFlow.js layers model (private to the nn plugin; no LibTorch types): the format
// scripts/fetch_pretrained.sh writes the nsfwjs package's models in, and the one `tensorflowjs`
// converters write.
//
// A model folder holds model.json, an object with
//   "modelTopology": the Keras model config (kept here as text, for the importer to read), and
//   "weightsManifest": [{"paths": [shard files], "weights": [{"name", "shape", "dtype",
//                        "quantization"?: {"dtype": "uint8"|"uint16", "min", "scale"}}, ...]}]
// and the binary shards: each group's shards, concatenated in order, hold its tensors in
// manifest order, little-endian, each `dtype` wide or, when quantised, one uint8/uint16 per value
// (value = q * scale + min).
#ifndef NEARDUP_SRC_NN_TFJS_WEIGHTS_H_
#define NEARDUP_SRC_NN_TFJS_WEIGHTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "neardup/status.h"

namespace neardup::nn {

struct TfjsTensor {
  std::vector<int64_t> shape;  // as stored (Keras layouts: conv kernels HWIO, ...)
  std::vector<float> values;   // row-major, product(shape) values
};

struct TfjsModel {
  std::string topology_json;                  // modelTopology, re-serialised
  std::map<std::string, TfjsTensor> weights;  // by manifest name ("Conv1/kernel", ...)
};

// Reads dir/model.json and its shards. NotFound for a missing file, Corruption (naming the file
// and the tensor) for malformed JSON, an unsupported dtype, or shards shorter or longer than
// the manifest says.
StatusOr<TfjsModel> ReadTfjsModel(const std::string& dir);

}  // namespace neardup::nn

#endif  // NEARDUP_SRC_NN_TFJS_WEIGHTS_H_
