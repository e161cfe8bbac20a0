// The server's routes that decode pictures: files and thumbnails of the scanned roots, the
// evidence and picture of a pair, and with --index the copy-detection query and upload.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>

#include "json_out.h"
#include "neardup/decode.h"
#include "neardup/explain.h"
#include "neardup/nn.h"
#include "neardup/preprocess.h"
#include "neardup/registry.h"
#include "neardup/text.h"
#include "neardup/verify.h"
#include "serve_http.h"
#include "serve_server.h"

namespace neardup::cli {
namespace fs = std::filesystem;
namespace {

const char* BrowserType(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".png") return "image/png";
  if (ext == ".gif") return "image/gif";
  if (ext == ".webp") return "image/webp";
  if (ext == ".bmp") return "image/bmp";
  return nullptr;  // TIFF, HEIC, ...: sent as a JPEG made here
}

std::string ThumbsDir(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  const std::string base = xdg && *xdg ? xdg : std::string(home ? home : "/tmp") + "/.cache";
  return base + "/neardup/thumbs";
}

// Writes `bytes` to `path` through a temporary file and a rename (readers never see half).
void WriteAtomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid()) + "-" +
                          std::to_string(std::hash<std::thread::id>()(std::this_thread::get_id()));
  if (FILE* f = std::fopen(tmp.c_str(), "wb")) {
    const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    if (std::fclose(f) == 0 && ok) {
      std::error_code ec;
      fs::rename(tmp, path, ec);
      if (!ec) return;
    }
  }
  std::error_code ec;
  fs::remove(tmp, ec);
}

// 16 hex digits of a hash of `s` (names of cached thumbnails and uploads).
std::string HashName(const std::string& s) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016zx", std::hash<std::string>()(s));
  return buf;
}

nlohmann::ordered_json Points(const std::vector<std::pair<Point2, Point2>>& pairs, size_t most) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  const size_t step = pairs.size() > most ? pairs.size() / most + 1 : 1;
  for (size_t i = 0; i < pairs.size(); i += step) {
    const auto& [a, b] = pairs[i];
    out.push_back({std::round(a.x * 10) / 10, std::round(a.y * 10) / 10, std::round(b.x * 10) / 10,
                   std::round(b.y * 10) / 10});
  }
  return out;
}

// The methods a pair view runs: the default, and an installed STN method (its aligned views are
// shown): the one with the default's backbone ("fused:cnn:X" -> "stn-cnn:X") when there is one,
// else the first.
std::vector<std::string> PairMethods() {
  const std::string def = DefaultMethod();
  std::vector<std::string> methods = {def};
  std::string stn;
  for (const std::string& m : InstalledNnMethods()) {
    if (m.rfind("stn-cnn:", 0) != 0) continue;
    const std::string backbone = m.substr(std::string("stn-cnn:").size());
    if (stn.empty() || def.ends_with(":" + backbone)) stn = m;
  }
  if (!stn.empty()) methods.push_back(stn);
  return methods;
}

}  // namespace

void Server::RegisterMediaRoutes() {
  // GET /v1/image?path=P[&size=N]: the file (or a JPEG of it when browsers cannot show its
  // format); with size, a thumbnail whose longer side is N, cached on disk.
  Route("GET", "/v1/image", "image", false, [this](const auto& req, auto& res) {
    std::optional<std::string> path = ServablePath(req.get_param_value("path"));
    if (!path) return JsonError(res, 404, "not a file of this server's scan");
    const int64_t size = QueryInt(req, "size", 0, 16, 2048);
    if (size < 0) return JsonError(res, 400, "size: a whole number in 16..2048");
    std::error_code ec;
    const int64_t bytes = int64_t(fs::file_size(*path, ec));
    const auto mtime = fs::last_write_time(*path, ec).time_since_epoch().count();
    const std::string key = HashName(*path + "|" + std::to_string(bytes) + "|" +
                                     std::to_string(mtime) + "|" + std::to_string(size));
    const std::string thumb = ThumbsDir(flags_.thumbs_dir) + "/" + key + ".jpg";
    std::string data;
    if (size > 0 && ReadFileBytes(thumb, &data).ok()) {
      res.set_header("Cache-Control", "private, max-age=60");
      return res.set_content(data, "image/jpeg");
    }
    const char* type = BrowserType(*path);
    if (size == 0 && type) {
      Status s = ReadFileBytes(*path, &data);
      if (!s.ok()) return JsonError(res, StatusHttpCode(s), s.message());
      return res.set_content(data, type);
    }
    GateSlot slot(heavy_);
    if (!slot.ok()) return JsonError(res, 503, "busy: too many pictures being made; retry");
    DecodeOptions d;
    d.min_side = size > 0 ? int(size) : 0;
    StatusOr<Image> img = DecodeFile(*path, d);
    if (!img.ok()) return JsonError(res, StatusHttpCode(img.status(), true), img.status().message());
    if (size > 0 && std::max(img->width, img->height) > size) {
      const double f = double(size) / std::max(img->width, img->height);
      *img = Resize(*img, std::max(1, int(img->width * f)), std::max(1, int(img->height * f)));
    }
    StatusOr<std::string> jpeg = EncodeImage(*img, ".jpg", 85);
    if (!jpeg.ok()) return JsonError(res, 500, jpeg.status().message());
    if (size > 0) {
      fs::create_directories(ThumbsDir(flags_.thumbs_dir), ec);
      WriteAtomically(thumb, *jpeg);
    }
    res.set_content(*jpeg, "image/jpeg");
  });

  // GET /v1/pair?a=&b=: every verdict, the fused evidence with the inlier lines and matched
  // region (in each file's pixels), and the URL of the explanation picture.
  auto pair = [this](const httplib::Request& req, httplib::Response& res, bool picture) {
    std::optional<std::string> a = ServablePath(req.get_param_value("a"));
    std::optional<std::string> b = ServablePath(req.get_param_value("b"));
    if (!a || !b) return JsonError(res, 404, "a and b must be files of this server's scan");
    GateSlot slot(heavy_);
    if (!slot.ok()) return JsonError(res, 503, "busy: too many pairs being explained; retry");
    StatusOr<Image> ia = DecodeFile(*a, DecodeOptions{});
    StatusOr<Image> ib = DecodeFile(*b, DecodeOptions{});
    if (!ia.ok() || !ib.ok()) {
      const Status& s = (ia.ok() ? ib : ia).status();
      return JsonError(res, StatusHttpCode(s, true), s.message());
    }
    ExplainOptions o;
    o.methods = PairMethods();
    StatusOr<Explanation> e = ExplainPair(*ia, *ib, o);
    if (!e.ok()) return JsonError(res, StatusHttpCode(e.status(), true), e.status().message());
    // The fused method skips verification when the hash alone is conclusive; a person looking at
    // the pair wants the proof and the place, so it is run here then.
    bool verified_here = false;
    if (e->fused && !e->fused->verified) {
      StatusOr<LocalFeatures> fa = ExtractFeatures(*ia);
      StatusOr<LocalFeatures> fb = ExtractFeatures(*ib);
      if (fa.ok() && fb.ok()) {
        e->fused->verification = VerifyPair(*fa, *fb);
        e->fused->verified = verified_here = true;
      }
    }
    if (picture) {
      const Image pic = RenderExplanation(*ia, *ib, *e, fs::path(*a).filename().string(),
                                          fs::path(*b).filename().string());
      StatusOr<std::string> png = EncodeImage(pic, ".png");
      if (!png.ok()) return JsonError(res, 500, png.status().message());
      return res.set_content(*png, "image/png");
    }
    nlohmann::ordered_json out;
    SetJsonPath(out, *a, "a");
    SetJsonPath(out, *b, "b");
    out["size_a"] = {ia->width, ia->height};
    out["size_b"] = {ib->width, ib->height};
    nlohmann::ordered_json verdicts = nlohmann::ordered_json::array();
    for (const MethodVerdict& v : e->verdicts) {
      verdicts.push_back({{"method", v.method}, {"value", v.value}, {"unit", v.unit},
                          {"threshold", v.threshold}, {"score", v.score}, {"match", v.match},
                          {"text", FormatVerdict(v)}});
    }
    out["verdicts"] = std::move(verdicts);
    if (e->fused) {
      out["verified_for_this_view"] = verified_here;
      out["evidence"] = EvidenceJson(*e->fused);
      out["inliers"] = Points(e->fused->verification.inlier_pairs, 200);
      out["evidence_text"] = FormatEvidence(*e->fused);
    }
    nlohmann::ordered_json aligned = nlohmann::ordered_json::array();
    for (const AlignedPair& p : e->aligned) aligned.push_back(p.method);
    out["aligned_by"] = std::move(aligned);  // drawn in the picture
    out["notes"] = e->notes;
    out["picture"] = "/v1/pair.png?a=" + httplib::detail::encode_query_param(*a) +
                     "&b=" + httplib::detail::encode_query_param(*b);
    JsonReply(res, 200, out);
  };
  Route("GET", "/v1/pair", "pair", false,
        [pair](const auto& req, auto& res) { pair(req, res, false); });
  Route("GET", "/v1/pair.png", "pair_png", false,
        [pair](const auto& req, auto& res) { pair(req, res, true); });

  if (!index_) return;
  // POST /v1/query[?k=10&verify=1&orientations=0&regions=0]: body = the image file's bytes. Its
  // k nearest references with scores, whether each passes the method's threshold, and for the
  // best `verify` matches the local-feature verification (inliers, matched region).
  // orientations=1 also queries the upload turned and mirrored, regions=1 with the pictures
  // found inside it (QueryOptions).
  Route("POST", "/v1/query", "query", false, [this](const auto& req, auto& res) {
    const int64_t k = QueryInt(req, "k", 10, 1, 1000);
    const int64_t verify = QueryInt(req, "verify", 1, 0, 10);
    const int64_t orientations = QueryInt(req, "orientations", 0, 0, 1);
    const int64_t regions = QueryInt(req, "regions", 0, 0, 1);
    if (k < 0 || verify < 0 || orientations < 0 || regions < 0) {
      return JsonError(res, 400, "k in 1..1000, verify in 0..10, orientations and regions 0 or 1");
    }
    if (req.body.empty()) return JsonError(res, 400, "body: the image file's bytes, not empty");
    GateSlot slot(heavy_);
    if (!slot.ok()) return JsonError(res, 503, "busy: too many images being described; retry");
    const Method& method = index_->method();
    DecodeOptions d;
    d.max_pixels = flags_.max_pixels;
    d.min_side = method.min_decode_side();
    StatusOr<Image> img = DecodeImage(req.body, d, nullptr, "upload");
    if (!img.ok()) return JsonError(res, StatusHttpCode(img.status(), true), img.status().message());
    // Described outside the index lock: only the search is serialised.
    StatusOr<Descriptor> desc = method.Compute(*img);
    if (!desc.ok()) return JsonError(res, 422, desc.status().message());
    QueryOptions options;
    options.k = int(k);
    options.orientations = orientations == 1;
    options.regions = regions == 1;
    options.threads = 1;
    auto query = DescribeOtherViews(method, {&*img}, options);
    if (!query.ok()) return JsonError(res, 422, query.status().message());
    (*query)[0].upright = std::move(desc).value();
    ++described_;
    StatusOr<std::vector<std::vector<IndexHit>>> hits = IOError("not run");
    {
      std::lock_guard<std::mutex> lock(index_mu_);
      hits = QueryDescribed(*index_, *query, options);
    }
    if (!hits.ok()) return JsonError(res, 500, hits.status().message());
    std::optional<LocalFeatures> query_features;
    nlohmann::ordered_json matches = nlohmann::ordered_json::array();
    int verified = 0;
    for (const IndexHit& h : (*hits)[0]) {
      nlohmann::ordered_json j;
      SetJsonPath(j, h.path);
      j["score"] = h.score;
      j["distance"] = h.distance;
      j["match"] = IsMatch(method, h.distance, method.default_threshold());
      if (!h.view.upright()) j["view"] = QueryViewJson(h.view, img->width, img->height);
      if (j["match"].get<bool>() && verified < verify && h.path.size() && h.path[0] == '/') {
        ++verified;
        if (!query_features) {
          DecodeOptions full;
          full.max_pixels = flags_.max_pixels;
          StatusOr<Image> q = DecodeImage(req.body, full, nullptr, "upload");
          StatusOr<LocalFeatures> f = q.ok() ? ExtractFeatures(*q) : q.status();
          if (f.ok()) query_features = std::move(*f);
        }
        StatusOr<Image> ref = DecodeFile(h.path, DecodeOptions{});
        StatusOr<LocalFeatures> rf = ref.ok() ? ExtractFeatures(*ref) : ref.status();
        if (query_features && rf.ok()) {
          Verification v = VerifyPair(*query_features, *rf);
          PairEvidence e;
          e.verified = true;
          e.verification = v;
          nlohmann::ordered_json ev = EvidenceJson(e);
          j["verification"] = ev["verification"];
        } else if (!rf.ok()) {
          j["verification_error"] = rf.status().message();
        }
      }
      matches.push_back(std::move(j));
    }
    JsonReply(res, 200,
              {{"method", method.name()}, {"threshold", method.default_threshold()},
               {"matches", std::move(matches)}});
  });
  // POST /v1/images: body = an image file's bytes, kept under DB/uploads/ (named by a hash of its
  // bytes, so the same upload twice is one file) and added to the index.
  Route("POST", "/v1/images", "add_image", true, [this](const auto& req, auto& res) {
    if (req.body.empty()) return JsonError(res, 400, "body: the image file's bytes, not empty");
    GateSlot slot(heavy_);
    if (!slot.ok()) return JsonError(res, 503, "busy: too many images being described; retry");
    DecodeOptions d;
    d.max_pixels = flags_.max_pixels;
    ImageInfo info;
    StatusOr<Image> img = DecodeImage(req.body, d, &info, "upload");
    if (!img.ok()) return JsonError(res, StatusHttpCode(img.status(), true), img.status().message());
    const std::string dir = flags_.index + "/uploads";
    std::error_code ec;
    fs::create_directories(dir, ec);
    const std::string name = HashName(req.body) + "-" + std::to_string(req.body.size()) + "." +
                             (*info.format ? info.format : "img");
    const std::string path = fs::absolute(fs::path(dir) / name).lexically_normal().string();
    if (!fs::exists(path, ec)) WriteAtomically(path, req.body);
    ScanOptions o;
    o.inputs = {path};
    StatusOr<IndexAddResult> added = IOError("not run");
    {
      std::lock_guard<std::mutex> lock(index_mu_);
      added = index_->Add(o);
    }
    if (!added.ok()) return JsonError(res, 500, added.status().message());
    if (!added->errors.empty()) {
      return JsonError(res, 422, added->errors[0].status.message());
    }
    described_ += added->added;
    nlohmann::ordered_json out;
    SetJsonPath(out, path);
    out["added"] = added->added;
    out["unchanged"] = added->unchanged;
    JsonReply(res, 200, out);
  });
}

}  // namespace neardup::cli
