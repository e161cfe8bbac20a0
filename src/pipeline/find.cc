// Find and Pairs (find.h): scan, search the way the method declares (src/method/search.h), group.
#include "neardup/find.h"

#include <algorithm>

#include "dist/distributed.h"
#include "method/search.h"
#include "pipeline/distributed_scan.h"
#include "pipeline/local_spill.h"
#include "pipeline/scan.h"

namespace neardup {
namespace {

std::vector<const Descriptor*> DescriptorsOf(const std::vector<ScannedFile>& files) {
  std::vector<const Descriptor*> items;
  items.reserve(files.size());
  for (const ScannedFile& f : files) items.push_back(&f.descriptor);
  return items;
}

// A pair-pipeline method's local features leave memory during the scan (local_spill.h); null
// (features kept) for other methods, a cluster, or when no temporary file can be made (said in
// `warnings`).
std::unique_ptr<LocalSpill> MakeSpill(const Method& method, const ClusterInfo& cluster,
                                      std::vector<std::string>* warnings) {
  if (method.pipeline() == nullptr || cluster.size > 1) return nullptr;
  StatusOr<std::unique_ptr<LocalSpill>> spill = LocalSpill::Create();
  if (!spill.ok()) {
    warnings->push_back("local features kept in memory: " + spill.status().message());
    return nullptr;
  }
  return std::move(spill).value();
}

// Item i's descriptor with its local features (read back from the spill when they were moved).
Descriptor Whole(const std::vector<ScannedFile>& files, const LocalSpill* spill, int64_t i) {
  Descriptor d = files[i].descriptor;
  if (d.local.empty() && spill) {
    if (StatusOr<std::vector<uint8_t>> local = spill->Load(i); local.ok()) d.local = *local;
  }
  return d;
}

// Local features were taken on the decoded image, which the decoder may have reduced: report the
// verified geometry in the pixels of the files.
void ScaleEvidenceToFiles(const std::vector<ScannedFile>& files, const LocalSpill* spill,
                          std::vector<PairEvidence>* evidence) {
  auto scale = [&](int64_t i, double* sx, double* sy) {
    const Descriptor d = Whole(files, spill, i);
    int w = 0, h = 0;
    *sx = *sy = 1;
    if (FeaturesImageSize(d.local.data(), d.local.size(), &w, &h) && w > 0 && h > 0 &&
        files[i].facts.width > 0 && files[i].facts.height > 0) {
      *sx = double(files[i].facts.width) / w;
      *sy = double(files[i].facts.height) / h;
    }
  };
  for (PairEvidence& e : *evidence) {
    if (!e.verified) continue;
    double ax, ay, bx, by;
    scale(e.a, &ax, &ay);
    scale(e.b, &bx, &by);
    if (ax != 1 || ay != 1 || bx != 1 || by != 1) {
      ScaleVerification(&e.verification, ax, ay, bx, by);
    }
  }
}

// Writes what the join added to the cache (pair evidence); a failure costs only speed next time.
void SaveCache(DescriptorCache* cache, std::vector<std::string>* warnings) {
  if (cache == nullptr) return;
  if (Status s = cache->Flush(); !s.ok()) {
    // One failing cache file is one warning: the scan flushed the same file first and has
    // usually reported this very failure (scan.cc: "cache not saved: ...").
    const std::string& why = s.message();
    if (std::find(warnings->begin(), warnings->end(), "cache not saved: " + why) ==
        warnings->end()) {
      warnings->push_back("pair evidence not saved: " + why);
    }
  }
  for (std::string& w : cache->TakeWarnings()) warnings->push_back(std::move(w));
}

bool PairLess(const ScoredPair& x, const ScoredPair& y) {
  return x.a != y.a ? x.a < y.a : x.b < y.b;
}

}  // namespace

StatusOr<FindResult> Find(const FindOptions& options) {
  FindResult out;
  out.method = options.method;
  if (!out.method) {
    ASSIGN_OR_RETURN(out.method, MakeMethod(options.scan.method));
  }
  const Method& method = *out.method;
  ASSIGN_OR_RETURN(out.threshold, method.ResolveThreshold(options.threshold));
  // Under mpirun every process describes a slice of the files and joins a share of the pairs;
  // all of them end with the whole result (include/neardup/cluster.h).
  const ClusterInfo cluster = CurrentCluster();
  // One cache for the descriptors and the evidence of scored pairs (so a re-run verifies
  // nothing again).
  std::vector<std::string> cache_warnings;
  std::unique_ptr<DescriptorCache> cache = OpenScanCache(options.scan, method, &cache_warnings);
  ScanOptions scan_options = options.scan;
  if (!cache) scan_options.use_cache = false;  // off, or it could not be opened (said once)
  std::unique_ptr<LocalSpill> spill = MakeSpill(method, cluster, &cache_warnings);
  ASSIGN_OR_RETURN(out.scan, dist::ScanAll(scan_options, method, cluster, cache.get(), spill.get()));
  out.scan.warnings.insert(out.scan.warnings.begin(), cache_warnings.begin(), cache_warnings.end());
  const ScanResult& scan = out.scan;
  const std::vector<const Descriptor*> items = DescriptorsOf(scan.files);

  JoinOptions join;
  join.threshold = out.threshold;
  join.threads = options.scan.threads;
  join.shard = {cluster.rank, cluster.size};
  join.min_quality = options.min_quality;
  join.low_quality_max_bits = kLowQualityMaxBits;
  join.cache = cache.get();
  join.local = spill.get();
  ASSIGN_OR_RETURN(JoinResult joined, SelfJoin(method, items, join));
  SaveCache(cache.get(), &out.scan.warnings);
  out.pairs = std::move(joined.pairs);
  out.evidence = std::move(joined.evidence);
  if (joined.sharded) {
    ASSIGN_OR_RETURN(out.pairs, dist::GatherPairs(std::move(out.pairs)));
  }
  ScaleEvidenceToFiles(scan.files, spill.get(), &out.evidence);

  std::vector<FileFacts> facts;
  facts.reserve(scan.files.size());
  for (const ScannedFile& f : scan.files) facts.push_back(f.facts);
  Status failed;
  out.groups = GroupPairs(
      int64_t(scan.files.size()), out.pairs, options.mode, facts, [&](int64_t a, int64_t b) {
        // A scored pair's score as found; others (members joined through a third) compared.
        const ScoredPair key{std::min(a, b), std::max(a, b), 0};
        auto it = std::lower_bound(out.pairs.begin(), out.pairs.end(), key, PairLess);
        if (it != out.pairs.end() && it->a == key.a && it->b == key.b) {
          return method.Score(it->distance);
        }
        StatusOr<double> d =
            spill ? method.Distance(Whole(scan.files, spill.get(), a), Whole(scan.files, spill.get(), b))
                  : method.Distance(*items[a], *items[b]);
        if (!d.ok()) {
          if (failed.ok()) failed = d.status();
          return 0.0;
        }
        return method.Score(*d);
      });
  RETURN_IF_ERROR(failed);
  return out;
}

StatusOr<PairsResult> Pairs(const ScanOptions& options, int k) {
  if (k < 1) return InvalidArgumentError("k must be >= 1");
  ASSIGN_OR_RETURN(std::unique_ptr<Method> made, MakeMethod(options.method));
  PairsResult out;
  out.method = std::move(made);
  std::vector<std::string> cache_warnings;
  std::unique_ptr<DescriptorCache> cache = OpenScanCache(options, *out.method, &cache_warnings);
  ScanOptions scan_options = options;
  if (!cache) scan_options.use_cache = false;
  std::unique_ptr<LocalSpill> spill = MakeSpill(*out.method, ClusterInfo{}, &cache_warnings);
  ASSIGN_OR_RETURN(out.scan, ScanWith(scan_options, *out.method,
                                      ScanPlumbing{cache.get(), 0, 1, spill.get()}));
  out.scan.warnings.insert(out.scan.warnings.begin(), cache_warnings.begin(), cache_warnings.end());
  ASSIGN_OR_RETURN(out.neighbors, SelfKnn(*out.method, DescriptorsOf(out.scan.files), k,
                                          options.threads, cache.get(), spill.get()));
  SaveCache(cache.get(), &out.scan.warnings);
  return out;
}

}  // namespace neardup
