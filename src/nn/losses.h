// The self-supervised training objective (after SSCD, Pizzi et al. 2022): InfoNCE over the 2N
// views of a batch plus a differential-entropy (Kozachenko-Leonenko) regulariser that spreads the
// embeddings of different images apart. Private to the nn plugin.
//
// Convention: `z` is a 2N x D float tensor of L2-normalised embeddings where rows i and i + N are
// the two views of image i (view A first, then view B), N >= 2. Losses are scalar tensors with
// gradients; all functions are pure.
#ifndef NEARDUP_SRC_NN_LOSSES_H_
#define NEARDUP_SRC_NN_LOSSES_H_

#include <torch/torch.h>

namespace neardup::nn {

// Default InfoNCE temperature and entropy weight (SSCD's values).
inline constexpr double kDefaultTemperature = 0.05;
inline constexpr double kDefaultEntropyWeight = 10.0;

// Symmetric InfoNCE (NT-Xent): every one of the 2N views is an anchor whose positive is its pair
// and whose negatives are the other 2N - 2 views; softmax over cosine similarity / temperature,
// cross-entropy averaged over the 2N anchors. >= 0; log(2N - 1) when all views are alike.
torch::Tensor InfoNceLoss(const torch::Tensor& z, double temperature);

// -mean_i log(d_i), d_i = the Euclidean distance from view i to its nearest embedding that is
// neither itself nor its pair (as SSCD: the positive is meant to be close). On unit vectors
// d in [0, 2]; the distance is floored at kEntropyMinDistance so collapsed embeddings give a
// large but finite loss and finite gradients. Unweighted: the trainer multiplies by lambda.
torch::Tensor EntropyLoss(const torch::Tensor& z);
inline constexpr double kEntropyMinDistance = 1e-3;

// The components of one step's objective.
struct LossTerms {
  torch::Tensor total;  // info_nce + entropy_weight * entropy
  torch::Tensor info_nce;
  torch::Tensor entropy;  // unweighted
};
LossTerms ContrastiveLoss(const torch::Tensor& z, double temperature, double entropy_weight);

// ---- Supervising the STN with known warps ---------------------------------------------------
// Affines follow affine_grid's convention: N x 2 x 3, normalised coordinates, mapping a point of
// the output to the point of the input it samples.

// N random similarity warps (rotation uniform in +-max_degrees, scale log-uniform in
// [1 / max_scale, max_scale], shift uniform in +-max_shift per axis), from torch's generator.
// `warp` makes the edited view: warped = grid_sample(source, affine_grid(warp)); `undo` is its
// inverse, the affine an STN should predict on the warped view to see the source again.
struct KnownWarps {
  torch::Tensor warp;
  torch::Tensor undo;
  torch::Tensor degrees;  // N: the rotation of each warp
};
KnownWarps RandomSimilarityWarps(int64_t n, double max_degrees, double max_scale,
                                 double max_shift);

// The alignment loss on the sampled grid: the mean squared distance between where `theta` and
// `target` (both N x 2 x 3) send the points of a g x g grid of the output square. 0 exactly when
// they are equal; in normalised units (the square is [-1, 1]^2).
torch::Tensor GridAlignmentLoss(const torch::Tensor& theta, const torch::Tensor& target,
                                int64_t g = 8);

// The rotation in degrees of each affine of `theta` (N x 2 x 3): atan2 of its 2 x 2 part's
// first column, the angle an STN that undoes a similarity warp predicts with opposite sign.
torch::Tensor AffineDegrees(const torch::Tensor& theta);

}  // namespace neardup::nn

#endif  // NEARDUP_SRC_NN_LOSSES_H_
