// RunBenchmark(): describe, search and evaluate each method on a benchmark folder, pairs and
// groups.
#include "neardup/bench_run.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <limits>
#include <map>
#include <memory>
#include <set>

#include "core/parallel.h"
#include "method/search.h"
#include "neardup/decode.h"
#include "neardup/descriptor.h"
#include "neardup/find.h"
#include "neardup/group.h"
#include "neardup/registry.h"

namespace neardup {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

uint64_t PairKey(int32_t a, int32_t b) {
  return (uint64_t(uint32_t(std::min(a, b))) << 32) | uint32_t(std::max(a, b));
}

// Every positive pair of the truth, the original (or lower id) first.
std::vector<PairExample> AllPositives(const Benchmark& bench) {
  std::map<std::string, std::vector<int32_t>> groups;
  const auto& images = bench.images();
  for (size_t i = 0; i < images.size(); ++i) {
    if (!images[i].group.empty()) groups[images[i].group].push_back(int32_t(i));
  }
  std::vector<PairExample> out;
  std::string family;
  for (const auto& [name, ids] : groups) {
    for (size_t i = 0; i < ids.size(); ++i) {
      for (size_t j = i + 1; j < ids.size(); ++j) {
        if (ClassifyPair(bench, ids[i], ids[j], &family) != PairKind::kPositive) continue;
        PairExample p;
        p.a = ids[i];
        p.b = ids[j];
        if (images[p.a].role == BenchRole::kCopy) std::swap(p.a, p.b);
        p.family = family;
        out.push_back(std::move(p));
      }
    }
  }
  return out;
}

// Reads every image once so that the first method does not pay for a cold page cache.
void WarmPageCache(const Benchmark& bench, int threads) {
  const auto& images = bench.images();
  ParallelFor(int64_t(images.size()), threads, 16, [&](int64_t begin, int64_t end, int) {
    std::string bytes;
    for (int64_t i = begin; i < end; ++i) {
      (void)ReadFileBytes(bench.images_dir() + "/" + images[i].path, &bytes);
    }
  });
}

// The state shared by the methods of one run.
struct RunContext {
  const BenchRunOptions& options;
  BenchRunResult& result;
  const std::vector<PairExample>& positives;
  std::map<std::string, std::string> errors;  // path -> message, over all methods
  std::set<std::string> unknown;

  void Log(const std::string& line) const {
    if (options.log) options.log(line);
  }
};

// Lowest-scoring positives; positives with an undescribed image are skipped (listed as errors).
std::vector<PairExample> WorstMisses(const RunContext& ctx, const Method& method,
                                     const std::vector<const Descriptor*>& descriptors,
                                     const std::set<uint64_t>& retrieved) {
  std::vector<PairExample> misses;
  for (const PairExample& p : ctx.positives) {
    if (descriptors[p.a] == nullptr || descriptors[p.b] == nullptr) continue;
    PairExample m = p;
    StatusOr<double> distance = method.Distance(*descriptors[p.a], *descriptors[p.b]);
    if (!distance.ok()) {
      ctx.Log(method.name() + ": a positive pair was not compared: " + distance.status().message());
      continue;
    }
    m.distance = *distance;
    m.score = method.Score(m.distance);
    m.retrieved = retrieved.count(PairKey(p.a, p.b)) > 0;
    misses.push_back(std::move(m));
  }
  const size_t n = std::min(misses.size(), size_t(std::max(0, ctx.options.examples)));
  std::partial_sort(misses.begin(), misses.begin() + n, misses.end(),
                    [](const PairExample& x, const PairExample& y) {
                      if (x.score != y.score) return x.score < y.score;
                      return PairKey(x.a, x.b) < PairKey(y.a, y.b);
                    });
  misses.resize(n);
  return misses;
}

// Highest-scoring listed negatives. `listed` holds each unordered pair once (a < b).
std::vector<PairExample> WorstFalsePositives(const RunContext& ctx, const Method& method,
                                             const std::vector<ListedPair>& listed,
                                             const std::vector<double>& distances) {
  std::vector<PairExample> negatives;
  for (size_t i = 0; i < listed.size(); ++i) {
    if (ClassifyPair(ctx.result.benchmark, listed[i].a, listed[i].b, nullptr,
                     ctx.options.protocol) != PairKind::kNegative) {
      continue;
    }
    PairExample e;
    e.a = listed[i].a;
    e.b = listed[i].b;
    e.distance = distances[i];
    e.score = listed[i].score;
    negatives.push_back(std::move(e));
  }
  const size_t n = std::min(negatives.size(), size_t(std::max(0, ctx.options.examples)));
  std::partial_sort(negatives.begin(), negatives.begin() + n, negatives.end(),
                    [](const PairExample& x, const PairExample& y) {
                      if (x.score != y.score) return x.score > y.score;
                      return PairKey(x.a, x.b) < PairKey(y.a, y.b);
                    });
  negatives.resize(n);
  return negatives;
}

bool PairLess(const ScoredPair& x, const ScoredPair& y) {
  return x.a != y.a ? x.a < y.a : x.b < y.b;
}

// The k-NN lists of a run and the pairs that `neardup find` would join.
struct SearchOutput {
  std::vector<std::vector<Neighbor>> neighbors;  // per item, as SelfKnn
  std::vector<ScoredPair> joined;                // as SelfJoin at `threshold`, a < b
  double threshold = 0;                          // the method's default (Find's resolution)
  double knn_seconds = 0;
  double join_seconds = 0;
};

// SelfKnn's lists from every scored candidate pair of a pipeline, as src/method/search.cc builds
// them (1 - score, ascending distance, ties by id, k at most).
std::vector<std::vector<Neighbor>> KnnOfCandidates(const std::vector<ScoredPair>& pairs,
                                                   size_t items, int k) {
  std::vector<std::vector<Neighbor>> out(items);
  for (const ScoredPair& p : pairs) {
    out[p.a].push_back({p.b, p.distance});
    out[p.b].push_back({p.a, p.distance});
  }
  for (auto& list : out) {
    std::sort(list.begin(), list.end(), [](const Neighbor& x, const Neighbor& y) {
      return x.distance != y.distance ? x.distance < y.distance : x.id < y.id;
    });
    if (int(list.size()) > k) list.resize(k);
  }
  return out;
}

// The k-NN search and Find's join (src/pipeline/find.cc: the default threshold and quality
// rule). A pair pipeline scores all its candidates in both SelfKnn and SelfJoin: it is asked once
// (SelfJoin with no threshold) and both are taken from that.
StatusOr<SearchOutput> Search(const RunContext& ctx, const Method& method,
                              const std::vector<const Descriptor*>& items) {
  SearchOutput out;
  const FindOptions find_defaults;
  ASSIGN_OR_RETURN(out.threshold, method.ResolveThreshold(find_defaults.threshold));
  JoinOptions join;
  join.threshold = out.threshold;
  join.threads = ctx.options.threads;
  join.min_quality = find_defaults.min_quality;
  join.low_quality_max_bits = kLowQualityMaxBits;
  if (method.search_kind() == SearchKind::kPairPipeline) {
    const Clock::time_point start = Clock::now();
    JoinOptions every = join;
    every.threshold = -std::numeric_limits<double>::infinity();
    ASSIGN_OR_RETURN(JoinResult scored, SelfJoin(method, items, every));
    out.neighbors = KnnOfCandidates(scored.pairs, items.size(), ctx.options.k);
    for (size_t i = 0; i < scored.pairs.size(); ++i) {
      // SelfJoin's own test: a pipeline's threshold is a minimum score.
      if (scored.evidence[i].score >= out.threshold) out.joined.push_back(scored.pairs[i]);
    }
    std::sort(out.joined.begin(), out.joined.end(), PairLess);  // FindGroups looks pairs up
    out.knn_seconds = SecondsSince(start);
    return out;
  }
  Clock::time_point start = Clock::now();
  ASSIGN_OR_RETURN(out.neighbors, SelfKnn(method, items, ctx.options.k, ctx.options.threads));
  out.knn_seconds = SecondsSince(start);
  start = Clock::now();
  ASSIGN_OR_RETURN(JoinResult joined, SelfJoin(method, items, join));
  out.joined = std::move(joined.pairs);
  out.join_seconds = SecondsSince(start);
  return out;
}

// GroupPairs as Find calls it (the default mode, members joined through a third compared with
// Distance), as benchmark image ids; files that are not benchmark images are left out.
StatusOr<std::vector<std::vector<int32_t>>> FindGroups(const Method& method, const ScanResult& scan,
                                                       const std::vector<const Descriptor*>& items,
                                                       const std::vector<ScoredPair>& pairs,
                                                       const std::vector<int32_t>& file_ids) {
  std::vector<FileFacts> facts;
  facts.reserve(scan.files.size());
  for (const ScannedFile& f : scan.files) facts.push_back(f.facts);
  Status failed;
  const std::vector<Group> groups = GroupPairs(
      int64_t(scan.files.size()), pairs, FindOptions{}.mode, facts, [&](int64_t a, int64_t b) {
        const ScoredPair key{std::min(a, b), std::max(a, b), 0};
        auto it = std::lower_bound(pairs.begin(), pairs.end(), key, PairLess);
        if (it != pairs.end() && it->a == key.a && it->b == key.b) {
          return method.Score(it->distance);
        }
        StatusOr<double> d = method.Distance(*items[a], *items[b]);
        if (!d.ok()) {
          if (failed.ok()) failed = d.status();
          return 0.0;
        }
        return method.Score(*d);
      });
  RETURN_IF_ERROR(failed);
  std::vector<std::vector<int32_t>> out;
  out.reserve(groups.size());
  for (const Group& g : groups) {
    std::vector<int32_t> ids;
    for (const GroupMember& m : g.members) {
      if (file_ids[m.item] >= 0) ids.push_back(file_ids[m.item]);
    }
    out.push_back(std::move(ids));
  }
  return out;
}

StatusOr<MethodRun> RunMethod(RunContext& ctx, const Method& method) {
  const Benchmark& bench = ctx.result.benchmark;
  const auto& images = bench.images();
  MethodRun run;
  run.method = method.name();

  ScanOptions scan_options;
  scan_options.inputs = {bench.images_dir()};
  scan_options.recursive = true;
  scan_options.method = run.method;
  scan_options.threads = ctx.options.threads;
  scan_options.use_cache = false;  // time the real decode + describe
  const Clock::time_point describe_start = Clock::now();
  ASSIGN_OR_RETURN(ScanResult scan, Scan(scan_options, method));
  run.describe_seconds = SecondsSince(describe_start);

  // Files -> image ids; what could not be described.
  std::vector<int32_t> file_ids(scan.files.size());
  std::vector<const Descriptor*> descriptors(images.size(), nullptr);
  std::vector<bool> seen(images.size(), false);
  for (size_t i = 0; i < scan.files.size(); ++i) {
    file_ids[i] = bench.MapPath(scan.files[i].path);
    if (file_ids[i] < 0) {
      ctx.unknown.insert(scan.files[i].path);
      continue;
    }
    descriptors[file_ids[i]] = &scan.files[i].descriptor;
    seen[file_ids[i]] = true;
    ++run.described;
  }
  for (const InputError& e : scan.errors) {
    const int32_t id = bench.MapPath(e.path);
    if (id >= 0) seen[id] = true;
    ++run.failed;
    ctx.errors.emplace(id >= 0 ? images[id].path : e.path, e.status.message());
  }
  for (size_t id = 0; id < images.size(); ++id) {
    if (seen[id]) continue;
    ++run.failed;
    ctx.errors.emplace(images[id].path, "not found under images/ (or not an image extension)");
  }
  run.images_per_second =
      run.describe_seconds > 0 ? double(run.described + run.failed) / run.describe_seconds : 0;

  std::vector<const Descriptor*> items;
  items.reserve(scan.files.size());
  for (const ScannedFile& f : scan.files) items.push_back(&f.descriptor);
  ASSIGN_OR_RETURN(SearchOutput searched, Search(ctx, method, items));
  run.search_seconds = searched.knn_seconds;
  const std::vector<std::vector<Neighbor>>& neighbors = searched.neighbors;

  // The groups of `neardup find`, scored under both protocols.
  const Clock::time_point group_start = Clock::now();
  run.group_threshold = searched.threshold;
  run.matched_pairs = int64_t(searched.joined.size());
  ASSIGN_OR_RETURN(const std::vector<std::vector<int32_t>> groups,
                   FindGroups(method, scan, items, searched.joined, file_ids));
  run.join_seconds = searched.join_seconds + SecondsSince(group_start);
  for (int p = 0; p < kNumEvalProtocols; ++p) {
    run.groups[p] = EvaluateGroups(bench, groups, EvalProtocol(p));
  }

  // Neighbour lists -> scored pairs, each unordered pair once with its best score.
  std::map<uint64_t, double> best_distance;
  PairsInput input;
  for (size_t i = 0; i < neighbors.size(); ++i) {
    if (file_ids[i] < 0) continue;
    for (const Neighbor& n : neighbors[i]) {
      const int32_t other = file_ids[n.id];
      if (other < 0) continue;
      input.pairs.push_back({file_ids[i], other, method.Score(n.distance)});
      auto [it, inserted] = best_distance.emplace(PairKey(file_ids[i], other), n.distance);
      if (!inserted) it->second = std::min(it->second, n.distance);
    }
  }
  input.lines = int64_t(input.pairs.size());
  std::vector<ListedPair> listed;
  std::vector<double> distances;
  std::set<uint64_t> retrieved;
  for (const auto& [key, distance] : best_distance) {
    listed.push_back({int32_t(key >> 32), int32_t(key & 0xffffffffu), method.Score(distance)});
    distances.push_back(distance);
    retrieved.insert(key);
  }
  run.worst_misses = WorstMisses(ctx, method, descriptors, retrieved);
  run.worst_false_positives = WorstFalsePositives(ctx, method, listed, distances);
  EvalOptions eval_options;
  eval_options.protocol = ctx.options.protocol;
  run.report = Evaluate(bench, std::move(input), eval_options);

  char line[300];
  const GroupEvalReport& g = run.groups[int(ctx.options.protocol)];
  std::snprintf(line, sizeof line,
                "%s: %lld images described in %.2f s (%.0f images/s), %lld failed; "
                "search %.3f s; µAP %.4f; %lld groups (P %.4f, R %.4f) in %.3f s",
                run.method.c_str(), (long long)run.described, run.describe_seconds,
                run.images_per_second, (long long)run.failed, run.search_seconds,
                run.report.micro_ap, (long long)g.groups, g.precision, g.recall, run.join_seconds);
  ctx.Log(line);
  return run;
}

}  // namespace

StatusOr<BenchRunResult> RunBenchmark(const BenchRunOptions& options) {
  if (options.k < 1) return InvalidArgumentError("k must be >= 1");
  std::vector<std::unique_ptr<Method>> methods;
  for (const std::string& spec : options.methods.empty() ? MethodNames() : options.methods) {
    ASSIGN_OR_RETURN(std::unique_ptr<Method> m, MakeMethod(spec));
    methods.push_back(std::move(m));
  }
  const std::string date = UtcNow();
  ASSIGN_OR_RETURN(Benchmark loaded, LoadBenchmark(options.bench_dir));
  BenchRunResult result(std::move(loaded));
  result.date = date;
  const Benchmark& bench = result.benchmark;
  if (bench.images().empty()) {
    return InvalidArgumentError(options.bench_dir + "/truth.csv: no images");
  }
  result.bench_dir = options.bench_dir;
  result.k = options.k;
  result.threads = ResolveThreads(options.threads);
  result.protocol = options.protocol;
  for (const BenchImage& img : bench.images()) {
    result.originals += img.role == BenchRole::kOriginal;
    result.copies += img.role == BenchRole::kCopy;
    result.naturals += img.role == BenchRole::kNatural;
    result.distractors += img.role == BenchRole::kDistractor;
  }
  const std::vector<PairExample> positives = AllPositives(bench);
  result.positives = int64_t(positives.size());

  WarmPageCache(bench, options.threads);
  RunContext ctx{options, result, positives, {}, {}};
  for (const std::unique_ptr<Method>& method : methods) {
    ASSIGN_OR_RETURN(MethodRun run, RunMethod(ctx, *method));
    result.methods.push_back(std::move(run));
  }
  for (const FamilyStats& f : result.methods.front().report.families) {
    result.families.push_back(f.family);
  }
  for (auto& [path, message] : ctx.errors) result.errors.push_back({path, message});
  result.unknown_files.assign(ctx.unknown.begin(), ctx.unknown.end());
  return result;
}

}  // namespace neardup
