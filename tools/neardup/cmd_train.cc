// `neardup train --data DIR... --out MODEL`: self-supervised training of a learned descriptor.
#include <cstdio>

#include "commands.h"
#include "display.h"
#include "flags.h"
#include "neardup/nn.h"

namespace neardup::cli {
namespace {

// Bounds of the training options: beyond them a value is a typo, or a run that cannot fit in
// memory (a 65536-image batch, a 4096 px training side).
constexpr int kMaxEpochs = 100000;
constexpr int kMaxBatch = 65536;
constexpr int kMaxDim = 65536;
constexpr int kMinSize = 32;  // the model's smallest input (nn/model.cc ValidateConfig)
constexpr int kMaxSize = 4096;
constexpr double kMaxLr = 10;  // SGD diverges long before

struct TrainFlags {
  TrainOptions options;
  bool quiet = false;
};

int Run(TrainFlags& f) {
  TrainOptions& o = f.options;
  if (!f.quiet) {
    o.log = [](const std::string& line) { std::fprintf(stderr, "neardup: %s\n", line.c_str()); };
  }
  StatusOr<TrainSummary> s = TrainModel(o);
  if (!s.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(s.status().message()).c_str());
    return s.status().code() == StatusCode::kIOError ? kExitSomeFailed : kExitUsage;
  }
  std::printf("%s: %d epochs, %lld steps, final loss %.4f, %.1f views/s, %.1f s\n", o.out.c_str(),
              s->epochs_done, static_cast<long long>(s->steps), s->final_loss, s->images_per_second,
              s->seconds);
  return kExitOk;
}

}  // namespace

void AddTrainCommand(CLI::App& root, std::vector<Command>* out) {
  auto f = std::make_shared<TrainFlags>();
  TrainOptions& o = f->options;
  CLI::App* cmd = root.add_subcommand(
      "train", "Train a learned descriptor (STN + CNN) self-supervised on folders of images");
  cmd->add_option("--data", o.data, "Folders of training images (searched recursively)")
      ->required();
  cmd->add_option("--out", o.out, "Model file to write (checkpoints: MODEL.ckpt)")->required();
  cmd->add_option("--backbone", o.backbone, "resnet18, resnet50, vgg16, efficientnet_b0, mobile or mobilenet_v2")
      ->capture_default_str();
  cmd->add_flag("--stn,!--no-stn", o.stn, "Spatial transformer in front of the backbone")
      ->capture_default_str();
  cmd->add_flag("--stn-similarity", o.stn_similarity,
                "The STN predicts scale, rotation and translation only (no shear)");
  cmd->add_option("--epochs", o.epochs, "Passes over the images")
      ->check(WholeNumberIn(1, kMaxEpochs))
      ->capture_default_str();
  cmd->add_option("--batch", o.batch, "Images per step (two views each; >= 2 for negatives)")
      ->check(WholeNumberIn(2, kMaxBatch))
      ->capture_default_str();
  cmd->add_option("--dim", o.dim, "Descriptor size")
      ->check(WholeNumberIn(1, kMaxDim))
      ->capture_default_str();
  cmd->add_option("--train-size", o.train_size, "Training resolution (square side, px)")
      ->check(WholeNumberIn(kMinSize, kMaxSize))
      ->capture_default_str();
  cmd->add_option("--input-size", o.input_size, "Inference resolution stored in the model")
      ->check(WholeNumberIn(kMinSize, kMaxSize))
      ->capture_default_str();
  cmd->add_option("--lr", o.lr, "Peak learning rate (SGD, warm-up then cosine)")
      ->check(FiniteIn(0, kMaxLr, /*lo_open=*/true))
      ->capture_default_str();
  cmd->add_option("--temperature", o.temperature, "InfoNCE temperature")
      ->check(FiniteIn(0, std::numeric_limits<double>::infinity(), /*lo_open=*/true))
      ->capture_default_str();
  cmd->add_option("--entropy-weight", o.entropy_weight,
                  "Weight of the entropy (spreading) regulariser")
      ->check(FiniteIn(0))
      ->capture_default_str();
  cmd->add_option("--max-images", o.max_images, "Use at most this many images (0 = all)")
      ->check(WholeNumberIn(0, INT32_MAX))
      ->capture_default_str();
  cmd->add_flag(
      "--use-held-out", o.use_held_out,
      "Train on the held-out split too (by default left out for `bench make --held-out`)");
  cmd->add_option("--seed", o.seed, "Random seed")
      ->check(WholeNumberIn(0, UINT64_MAX))
      ->capture_default_str();
  AddThreadsOption(cmd, &o.threads, "Threads (0 = all cores)");
  cmd->add_flag("--resume", o.resume, "Continue from MODEL.ckpt");
  cmd->add_option("--init", o.init,
                  "Start from this model file's weights (e.g. from `neardup model import`); its "
                  "backbone, descriptor size and normalisation are kept");
  cmd->add_option("--train-from", o.train_from,
                  "Freeze the backbone's layers before this one (e.g. block_7 of mobilenet_v2)");
  cmd->add_flag("--freeze-bn", o.freeze_bn,
                "BatchNorm layers keep their running statistics (fine-tuning a pretrained net)");
  cmd->add_option("--loc-lr-scale", o.loc_lr_scale,
                  "The STN's localization net learns at this multiple of --lr")
      ->check(FiniteIn(0))
      ->capture_default_str();
  cmd->add_option("--stn-supervision", o.stn_supervision,
                  "Weight of the STN's alignment loss on views warped by known similarities "
                  "(0 = off; needs --stn)")
      ->check(FiniteIn(0))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", f->quiet, "No progress lines");
  out->push_back({cmd, [f] { return Run(*f); }});
}

}  // namespace neardup::cli
