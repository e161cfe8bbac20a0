#include "nn/losses.h"
#include "nn/model.h"

#include <gtest/gtest.h>

#include <cmath>

namespace neardup::nn {
namespace {

torch::Tensor Unit(const torch::Tensor& x) {
  return torch::nn::functional::normalize(x, torch::nn::functional::NormalizeFuncOptions().dim(1));
}

// 2N x D: rows i and i + N both equal the basis vector e_i.
torch::Tensor AlignedOrthogonal(int n, int d) {
  torch::Tensor e = torch::eye(d).narrow(0, 0, n);
  return torch::cat({e, e});
}

// The InfoNCE definition written out with loops, in double.
double ReferenceInfoNce(const torch::Tensor& z, double tau) {
  const int64_t two_n = z.size(0), n = two_n / 2;
  torch::Tensor sim = torch::mm(z, z.t()).to(torch::kDouble);
  auto s = sim.accessor<double, 2>();
  double total = 0;
  for (int64_t i = 0; i < two_n; ++i) {
    double denom = 0;
    for (int64_t j = 0; j < two_n; ++j) {
      if (j != i) denom += std::exp(s[i][j] / tau);
    }
    total += -(s[i][(i + n) % two_n] / tau - std::log(denom));
  }
  return total / double(two_n);
}

TEST(InfoNceTest, AlignedPairsFarFromOthersGiveAlmostZero) {
  const double loss = InfoNceLoss(AlignedOrthogonal(4, 8), 0.05).item<double>();
  EXPECT_GE(loss, 0);
  EXPECT_LT(loss, 1e-6);  // log(1 + 6 e^-20)
}

TEST(InfoNceTest, CollapsedEmbeddingsGiveLogOfCandidates) {
  torch::Tensor z = Unit(torch::ones({8, 16}));
  EXPECT_NEAR(InfoNceLoss(z, 0.05).item<double>(), std::log(7.0), 1e-5);
}

TEST(InfoNceTest, SwappedPairsAreHeavilyPenalised) {
  // The views of image 0 look like image 1's and vice versa.
  torch::Tensor z = AlignedOrthogonal(4, 8);
  torch::Tensor b = z.narrow(0, 4, 4).clone();
  b.index_put_({0}, z[1]);
  b.index_put_({1}, z[0]);
  torch::Tensor swapped = torch::cat({z.narrow(0, 0, 4), b});
  EXPECT_GT(InfoNceLoss(swapped, 0.05).item<double>(), 5.0);
}

TEST(InfoNceTest, MatchesDefinitionAndIsSymmetric) {
  torch::manual_seed(3);
  torch::Tensor z = Unit(torch::randn({12, 5}));
  const double ref = ReferenceInfoNce(z, 0.1);
  EXPECT_NEAR(InfoNceLoss(z, 0.1).item<double>(), ref, 1e-4);
  // Exchanging the roles of view A and view B changes nothing.
  torch::Tensor swapped = torch::cat({z.narrow(0, 6, 6), z.narrow(0, 0, 6)});
  EXPECT_NEAR(InfoNceLoss(swapped, 0.1).item<double>(), ref, 1e-4);
}

TEST(EntropyTest, CollapsedEmbeddingsGiveALargePenalty) {
  torch::Tensor collapsed = Unit(torch::ones({8, 16}));
  torch::Tensor spread = AlignedOrthogonal(4, 8);
  const double c = EntropyLoss(collapsed).item<double>();
  const double s = EntropyLoss(spread).item<double>();
  EXPECT_NEAR(c, -std::log(kEntropyMinDistance), 1e-3);  // ~6.9
  EXPECT_NEAR(s, -std::log(std::sqrt(2.0)), 1e-4);       // orthogonal neighbours
  EXPECT_GT(c, s + 5);
}

TEST(EntropyTest, IgnoresTheOwnPair) {
  // Pairs coincide (distance 0) but images are orthogonal: the positive is not a neighbour.
  EXPECT_LT(EntropyLoss(AlignedOrthogonal(3, 6)).item<double>(), 0);
}

TEST(LossTest, GradientsAreFiniteEvenWhenCollapsed) {
  for (bool collapsed : {false, true}) {
    torch::manual_seed(1);
    torch::Tensor raw = collapsed ? torch::ones({8, 16}) : torch::randn({8, 16});
    raw.requires_grad_(true);
    LossTerms t = ContrastiveLoss(Unit(raw), kDefaultTemperature, kDefaultEntropyWeight);
    t.total.backward();
    ASSERT_TRUE(raw.grad().defined());
    EXPECT_TRUE(torch::isfinite(raw.grad()).all().item<bool>()) << "collapsed=" << collapsed;
    EXPECT_TRUE(std::isfinite(t.total.item<double>()));
    EXPECT_NEAR(t.total.item<double>(),
                t.info_nce.item<double>() + kDefaultEntropyWeight * t.entropy.item<double>(), 1e-4);
  }
}

TEST(LossTest, GradientDescentSeparatesImagesAndAlignsPairs) {
  torch::manual_seed(2);
  torch::Tensor raw = torch::randn({8, 4}).requires_grad_(true);
  torch::optim::SGD sgd({raw}, torch::optim::SGDOptions(0.1));
  double first = 0, last = 0;
  for (int i = 0; i < 200; ++i) {
    sgd.zero_grad();
    torch::Tensor loss = ContrastiveLoss(Unit(raw), 0.1, 1.0).total;
    if (i == 0) first = loss.item<double>();
    last = loss.item<double>();
    loss.backward();
    sgd.step();
  }
  EXPECT_LT(last, first - 1.0);
  EXPECT_LT(InfoNceLoss(Unit(raw), 0.1).item<double>(), 0.1);
}


TEST(KnownWarpsTest, UndoInvertsTheWarpAndSamplingWithBothGivesTheSourceBack) {
  torch::manual_seed(3);
  const KnownWarps w = RandomSimilarityWarps(6, 30, 1.25, 0.1);
  ASSERT_EQ(w.warp.sizes(), (std::vector<int64_t>{6, 2, 3}));
  EXPECT_LE(w.degrees.abs().max().item<double>(), 30.0);
  // undo o warp = identity (as 3 x 3 homogeneous matrices).
  auto homogeneous = [](const torch::Tensor& t) {
    return torch::cat({t, torch::tensor({0.0f, 0.0f, 1.0f}).view({1, 1, 3}).expand({6, 1, 3})}, 1);
  };
  const torch::Tensor product = homogeneous(w.warp).matmul(homogeneous(w.undo));
  EXPECT_TRUE(torch::allclose(product, torch::eye(3).expand({6, 3, 3}), 1e-5, 1e-5));
  // The rotation read back from the affines: the warp's own angle, and its opposite for undo.
  EXPECT_TRUE(torch::allclose(AffineDegrees(w.warp), w.degrees, 1e-3, 1e-3));
  EXPECT_TRUE(torch::allclose(AffineDegrees(w.undo), -w.degrees, 1e-3, 1e-3));
  // Warping a smooth image and sampling the result with `undo` gives the centre back.
  const torch::Tensor yy = torch::linspace(-1, 1, 64).view({1, 1, 64, 1}).expand({6, 1, 64, 64});
  const torch::Tensor xx = torch::linspace(-1, 1, 64).view({1, 1, 1, 64}).expand({6, 1, 64, 64});
  const torch::Tensor image = torch::cat({torch::sin(3 * xx), torch::cos(2 * yy), xx * yy}, 1);
  auto sample = [](const torch::Tensor& im, const torch::Tensor& theta) {
    return SampleAffine(im, theta);
  };
  const torch::Tensor back = sample(sample(image, w.warp), w.undo);
  const auto centre = torch::indexing::Slice(24, 40);
  EXPECT_LT((back.index({"...", centre, centre}) - image.index({"...", centre, centre}))
                .abs()
                .mean()
                .item<double>(),
            0.05);
}

TEST(KnownWarpsTest, GridLossIsZeroOnlyForTheTargetAndGrowsWithTheError) {
  torch::manual_seed(4);
  const KnownWarps w = RandomSimilarityWarps(4, 30, 1.25, 0.1);
  EXPECT_NEAR(GridAlignmentLoss(w.undo, w.undo).item<double>(), 0.0, 1e-10);
  const torch::Tensor near = w.undo + 0.01;
  const torch::Tensor far = w.undo + 0.1;
  const double a = GridAlignmentLoss(near, w.undo).item<double>();
  const double b = GridAlignmentLoss(far, w.undo).item<double>();
  EXPECT_GT(a, 0.0);
  EXPECT_GT(b, 10 * a);
  // It has a gradient towards the target.
  torch::Tensor theta = far.clone().requires_grad_(true);
  GridAlignmentLoss(theta, w.undo).backward();
  torch::Tensor stepped = (theta - 0.1 * theta.grad()).detach();
  EXPECT_LT(GridAlignmentLoss(stepped, w.undo).item<double>(), b);
}

}  // namespace
}  // namespace neardup::nn
