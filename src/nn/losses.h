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

}  // namespace neardup::nn

#endif  // NEARDUP_SRC_NN_LOSSES_H_
