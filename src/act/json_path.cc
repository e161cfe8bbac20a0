// Paths in JSON (json_path.h).
#include "act/json_path.h"

#include "neardup/text.h"

namespace neardup::act {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void SetJsonPath(nlohmann::json& j, const std::string& key, const std::string& path) {
  if (IsValidUtf8(path)) {
    j[key] = path;
    return;
  }
  j[key] = ToValidUtf8(path);
  j[key + "_hex"] = HexBytes(path);
}

StatusOr<std::string> GetJsonPath(const nlohmann::json& j, const std::string& key) {
  const auto hex = j.find(key + "_hex");
  if (hex != j.end()) {
    if (!hex->is_string()) return InvalidArgumentError("\"" + key + "_hex\" is not a string");
    const std::string& h = hex->get_ref<const std::string&>();
    if (h.size() % 2 != 0) return InvalidArgumentError("\"" + key + "_hex\" has an odd length");
    std::string out;
    for (size_t i = 0; i < h.size(); i += 2) {
      const int hi = HexDigit(h[i]), lo = HexDigit(h[i + 1]);
      if (hi < 0 || lo < 0) return InvalidArgumentError("\"" + key + "_hex\" is not hex");
      out.push_back(char(hi * 16 + lo));
    }
    return out;
  }
  const auto s = j.find(key);
  if (s == j.end() || !s->is_string()) {
    return InvalidArgumentError("no \"" + key + "\" string");
  }
  return s->get<std::string>();
}

}  // namespace neardup::act
