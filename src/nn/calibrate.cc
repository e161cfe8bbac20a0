// nn.h's CalibrateModel: a model's default threshold measured on a benchmark.
#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include "neardup/eval.h"
#include "neardup/find.h"
#include "neardup/search.h"
#include "nn/model.h"
#include "plugin/nn_plugin_api.h"

namespace neardup {
namespace {

// The all-pairs operating point of `report` at `precision` (one of the two Evaluate measures).
const std::optional<OperatingPoint>& PointAt(const EvalReport& report, double precision) {
  const ProtocolFigures& f = report.figures(EvalProtocol::kAllPairs);
  return precision == kPrecision999 ? f.recall_at_p999 : f.recall_at_p99;
}

}  // namespace

StatusOr<CalibrateSummary> CalibrateModelImpl(const CalibrateOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  if (o.precision != kPrecision99 && o.precision != kPrecision999) {
    return InvalidArgumentError("calibration precision must be 0.99 or 0.999");
  }
  if (o.k < 1) return InvalidArgumentError("calibration needs k >= 1 neighbours");
  ASSIGN_OR_RETURN(Benchmark bench, LoadBenchmark(o.bench));
  ASSIGN_OR_RETURN(nn::NearDupNet net, nn::LoadModel(o.model));
  const nn::ModelConfig& c = net->config();
  const std::string spec = (c.stn ? "stn-cnn:" : "cnn:") + c.backbone;
  NnMethodOptions mo;
  mo.model_path = o.model;
  ASSIGN_OR_RETURN(std::unique_ptr<Method> method, MakeNnMethodImpl(spec, mo));

  // Described as `find` describes them: decoded by Scan, one network call per batch.
  ScanOptions so;
  so.inputs = {bench.images_dir()};
  so.recursive = true;
  so.method = spec;
  so.threads = o.threads;
  so.use_cache = false;
  ASSIGN_OR_RETURN(ScanResult scan, Scan(so, *method));
  std::vector<int32_t> ids;
  std::vector<float> vectors;
  for (const ScannedFile& f : scan.files) {
    const int32_t id = bench.MapPath(f.path);
    if (id < 0 || f.descriptor.values.size() != size_t(method->dims())) continue;
    ids.push_back(id);
    vectors.insert(vectors.end(), f.descriptor.values.begin(), f.descriptor.values.end());
  }
  if (ids.size() < 2) {
    return NotFoundError(o.bench + ": fewer than 2 of its images could be described");
  }
  const VectorSet set{vectors.data(), int64_t(ids.size()), method->dims()};
  const int threads = o.threads > 0 ? o.threads : int(std::thread::hardware_concurrency());
  const std::vector<std::vector<Neighbor>> knn = CosineSelfKnn(set, o.k, threads);
  PairsInput input;
  for (size_t i = 0; i < knn.size(); ++i) {
    for (const Neighbor& n : knn[i]) {
      input.pairs.push_back({ids[i], ids[size_t(n.id)], method->Score(n.distance)});
    }
  }
  input.lines = int64_t(input.pairs.size());
  const EvalReport report = Evaluate(bench, std::move(input));
  const std::optional<OperatingPoint>& point = PointAt(report, o.precision);
  if (report.no_positives || !point) {
    return InvalidArgumentError(o.bench + ": no threshold of " + o.model +
                                " reaches the precision asked for");
  }
  const double min_cosine = std::clamp(1 - method->DistanceForScore(point->threshold), -1.0, 1.0);
  net->set_min_cosine(min_cosine);
  RETURN_IF_ERROR(nn::SaveModel(net, o.out));

  CalibrateSummary s;
  s.images = int(ids.size());
  s.failed = int(scan.errors.size());
  s.min_cosine = min_cosine;
  s.precision = point->precision;
  s.recall = point->recall;
  s.micro_ap = report.figures(EvalProtocol::kAllPairs).micro_ap;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return s;
}

}  // namespace neardup
