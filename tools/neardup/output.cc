#include "output.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "flags.h"
#include "neardup/nn.h"

namespace neardup::cli {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
size_t Utf8SequenceLength(const std::string& s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  }
  if (len == 2 && c < 0xC2) return 0;  // overlong
  return len;
}

// Draws "[=====>    ] 120/400 images  85.3/s" on stderr, at most ten times a second.
class ProgressBar {
 public:
  void Update(int64_t done, int64_t total) {
    double t = clock_.Seconds();
    if (done < total && t - last_ < 0.1) return;
    last_ = t;
    const int width = 30;
    int fill = total > 0 ? int(width * done / total) : width;
    std::string bar(fill, '=');
    if (fill < width) bar += '>' + std::string(width - fill - 1, ' ');
    std::fprintf(stderr, "\r[%s] %lld/%lld images  %.1f/s ", bar.c_str(),
                 static_cast<long long>(done), static_cast<long long>(total),
                 t > 0 ? done / t : 0.0);
    if (done == total) std::fprintf(stderr, "\r%*s\r", width + 40, "");
    std::fflush(stderr);
  }

 private:
  Stopwatch clock_;
  double last_ = -1;
};

}  // namespace

bool IsValidUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

namespace {

// Escapes control characters and invalid UTF-8 of `s` as \xNN, and backslashes as \\ when
// `escape_backslash`; stops after `max_bytes` input bytes (at a character boundary).
std::string Escape(const std::string& s, bool escape_backslash, size_t max_bytes, bool* cut) {
  std::string out;
  size_t i = 0;
  for (; i < s.size();) {
    size_t n = Utf8SequenceLength(s, i);
    if (n > 0 && i + n > max_bytes) break;
    if (n == 0 && i + 1 > max_bytes) break;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0;
    if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7F)) || c1) {
      // A C1 control (U+0080..U+009F) is escaped byte by byte, as a terminal could act on it.
      for (size_t k = 0; k < std::max<size_t>(n, 1); ++k) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned char>(s[i + k]));
        out += buf;
      }
      i += std::max<size_t>(n, 1);
    } else {
      if (escape_backslash && c == '\\') out += '\\';
      out.append(s, i, n);
      i += n;
    }
  }
  if (cut != nullptr) *cut = i < s.size();
  return out;
}

}  // namespace

std::string DisplayPath(const std::string& path) {
  return Escape(path, /*escape_backslash=*/true, path.size(), nullptr);
}

std::string DisplayText(const std::string& message) {
  return Escape(message, /*escape_backslash=*/false, message.size(), nullptr);
}

std::string DisplayExcerpt(const std::string& s, size_t max_bytes) {
  bool cut = false;
  std::string out = Escape(s, /*escape_backslash=*/true, max_bytes, &cut);
  return cut ? out + "..." : out;
}

void SetJsonPath(nlohmann::ordered_json& j, const std::string& path, const char* key) {
  if (IsValidUtf8(path)) {
    j[key] = path;
    return;
  }
  std::string lossy, hex;
  for (size_t i = 0; i < path.size();) {
    size_t n = Utf8SequenceLength(path, i);
    if (n == 0) {
      lossy += "\xEF\xBF\xBD";
      ++i;
    } else {
      lossy.append(path, i, n);
      i += n;
    }
  }
  for (unsigned char c : path) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02x", c);
    hex += buf;
  }
  j[key] = lossy;
  j[std::string(key) + "_hex"] = hex;
}

nlohmann::ordered_json EvidenceJson(const PairEvidence& e) {
  auto quad = [](const std::array<Point2, 4>& q) {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const Point2& p : q) j.push_back({std::round(p.x * 10) / 10, std::round(p.y * 10) / 10});
    return j;
  };
  nlohmann::ordered_json j;
  j["score"] = e.score;
  j["hash_bits"] = e.hash_bits;
  j["low_quality_hash"] = e.low_quality;
  j["votes"] = e.votes;
  j["verified"] = e.verified;
  if (!e.verified) {
    j["why_not_verified"] = e.why_not_verified;
    return j;
  }
  const Verification& v = e.verification;
  nlohmann::ordered_json jv;
  jv["match"] = v.match;
  jv["score"] = v.score;
  jv["keypoints_a"] = v.keypoints_a;
  jv["keypoints_b"] = v.keypoints_b;
  jv["matches"] = v.matches;
  jv["inliers"] = v.inliers;
  jv["spread"] = v.spread;
  jv["mirrored"] = v.mirrored;
  if (v.inliers > 0) {
    jv["homography"] = v.homography;
    jv["region_a"] = quad(v.region_a);
    jv["region_b"] = quad(v.region_b);
  }
  if (!v.reason.empty()) jv["reason"] = v.reason;
  j["verification"] = std::move(jv);
  return j;
}

std::string DumpJson(const nlohmann::ordered_json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void PrintProblems(const ScanResult& scan) {
  for (const std::string& w : scan.warnings)
    std::fprintf(stderr, "neardup: warning: %s\n", DisplayText(w).c_str());
  for (const InputError& e : scan.errors) {
    std::fprintf(stderr, "neardup: %s: %s\n", DisplayPath(e.path).c_str(),
                 DisplayText(e.status.message()).c_str());
  }
}

void AddScanFlags(CLI::App* cmd, ScanFlags* f) {
  cmd->add_option("inputs", f->inputs, "Folders and image files")->required();
  cmd->add_flag("-r,--recursive", f->recursive, "Search sub-folders too");
  std::string methods;
  for (const std::string& m : MethodNames()) methods += (methods.empty() ? "" : ", ") + m;
  std::string learned;
  for (const std::string& m : NnMethodExamples()) learned += (learned.empty() ? "" : ", ") + m;
  cmd->add_option("-m,--method", f->method,
                  "Descriptor method: " + methods + "; learned (need a model file): " + learned)
      ->capture_default_str();
  AddThreadsOption(cmd, &f->threads);
  cmd->add_option("--cache", f->cache, "Cache file (default: " + DefaultCachePath() + ")");
  cmd->add_flag("--no-cache", f->no_cache, "Neither read nor write the cache");
  cmd->add_flag("-q,--quiet", f->quiet, "No progress bar");
  cmd->add_flag("--cross-devices", f->cross_devices,
                "With -r, also enter sub-folders on other file systems (mount points, linked "
                "folders); pseudo file systems such as /proc are never entered");
  cmd->add_option("--max-memory", f->max_memory_mb,
                  "MiB that decoding may hold at once on all threads together; a larger image "
                  "is reported, not decoded")
      ->check(WholeNumberIn(64, 1 << 20))
      ->capture_default_str();
}

ScanOptions MakeScanOptions(const ScanFlags& f) {
  ScanOptions o;
  o.inputs = f.inputs;
  o.recursive = f.recursive;
  o.cross_devices = f.cross_devices;
  SetDecodeMemoryBudget(int64_t(f.max_memory_mb) << 20);  // one budget for the process
  o.method = f.method;
  o.threads = f.threads;
  o.use_cache = !f.no_cache;
  o.cache_path = f.cache;
  if (!f.quiet && ::isatty(STDERR_FILENO)) {
    auto bar = std::make_shared<ProgressBar>();
    o.progress = [bar](int64_t done, int64_t total) { bar->Update(done, total); };
  }
  return o;
}

std::string ScanSummary(const ScanResult& scan, double seconds) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%zu images read (%lld decoded, %lld from cache), %zu unreadable, "
                "%lld skipped (not images), %.2f s",
                scan.files.size(), static_cast<long long>(scan.decoded),
                static_cast<long long>(scan.cached), scan.errors.size(),
                static_cast<long long>(scan.skipped_non_images), seconds);
  return buf;
}

}  // namespace neardup::cli
