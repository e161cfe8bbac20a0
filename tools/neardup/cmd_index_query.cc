// `neardup index query DB IMAGE...` (copy detection: the nearest indexed images of each upload)
// and `neardup index dups DB` (every near-duplicate pair inside the index).
#include <cstdio>

#include "cmd_index.h"
#include "display.h"
#include "flags.h"
#include "json_out.h"
#include "neardup/text.h"
#include "scan_flags.h"
#include "scan_report.h"

namespace neardup::cli {
namespace {

// efSearch or nprobe beyond this searches (nearly) everything anyway, only slower.
constexpr int kMaxEffort = 65536;

// False, having said why on stderr, when a given threshold is outside the index method's range.
// The threshold given (checked against the method) or the method's default; nullopt after
// printing why the given one is refused.
std::optional<double> ThresholdOf(const Method& m, const std::optional<double>& threshold) {
  if (threshold) {
    if (Status s = CheckThreshold(m, *threshold); !s.ok()) {
      std::fprintf(stderr, "neardup: %s\n", DisplayText(s.message()).c_str());
      return std::nullopt;
    }
  }
  return m.ResolveThreshold(threshold).value();
}

struct QueryFlags {
  std::string dir;
  ScanFlags scan;
  int k = 10;
  std::optional<double> threshold;  // empty: the method's default
  bool matches_only = false;
  bool json = false;
  int effort = 0;
  bool orientations = false;
  bool regions = false;
};

// The hits of the described files with their other views (--orientations, --regions): Scan
// described them upright; the other views are described here.
StatusOr<std::vector<std::vector<IndexHit>>> QueryWithViews(ImageIndex& index,
                                                            const ScanResult& scan,
                                                            const QueryFlags& f) {
  std::vector<std::string> paths;
  for (const ScannedFile& file : scan.files) paths.push_back(file.path);
  QueryOptions options;
  options.k = f.k;
  options.orientations = f.orientations;
  options.regions = f.regions;
  options.threads = f.scan.threads;
  ASSIGN_OR_RETURN(std::vector<QueryDescriptors> queries,
                   DescribeOtherViewsOfFiles(index.method(), paths, options));
  for (size_t i = 0; i < queries.size(); ++i) queries[i].upright = scan.files[i].descriptor;
  return QueryDescribed(index, queries, options);
}

void PrintHitsJson(const ScanResult& scan, const std::vector<std::vector<IndexHit>>& hits,
                   const Method& m, double threshold, bool matches_only) {
  nlohmann::ordered_json out;
  out["method"] = m.name();
  out["threshold"] = threshold;
  out["threshold_unit"] = m.threshold_range().unit_key;
  nlohmann::ordered_json queries = nlohmann::ordered_json::array();
  for (size_t i = 0; i < hits.size(); ++i) {
    nlohmann::ordered_json q;
    SetJsonPath(q, scan.files[i].path, "query");
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const IndexHit& h : hits[i]) {
      bool match = IsMatch(m, h.distance, threshold);
      if (matches_only && !match) continue;
      nlohmann::ordered_json j;
      SetJsonPath(j, h.path);
      j["id"] = h.id;
      j["distance"] = h.distance;
      j["score"] = h.score;
      j["match"] = match;
      const FileFacts& facts = scan.files[i].facts;
      if (!h.view.upright()) j["view"] = QueryViewJson(h.view, facts.width, facts.height);
      list.push_back(std::move(j));
    }
    q["hits"] = std::move(list);
    queries.push_back(std::move(q));
  }
  out["queries"] = std::move(queries);
  nlohmann::ordered_json errors = nlohmann::ordered_json::array();
  for (const InputError& e : scan.errors) {
    nlohmann::ordered_json je;
    SetJsonPath(je, e.path);
    je["error"] = e.status.message();
    errors.push_back(std::move(je));
  }
  out["errors"] = std::move(errors);
  std::printf("%s\n", DumpJson(out).c_str());
}

void PrintHitsTable(const ScanResult& scan, const std::vector<std::vector<IndexHit>>& hits,
                    const Method& m, double threshold, bool matches_only) {
  const bool integral = m.threshold_range().decimals == 0;  // bits: with the score beside them
  for (size_t i = 0; i < hits.size(); ++i) {
    std::printf("%s\n", DisplayPath(scan.files[i].path).c_str());
    int rank = 0, shown = 0;
    for (const IndexHit& h : hits[i]) {
      ++rank;
      bool match = IsMatch(m, h.distance, threshold);
      if (matches_only && !match) continue;
      ++shown;
      const FileFacts& facts = scan.files[i].facts;
      std::string view = QueryViewText(h.view, facts.width, facts.height);
      if (!view.empty()) view = "  (" + view + ")";
      if (integral) {
        std::printf("  %3d  %3.0f bits  %5.1f%%  %-5s  %s%s\n", rank, h.distance, 100 * h.score,
                    match ? "MATCH" : "", DisplayPath(h.path).c_str(), view.c_str());
      } else {
        std::printf("  %3d  cos %.4f  %-5s  %s%s\n", rank, m.InThresholdUnit(h.distance),
                    match ? "MATCH" : "", DisplayPath(h.path).c_str(), view.c_str());
      }
    }
    if (shown == 0) std::printf("  (no %s)\n", matches_only ? "match" : "indexed image");
  }
}

int RunQuery(const QueryFlags& f) {
  std::unique_ptr<ImageIndex> index = OpenIndexOrReport(f.dir);
  if (!index) return kExitUsage;
  if (f.effort > 0) index->SetEffort(f.effort);
  const Method& m = index->method();
  const std::optional<double> threshold = ThresholdOf(m, f.threshold);
  if (!threshold) return kExitUsage;
  ScanFlags scan = f.scan;
  scan.method = m.name();
  StatusOr<ScanResult> described = Scan(MakeScanOptions(scan), m);
  if (!described.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(described.status().message()).c_str());
    return kExitUsage;
  }
  PrintProblems(*described);
  std::vector<Descriptor> queries;
  for (const ScannedFile& file : described->files) queries.push_back(file.descriptor);
  auto hits = f.orientations || f.regions ? QueryWithViews(*index, *described, f)
                                           : index->Query(queries, f.k);
  if (!hits.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(hits.status().message()).c_str());
    return kExitUsage;
  }
  if (f.json) {
    PrintHitsJson(*described, *hits, m, *threshold, f.matches_only);
  } else {
    PrintHitsTable(*described, *hits, m, *threshold, f.matches_only);
  }
  return described->errors.empty() ? kExitOk : kExitSomeFailed;
}

struct DupsFlags {
  std::string dir;
  std::optional<double> threshold;  // empty: the method's default
  int threads = 0;
};

int RunDups(const DupsFlags& f) {
  std::unique_ptr<ImageIndex> index = OpenIndexOrReport(f.dir);
  if (!index) return kExitUsage;
  const Method& m = index->method();
  const std::optional<double> threshold = ThresholdOf(m, f.threshold);
  if (!threshold) return kExitUsage;
  auto pairs = index->Dups(*threshold, f.threads);
  if (!pairs.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(pairs.status().message()).c_str());
    return kExitUsage;
  }
  // The "score" column is in the threshold's unit: bits for hashes, the cosine for vectors.
  const int decimals = m.threshold_range().decimals;
  std::printf("a,b,score\n");
  for (const IndexPair& p : *pairs) {
    std::printf("%s,%s,%.*f\n", CsvField(p.a).c_str(), CsvField(p.b).c_str(), decimals,
                m.InThresholdUnit(p.distance));
  }
  return kExitOk;
}

}  // namespace

void AddIndexSearchCommands(CLI::App* index, std::vector<Command>* out) {
  auto query = std::make_shared<QueryFlags>();
  CLI::App* q = index->add_subcommand("query", "The nearest indexed images of each image");
  q->add_option("dir", query->dir, "Index folder")->required();
  q->add_option("inputs", query->scan.inputs, "Query images and folders")->required();
  q->add_flag("-r,--recursive", query->scan.recursive, "Descend into sub-folders");
  q->add_option("-k,--k", query->k, "Neighbours per query")
      ->check(WholeNumberIn(1, kMaxNeighbors))
      ->capture_default_str();
  AddOptionalNumber(q, "-t,--threshold", &query->threshold,
                    "Match threshold in the method's unit (bits for hashes: 0..256 for pdq and "
                    "pdq8, 0..64 for the 64-bit ones; cosine in 0..1 for embeddings); default: "
                    "the method's");
  q->add_flag("--matches", query->matches_only, "Only list neighbours within the threshold");
  q->add_flag("--orientations", query->orientations,
              "Also query each image turned by 90, 180 and 270 degrees and mirrored (8 "
              "orientations, each indexed image at its best): finds sideways and mirrored copies "
              "with learned methods (pdq8 holds the 8 already); 8x the describing");
  q->add_flag("--regions", query->regions,
              "Also query with the pictures found inside each image (a photo pasted into a "
              "screenshot, a page or a slide; up to 2 per image): finds references shown as a "
              "small part of a larger frame");
  q->add_flag("--json", query->json, "JSON output");
  q->add_option("--effort", query->effort,
                "Search effort of approximate indexes (efSearch of HNSW, nprobe of IVF; 0 = the "
                "index's own)")
      ->check(WholeNumberIn(0, kMaxEffort));
  AddThreadsOption(q, &query->scan.threads, "Threads (0 = all cores)");
  q->add_option("--cache", query->scan.cache, "Descriptor cache of the query images");
  q->add_flag("--no-cache", query->scan.no_cache, "Do not cache the query images' descriptors");
  query->scan.quiet = true;
  out->push_back({q, [query] { return RunQuery(*query); }});

  auto dups = std::make_shared<DupsFlags>();
  CLI::App* d = index->add_subcommand(
      "dups", "Every near-duplicate pair in the index, as CSV lines a,b,score");
  d->add_option("dir", dups->dir, "Index folder")->required();
  AddOptionalNumber(d, "-t,--threshold", &dups->threshold,
                    "Bits (hashes: distance <= T, 0..256 for pdq and pdq8, 0..64 for the 64-bit "
                    "ones) or cosine (embeddings: similarity >= T, 0..1); score is printed in the "
                    "same unit. Default: the method's");
  AddThreadsOption(d, &dups->threads, "Threads (0 = all cores)");
  out->push_back({d, [dups] { return RunDups(*dups); }, /*distributed=*/true});
}

}  // namespace neardup::cli
