// The self-supervised trainer behind nn.h's TrainModel (private to the nn plugin).
//
// Each step: a batch of N images gives 2N views (train_data.h: a mild view A and a strong
// copy-detection view B); the NearDupNet embeds them and the loss is
//   InfoNCE(tau) + lambda * entropy  (losses.h)  + kStnPenaltyWeight * STN scale penalty.
// Optimiser: SGD, momentum 0.9, weight decay 1e-6, in two parameter groups (the STN's
// localization net at lr * loc_lr_scale); linear warm-up over the first
// WarmupSteps(total) steps, then a cosine decay to 0 at the last step; gradients clipped to an
// L2 norm per group (kClipGradNorm, kClipLocGradNorm). Checkpoints (model + optimiser + step + seed
// + config) go to out + ".ckpt" after every epoch; `resume` continues from one bit-for-bit (with
// the same options and thread count), because every random draw is a function of (seed, step).
#ifndef NEARDUP_SRC_NN_TRAINER_H_
#define NEARDUP_SRC_NN_TRAINER_H_

#include <cstdint>

#include "neardup/nn.h"
#include "neardup/status.h"
#include "nn/train_data.h"

namespace neardup::nn {

inline constexpr double kSgdMomentum = 0.9;
inline constexpr double kWeightDecay = 1e-6;
inline constexpr double kClipGradNorm = 10.0;    // backbone, pooling and projection
inline constexpr double kClipLocGradNorm = 1.0;  // the STN's localization net, on its own
// STN guard: each column of the predicted 2x2 affine part (the sampling grid's scale along one
// output axis; 1 = identity) is kept in [kStnMinScale, kStnMaxScale] and the translation in
// [-kStnMaxShift, kStnMaxShift] (normalised coordinates, so 1 = half the image) by a squared
// hinge penalty, zero inside the range, weighted by kStnPenaltyWeight.
inline constexpr double kStnMinScale = 0.5;
inline constexpr double kStnMaxScale = 1.5;
inline constexpr double kStnMaxShift = 1.0;
inline constexpr double kStnPenaltyWeight = 10.0;
// The known warps of TrainOptions::stn_supervision (within the guard above): rotations up to the
// copies' +-30 degrees, scale 0.8-1.25, shift up to 5% of the side.
inline constexpr double kSupervisedMaxDegrees = 30.0;
inline constexpr double kSupervisedMaxScale = 1.25;
inline constexpr double kSupervisedMaxShift = 0.1;
// A progress line every this many steps (and at the end of each epoch).
inline constexpr int kLogEverySteps = 10;

// Steps of linear warm-up for a run of `total` steps: 5%, at least 1, at most 1,000.
int64_t WarmupSteps(int64_t total);
// Learning rate at `step` (0-based) of `total`: warm-up to `peak`, then cosine to 0.
double ScheduledLr(double peak, int64_t step, int64_t total);

// What tests and tools can change beyond TrainOptions.
struct TrainControl {
  // Train on these instead of loading options.data (not owned; must outlive the call).
  const TrainImages* images = nullptr;
  // Stop after this many epochs in total, as if interrupted there (the checkpoint and the model
  // so far are written); 0 = run all options.epochs. The schedule still spans options.epochs.
  int stop_after_epochs = 0;
  // View B is a strong copy-detection chain (true) or a second mild view (false).
  bool strong_views = true;
  // Every epoch sees the same views (those of epoch 0): a pure overfitting run, for tests.
  bool fixed_views = false;
};

// TrainModel with control. Errors: InvalidArgument (bad options, a checkpoint of other options
// or data), NotFound (no usable images, no checkpoint to resume), IOError (cannot write out),
// Corruption (unreadable checkpoint), and InvalidArgument when the loss stops being finite.
StatusOr<TrainSummary> Train(const TrainOptions& options, const TrainControl& control);

}  // namespace neardup::nn

#endif  // NEARDUP_SRC_NN_TRAINER_H_
