#include "serve_http.h"

#include <cstdlib>

#include "json_out.h"

namespace neardup::cli {

void JsonReply(httplib::Response& res, int status, const nlohmann::ordered_json& body) {
  res.status = status;
  res.set_content(DumpJson(body, -1), "application/json");
}

void JsonError(httplib::Response& res, int status, const std::string& message) {
  JsonReply(res, status, {{"error", message}, {"status", status}});
}

int StatusHttpCode(const Status& s, bool unprocessable) {
  switch (s.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kCorruption:
      return unprocessable ? 422 : 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kResourceExhausted:
      return 413;
    case StatusCode::kUnimplemented:
      return 415;
    default:
      return 500;
  }
}

int64_t QueryInt(const httplib::Request& req, const char* key, int64_t fallback, int64_t lo,
                 int64_t hi) {
  if (!req.has_param(key)) return fallback;
  const std::string v = req.get_param_value(key);
  char* end = nullptr;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < lo || n > hi) return -1;
  return n;
}

}  // namespace neardup::cli
