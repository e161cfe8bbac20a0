#include "nn/tfjs_weights.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace neardup::nn {
namespace {

using nlohmann::json;

Status ReadAll(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::filesystem::exists(path) ? IOError(path + ": cannot be read")
                                         : NotFoundError(path + ": no such file");
  }
  std::ostringstream s;
  s << in.rdbuf();
  *out = std::move(s).str();
  return Status::Ok();
}

// Bytes per stored value and how to turn one into a float.
struct Encoding {
  int bytes = 4;
  enum { kFloat32, kInt32, kUint8, kUint16 } kind = kFloat32;
  double min = 0, scale = 1;
};

StatusOr<Encoding> EncodingOf(const json& w, const std::string& where) {
  Encoding e;
  const std::string dtype = w.value("dtype", std::string("float32"));
  if (w.contains("quantization")) {
    const json& q = w["quantization"];
    const std::string qd = q.value("dtype", std::string());
    if (qd != "uint8" && qd != "uint16") {
      return CorruptionError(where + ": quantisation dtype '" + qd + "' is not supported");
    }
    if (!q.contains("scale") || !q.contains("min")) {
      return CorruptionError(where + ": quantisation without scale and min");
    }
    e.kind = qd == "uint8" ? Encoding::kUint8 : Encoding::kUint16;
    e.bytes = qd == "uint8" ? 1 : 2;
    e.scale = q["scale"].get<double>();
    e.min = q["min"].get<double>();
    return e;
  }
  if (dtype == "float32") return e;
  if (dtype == "int32") {
    e.kind = Encoding::kInt32;
    return e;
  }
  return CorruptionError(where + ": dtype '" + dtype + "' is not supported");
}

void Decode(const uint8_t* p, int64_t count, const Encoding& e, float* out) {
  for (int64_t i = 0; i < count; ++i, p += e.bytes) {
    switch (e.kind) {
      case Encoding::kFloat32:
        std::memcpy(&out[i], p, 4);
        break;
      case Encoding::kInt32: {
        int32_t v;
        std::memcpy(&v, p, 4);
        out[i] = float(v);
        break;
      }
      case Encoding::kUint8:
        out[i] = float(p[0] * e.scale + e.min);
        break;
      case Encoding::kUint16:
        out[i] = float((p[0] | (p[1] << 8)) * e.scale + e.min);
        break;
    }
  }
}

}  // namespace

StatusOr<TfjsModel> ReadTfjsModel(const std::string& dir) {
  const std::string manifest_path = dir + "/model.json";
  std::string text;
  RETURN_IF_ERROR(ReadAll(manifest_path, &text));
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return CorruptionError(manifest_path + ": not a JSON object");
  }
  if (!root.contains("weightsManifest") || !root["weightsManifest"].is_array()) {
    return CorruptionError(manifest_path + ": no weightsManifest");
  }
  TfjsModel model;
  if (root.contains("modelTopology")) model.topology_json = root["modelTopology"].dump();
  try {
    for (const json& group : root["weightsManifest"]) {
      std::string bytes;
      std::string shards;
      for (const json& p : group.at("paths")) {
        std::string shard;
        const std::string path = dir + "/" + p.get<std::string>();
        RETURN_IF_ERROR(ReadAll(path, &shard));
        bytes += shard;
        shards += (shards.empty() ? "" : ", ") + path;
      }
      size_t at = 0;
      for (const json& w : group.at("weights")) {
        const std::string name = w.at("name").get<std::string>();
        const std::string where = manifest_path + ": tensor '" + name + "'";
        ASSIGN_OR_RETURN(Encoding e, EncodingOf(w, where));
        TfjsTensor t;
        int64_t count = 1;
        for (const json& d : w.at("shape")) {
          const int64_t v = d.get<int64_t>();
          if (v < 0 || v > (int64_t(1) << 31)) return CorruptionError(where + ": bad shape");
          t.shape.push_back(v);
          count *= v;
        }
        if (count > (int64_t(1) << 31)) return CorruptionError(where + ": too large");
        const size_t need = size_t(count) * size_t(e.bytes);
        if (at + need > bytes.size()) {
          return CorruptionError(where + ": the shards (" + shards + ") end before it does");
        }
        t.values.resize(size_t(count));
        Decode(reinterpret_cast<const uint8_t*>(bytes.data()) + at, count, e, t.values.data());
        at += need;
        if (!model.weights.emplace(name, std::move(t)).second) {
          return CorruptionError(where + ": listed twice");
        }
      }
      if (at != bytes.size()) {
        return CorruptionError(manifest_path + ": the shards (" + shards + ") hold " +
                               std::to_string(bytes.size() - at) +
                               " bytes more than the manifest lists");
      }
    }
  } catch (const json::exception& e) {
    return CorruptionError(manifest_path + ": malformed weightsManifest (" + e.what() + ")");
  }
  return model;
}

}  // namespace neardup::nn
