// `neardup model import --from DIR --out MODEL`: pretrained weights -> a model file;
// `neardup model whiten --model IN --data DIR... --out OUT`: a learned whitening (nn.h);
// `neardup model calibrate --model IN --bench DIR --out OUT`: its default threshold (nn.h).
#include <cstdio>

#include "commands.h"
#include "display.h"
#include "flags.h"
#include "neardup/nn.h"

namespace neardup::cli {
namespace {

constexpr int kMinSize = 32;  // the model's smallest input (nn/model.cc ValidateConfig)
constexpr int kMaxSize = 4096;

int RunImport(const ImportOptions& o) {
  StatusOr<ImportSummary> s = ImportPretrained(o);
  if (!s.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(s.status().message()).c_str());
    return kExitUsage;
  }
  std::printf("%s: mobilenet_v2 up to %s, %d-d descriptor, %lld tensors from %s\n", o.out.c_str(),
              s->cut.c_str(), s->dim, static_cast<long long>(s->tensors), o.from.c_str());
  return kExitOk;
}

struct WhitenFlags {
  WhitenOptions options;
  bool quiet = false;
};

int RunWhiten(WhitenFlags& f) {
  WhitenOptions& o = f.options;
  if (!f.quiet) {
    o.log = [](const std::string& line) { std::fprintf(stderr, "neardup: %s\n", line.c_str()); };
  }
  StatusOr<WhitenSummary> s = WhitenModel(o);
  if (!s.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(s.status().message()).c_str());
    return s.status().code() == StatusCode::kIOError ? kExitSomeFailed : kExitUsage;
  }
  std::printf("%s: whitening of %d images, %d components (%.1f%% of the variance), %.1f s\n",
              o.out.c_str(), s->images, s->dim, 100 * s->explained, s->seconds);
  return kExitOk;
}

int RunCalibrate(const CalibrateOptions& o) {
  StatusOr<CalibrateSummary> s = CalibrateModel(o);
  if (!s.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(s.status().message()).c_str());
    return s.status().code() == StatusCode::kIOError ? kExitSomeFailed : kExitUsage;
  }
  std::printf(
      "%s: default threshold cosine >= %.4f (precision %.4f, recall %.3f on %d images of %s; "
      "micro-AP %.3f of the %d nearest; %d unreadable), %.1f s\n",
      o.out.c_str(), s->min_cosine, s->precision, s->recall, s->images, o.bench.c_str(),
      s->micro_ap, o.k, s->failed, s->seconds);
  return kExitOk;
}

}  // namespace

void AddModelCommand(CLI::App& root, std::vector<Command>* out) {
  CLI::App* model = root.add_subcommand("model", "Make model files for the learned methods");
  model->require_subcommand(1);
  auto o = std::make_shared<ImportOptions>();
  CLI::App* cmd = model->add_subcommand(
      "import",
      "Turn pretrained weights (a TensorFlow.js Keras MobileNetV2 1.0, as "
      "scripts/fetch_pretrained.sh writes the nsfwjs package's) into a cnn:mobilenet_v2 model file");
  cmd->add_option("--from", o->from, "Folder with model.json and its weight shards")->required();
  cmd->add_option("--out", o->out, "Model file to write")->required();
  cmd->add_option("--cut", o->cut,
                  "Keras layer the network ends at (e.g. block_10_depthwise_relu, the default; "
                  "block_N_expand_relu, block_N_depthwise_relu, block_N_out, out_relu)");
  cmd->add_option("--input-size", o->input_size, "Inference resolution stored in the model")
      ->check(WholeNumberIn(kMinSize, kMaxSize))
      ->capture_default_str();
  out->push_back({cmd, [o] { return RunImport(*o); }});

  auto w = std::make_shared<WhitenFlags>();
  CLI::App* wcmd = model->add_subcommand(
      "whiten", "Learn a PCA whitening of a model's pooled features on training images");
  wcmd->add_option("--model", w->options.model, "Model file to start from")->required();
  wcmd->add_option("--data", w->options.data, "Folders of training images (searched recursively)")
      ->required();
  wcmd->add_option("--out", w->options.out, "Model file to write")->required();
  wcmd->add_option("--dim", w->options.dim, "Components kept (0 = all)")
      ->check(WholeNumberIn(0, 65536))
      ->capture_default_str();
  wcmd->add_option("--max-images", w->options.max_images, "Fit on at most this many images")
      ->check(WholeNumberIn(2, INT32_MAX))
      ->capture_default_str();
  wcmd->add_option("--shrink", w->options.shrink,
                   "Added to every eigenvalue, as a fraction of their mean")
      ->check(FiniteIn(0))
      ->capture_default_str();
  wcmd->add_option("--seed", w->options.seed, "Random seed (which images)")
      ->check(WholeNumberIn(0, UINT64_MAX))
      ->capture_default_str();
  wcmd->add_flag("--use-held-out", w->options.use_held_out,
                 "Fit on the held-out split too (by default left out, as by `train`)");
  AddThreadsOption(wcmd, &w->options.threads, "Threads (0 = all cores)");
  wcmd->add_flag("-q,--quiet", w->quiet, "No progress lines");
  out->push_back({wcmd, [w] { return RunWhiten(*w); }});

  auto c = std::make_shared<CalibrateOptions>();
  CLI::App* ccmd = model->add_subcommand(
      "calibrate",
      "Measure a model's default threshold on a benchmark (bench make's layout; use one made from "
      "other pictures than those you report on) and store it in the model file");
  ccmd->add_option("--model", c->model, "Model file to start from")->required();
  ccmd->add_option("--bench", c->bench, "Benchmark folder (images/ and truth.csv)")->required();
  ccmd->add_option("--out", c->out, "Model file to write (may be the --model file)")->required();
  ccmd->add_option("--precision", c->precision,
                   "Precision the threshold must reach on the benchmark: 0.99 or 0.999")
      ->check(CLI::IsMember({0.99, 0.999}))
      ->capture_default_str();
  ccmd->add_option("-k,--k", c->k, "Neighbours per image")
      ->check(WholeNumberIn(1, kMaxNeighbors))
      ->capture_default_str();
  AddThreadsOption(ccmd, &c->threads, "Threads (0 = all cores)");
  out->push_back({ccmd, [c] { return RunCalibrate(*c); }});
}

}  // namespace neardup::cli
