#include "nn/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "augment/rng.h"
#include "core/parallel.h"
#include "nn/losses.h"
#include "nn/model.h"
#include "plugin/nn_plugin_api.h"

namespace neardup::nn {
namespace {


// Written into every checkpoint; a checkpoint of another version is refused.
constexpr int64_t kCheckpointVersion = 2;

constexpr uint64_t kStepKey = 0x5452414eULL;  // "TRAN"

// The torch seed of a step: every random draw of the step follows from (seed, step).
uint64_t StepSeed(uint64_t seed, int64_t step) {
  // >> 1: torch::manual_seed takes any uint64; keep it printable as a signed value.
  return augment_internal::DeriveSeed(augment_internal::DeriveSeed(seed, kStepKey),
                                      uint64_t(step)) >>
         1;
}

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// Freezes the backbone parameters before the first one named for `layer` (see
// TrainOptions::train_from).
Status FreezeBackboneBefore(NearDupNet& model, const std::string& layer) {
  std::vector<torch::Tensor> before;
  for (auto& p : model->backbone()->named_parameters()) {
    if (p.key().find(layer) != std::string::npos) {
      for (auto& t : before) t.set_requires_grad(false);
      return Status::Ok();
    }
    before.push_back(p.value());
  }
  return InvalidArgumentError("train: no layer of backbone " + model->config().backbone +
                              " is named '" + layer + "' (--train-from)");
}

// BatchNorm layers back in eval mode: they keep their running statistics.
void FreezeBatchNorm(NearDupNet& model) {
  for (auto& m : model->modules(/*include_self=*/false)) {
    if (m->as<torch::nn::BatchNorm2d>() || m->as<torch::nn::BatchNorm1d>()) m->eval();
  }
}

// The parameters that learn.
std::vector<torch::Tensor> Trainable(std::vector<torch::Tensor> params) {
  std::erase_if(params, [](const torch::Tensor& t) { return !t.requires_grad(); });
  return params;
}

ModelConfig ConfigFromOptions(const TrainOptions& o) {
  ModelConfig c;
  c.backbone = o.backbone;
  c.stn = o.stn;
  c.stn_constrained = o.stn_similarity;
  c.dim = o.dim;
  c.gem = o.gem;
  c.input_size = o.input_size;
  c.train_size = o.train_size;
  return c;
}

Status CheckOptions(const TrainOptions& o) {
  if (o.out.empty()) return InvalidArgumentError("train: no output model path (--out)");
  if (o.epochs < 1) return InvalidArgumentError("train: epochs must be >= 1");
  if (o.batch < 2) return InvalidArgumentError("train: batch must be >= 2 (negatives)");
  if (!(o.lr > 0)) return InvalidArgumentError("train: lr must be > 0");
  if (!(o.loc_lr_scale >= 0)) return InvalidArgumentError("train: loc_lr_scale must be >= 0");
  if (!(o.temperature > 0)) return InvalidArgumentError("train: temperature must be > 0");
  if (!(o.entropy_weight >= 0)) return InvalidArgumentError("train: entropy weight must be >= 0");
  if (o.max_images < 0) return InvalidArgumentError("train: max_images must be >= 0");
  if (!(o.stn_supervision >= 0)) {
    return InvalidArgumentError("train: stn supervision weight must be >= 0");
  }
  if (o.stn_supervision > 0 && !o.stn) {
    return InvalidArgumentError("train: --stn-supervision needs an STN (--stn)");
  }
  if (!o.init.empty()) return Status::Ok();  // the starting model's config (checked when loaded)
  return ValidateConfig(ConfigFromOptions(o));
}

// Squared hinge on the affine's per-axis scale and its translation (see trainer.h).
torch::Tensor StnPenalty(const torch::Tensor& theta) {
  torch::Tensor a = theta.narrow(2, 0, 2);                  // N x 2 x 2
  torch::Tensor scale = a.pow(2).sum(1).add(1e-12).sqrt();  // N x 2: column norms
  torch::Tensor shift = theta.select(2, 2).abs();           // N x 2
  torch::Tensor p = (scale - kStnMaxScale).clamp_min(0).pow(2) +
                    (kStnMinScale - scale).clamp_min(0).pow(2) +
                    (shift - kStnMaxShift).clamp_min(0).pow(2);
  return p.sum(1).mean();
}

struct Checkpoint {
  int64_t step = 0;
  int64_t epoch = 0;
};

// Sizes of the run, stored in the checkpoint so a resume with other data or options is refused
// instead of silently training something else (steps per epoch follow from images and batch).
struct RunShape {
  std::string config_json;
  int64_t seed = 0;
  int64_t images = 0;
  int64_t batch = 0;
  std::string tuning;  // train_from, freeze_bn and stn_supervision
};

Status SaveCheckpoint(const std::string& path, NearDupNet& model, torch::optim::SGD& optimizer,
                      const RunShape& shape, const Checkpoint& ck) {
  const std::string tmp = path + ".tmp";
  try {
    torch::serialize::OutputArchive archive;
    archive.write("version", c10::IValue(kCheckpointVersion));
    archive.write("config", c10::IValue(shape.config_json));
    archive.write("seed", c10::IValue(shape.seed));
    archive.write("images", c10::IValue(shape.images));
    archive.write("batch", c10::IValue(shape.batch));
    archive.write("tuning", c10::IValue(shape.tuning));
    archive.write("step", c10::IValue(ck.step));
    archive.write("epoch", c10::IValue(ck.epoch));
    torch::serialize::OutputArchive model_archive;
    model->save(model_archive);
    archive.write("model", model_archive);
    torch::serialize::OutputArchive optimizer_archive;
    optimizer.save(optimizer_archive);
    archive.write("optimizer", optimizer_archive);
    archive.save_to(tmp);
  } catch (const std::exception& e) {
    std::remove(tmp.c_str());
    return TorchError(e, "train: cannot write checkpoint " + path, StatusCode::kIOError);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return IOError("train: cannot write checkpoint " + path);
  }
  return Status::Ok();
}

StatusOr<Checkpoint> LoadCheckpoint(const std::string& path, NearDupNet& model,
                                    torch::optim::SGD& optimizer, const RunShape& shape) {
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
  } else {
    return NotFoundError("train: no checkpoint to resume from at " + path);
  }
  Checkpoint ck;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    c10::IValue v;
    archive.read("version", v);
    if (v.toInt() != kCheckpointVersion) {
      return CorruptionError(path + ": checkpoint version " + std::to_string(v.toInt()) +
                             ", this build reads " + std::to_string(kCheckpointVersion));
    }
    auto mismatch = [&](const char* what) {
      return InvalidArgumentError(path + ": the checkpoint was made with other " + what +
                                  "; resume with the same options and data, or start afresh");
    };
    archive.read("config", v);
    if (v.toStringRef() != shape.config_json) return mismatch("model options");
    archive.read("seed", v);
    if (v.toInt() != shape.seed) return mismatch("seed");
    archive.read("images", v);
    if (v.toInt() != shape.images) return mismatch("training images");
    archive.read("batch", v);
    if (v.toInt() != shape.batch) return mismatch("batch size");
    archive.read("tuning", v);
    if (v.toStringRef() != shape.tuning) return mismatch("--train-from/--freeze-bn/--stn-supervision");
    archive.read("step", v);
    ck.step = v.toInt();
    archive.read("epoch", v);
    ck.epoch = v.toInt();
    torch::serialize::InputArchive model_archive;
    archive.read("model", model_archive);
    model->load(model_archive);
    torch::serialize::InputArchive optimizer_archive;
    archive.read("optimizer", optimizer_archive);
    optimizer.load(optimizer_archive);
  } catch (const std::exception& e) {
    return TorchError(e, "train: cannot read checkpoint " + path, StatusCode::kCorruption);
  }
  return ck;
}

StatusOr<TrainSummary> TrainChecked(const TrainOptions& options, const TrainControl& control) {
  auto log = [&](const std::string& line) {
    if (options.log) options.log(line);
  };
  const int threads = ResolveThreads(options.threads);
  torch::set_num_threads(threads);
  NearDupNet init{nullptr};
  ModelConfig config = ConfigFromOptions(options);
  if (!options.init.empty()) {
    ASSIGN_OR_RETURN(init, LoadModel(options.init));
    const ModelConfig stn = config;
    config = init->config();
    config.stn = stn.stn;
    config.stn_constrained = stn.stn_constrained;
    config.train_size = stn.train_size;
    config.min_cosine = 0;  // new weights: `model calibrate` again
  }

  std::unique_ptr<TrainImages> loaded;
  const TrainImages* images = control.images;
  if (!images) {
    TrainDataOptions d;
    d.folders = options.data;
    d.max_images = options.max_images;
    d.skip_held_out = !options.use_held_out;
    d.seed = options.seed;
    d.long_side = std::clamp(2 * options.train_size, kMinTrainImageSide, kMaxCachedLongSide);
    d.threads = threads;
    d.log = options.log;
    ASSIGN_OR_RETURN(loaded, TrainImages::Load(d));
    images = loaded.get();
  }
  if (images->size() < 2) return NotFoundError("train: fewer than 2 training images");
  const int batch = std::min(options.batch, images->size());
  const int64_t steps_per_epoch = images->size() / batch;
  const int64_t total_steps = steps_per_epoch * options.epochs;
  const int64_t end_epoch = control.stop_after_epochs > 0
                                ? std::min(control.stop_after_epochs, options.epochs)
                                : options.epochs;

  torch::manual_seed(options.seed);
  ASSIGN_OR_RETURN(NearDupNet model, MakeModel(config));
  if (init) CopyMatchingWeights(init, model);
  if (!options.train_from.empty()) {
    RETURN_IF_ERROR(FreezeBackboneBefore(model, options.train_from));
  }
  model->train();
  if (options.freeze_bn) FreezeBatchNorm(model);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  auto sgd = [&](double lr) {
    return std::make_unique<torch::optim::SGDOptions>(
        torch::optim::SGDOptions(lr).momentum(kSgdMomentum).weight_decay(kWeightDecay));
  };
  groups.emplace_back(Trainable(model->OtherParameters()), sgd(options.lr));
  const std::vector<torch::Tensor> loc_params = model->LocalizationParameters();
  if (!loc_params.empty()) groups.emplace_back(loc_params, sgd(options.lr * options.loc_lr_scale));
  torch::optim::SGD optimizer(groups, torch::optim::SGDOptions(options.lr));
  SpatialTransformerImpl* const stn = model->stn();

  RunShape shape;
  shape.config_json = ConfigToJson(config);
  shape.seed = int64_t(options.seed);
  shape.images = images->size();
  shape.batch = batch;
  shape.tuning = options.train_from + (options.freeze_bn ? " freeze_bn" : "");
  if (options.stn_supervision > 0) {
    shape.tuning += " stn_supervision " + Fmt("%g", options.stn_supervision);
  }
  const std::string ckpt_path = options.out + ".ckpt";
  Checkpoint ck;
  if (options.resume) {
    ASSIGN_OR_RETURN(ck, LoadCheckpoint(ckpt_path, model, optimizer, shape));
    log("resumed from " + ckpt_path + " at epoch " + std::to_string(ck.epoch) + ", step " +
        std::to_string(ck.step));
  }

  ViewOptions view;
  view.size = options.train_size;
  std::copy(config.mean, config.mean + 3, view.mean);
  std::copy(config.std, config.std + 3, view.std);
  view.threads = threads;
  view.strong = control.strong_views;
  view.fixed = control.fixed_views;
  const int64_t end_step = std::max(ck.step, end_epoch * steps_per_epoch);
  log("training " + std::string(config.stn ? "stn-cnn:" : "cnn:") + config.backbone + " on " +
      std::to_string(images->size()) + " images: " + std::to_string(options.epochs) +
      " epochs of " + std::to_string(steps_per_epoch) + " steps, batch " + std::to_string(batch) +
      " (" + std::to_string(2 * batch) + " views of " + std::to_string(view.size) + " px), " +
      std::to_string(threads) + " threads");

  TrainSummary summary;
  summary.epochs_done = int(ck.epoch);
  summary.steps = ck.step;
  const auto start = std::chrono::steady_clock::now();
  auto seconds_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  int64_t views_done = 0;
  double loss_sum = 0, nce_sum = 0, ent_sum = 0, stn_sum = 0, align_sum = 0;
  int64_t window_steps = 0;
  auto window_start = start;
  {
    BatchPrefetcher prefetch(*images, batch, steps_per_epoch, options.seed, view, ck.step,
                             end_step);
    for (int64_t step = ck.step; step < end_step; ++step) {
      ASSIGN_OR_RETURN(ViewBatch b, prefetch.Next());
      const double lr = ScheduledLr(options.lr, step, total_steps);
      auto& param_groups = optimizer.param_groups();
      param_groups[0].options().set_lr(lr);
      if (param_groups.size() > 1) param_groups[1].options().set_lr(lr * options.loc_lr_scale);

      // Every random draw of the step (dropout, ...) follows from (seed, step): resume is exact.
      torch::manual_seed(StepSeed(options.seed, step));
      const auto opts = torch::TensorOptions().dtype(torch::kFloat32);
      torch::Tensor x = torch::cat({torch::from_blob(b.a.data(), {b.n, 3, b.size, b.size}, opts),
                                    torch::from_blob(b.b.data(), {b.n, 3, b.size, b.size}, opts)});
      optimizer.zero_grad();
      // With a supervised STN the contrastive loss sees the aligned views but does not train the
      // localization net (its gradient drove a fresh STN away from any alignment: models/README.md);
      // the known warps below do.
      const bool supervised = stn && options.stn_supervision > 0;
      torch::Tensor theta = stn ? stn->Theta(x) : torch::Tensor();
      torch::Tensor z;
      if (supervised) {
        z = model->ForwardAligned(SampleAffine(x, theta.detach()));
      } else {
        z = model->forward(x);
      }
      LossTerms terms = ContrastiveLoss(z, options.temperature, options.entropy_weight);
      torch::Tensor loss = terms.total;
      torch::Tensor stn_penalty;
      if (stn) {
        stn_penalty = StnPenalty(theta);
        loss = loss + kStnPenaltyWeight * stn_penalty;
      }
      torch::Tensor align_loss;
      if (supervised) {
        // The first views warped by known similarities; the STN learns to undo them.
        const KnownWarps w =
            RandomSimilarityWarps(b.n, kSupervisedMaxDegrees, kSupervisedMaxScale,
                                  kSupervisedMaxShift);
        torch::Tensor warped;
        {
          torch::NoGradGuard no_grad;
          warped = SampleAffine(x.slice(0, 0, b.n), w.warp);
        }
        align_loss = GridAlignmentLoss(stn->Theta(warped), w.undo);
        loss = loss + options.stn_supervision * align_loss;
      }
      const double loss_value = loss.item<double>();
      if (!std::isfinite(loss_value)) {
        return InvalidArgumentError("train: the loss diverged (" + std::to_string(loss_value) +
                                    ") at step " + std::to_string(step) + "; try a lower --lr");
      }
      loss.backward();
      // Clipped per group: a burst of gradient in the backbone must not swing the STN's affine.
      torch::nn::utils::clip_grad_norm_(param_groups[0].params(), kClipGradNorm);
      if (param_groups.size() > 1) {
        torch::nn::utils::clip_grad_norm_(param_groups[1].params(), kClipLocGradNorm);
      }
      optimizer.step();

      views_done += 2 * b.n;
      loss_sum += loss_value;
      nce_sum += terms.info_nce.item<double>();
      ent_sum += terms.entropy.item<double>();
      if (stn) stn_sum += stn_penalty.item<double>();
      if (align_loss.defined()) align_sum += align_loss.item<double>();
      ++window_steps;
      summary.steps = step + 1;
      summary.final_loss = loss_value;
      const bool epoch_end = (step + 1) % steps_per_epoch == 0;
      if ((step + 1) % kLogEverySteps == 0 || epoch_end || step + 1 == end_step) {
        const double w = double(window_steps);
        log("epoch " + std::to_string(step / steps_per_epoch + 1) + "/" +
            std::to_string(options.epochs) + " step " + std::to_string(step + 1) + "/" +
            std::to_string(total_steps) + " loss " + Fmt("%.4f", loss_sum / w) + " (infonce " +
            Fmt("%.4f", nce_sum / w) + ", entropy " + Fmt("%.4f", ent_sum / w) +
            (stn ? ", stn " + Fmt("%.4f", stn_sum / w) : std::string()) +
            (options.stn_supervision > 0 ? ", align " + Fmt("%.4f", align_sum / w)
                                         : std::string()) +
            ") lr " +
            Fmt("%.5f", lr) + ", " + Fmt("%.1f", 2.0 * batch * w / seconds_since(window_start)) +
            " views/s");
        loss_sum = nce_sum = ent_sum = stn_sum = align_sum = 0;
        window_steps = 0;
        window_start = std::chrono::steady_clock::now();
      }
      if (epoch_end) {
        ck.step = step + 1;
        ck.epoch = ck.step / steps_per_epoch;
        summary.epochs_done = int(ck.epoch);
        RETURN_IF_ERROR(SaveCheckpoint(ckpt_path, model, optimizer, shape, ck));
      }
    }
  }
  summary.seconds = seconds_since(start);
  summary.images_per_second = summary.seconds > 0 ? views_done / summary.seconds : 0;
  model->eval();
  RETURN_IF_ERROR(SaveModel(model, options.out));
  log("wrote " + options.out);
  return summary;
}

}  // namespace

int64_t WarmupSteps(int64_t total) { return std::clamp<int64_t>(total / 20, 1, 1000); }

double ScheduledLr(double peak, int64_t step, int64_t total) {
  const int64_t warmup = WarmupSteps(total);
  if (step < warmup) return peak * double(step + 1) / double(warmup);
  const int64_t decay = std::max<int64_t>(1, total - warmup);
  const double t = std::min(1.0, double(step - warmup) / double(decay));
  return peak * 0.5 * (1.0 + std::cos(M_PI * t));
}

StatusOr<TrainSummary> Train(const TrainOptions& options, const TrainControl& control) {
  RETURN_IF_ERROR(CheckOptions(options));
  try {
    return TrainChecked(options, control);
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError("train: out of memory (try a smaller --batch or --train-size)");
  } catch (const c10::Error& e) {
    return TorchError(e, "train");
  }
}

}  // namespace neardup::nn

namespace neardup {

StatusOr<TrainSummary> TrainModelImpl(const TrainOptions& options) {
  return nn::Train(options, nn::TrainControl{});
}

}  // namespace neardup
