#include "nn/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "neardup/decode.h"
#include "neardup/split.h"
#include "nn/losses.h"
#include "nn/model.h"
#include "nn/random_model.h"
#include "nn/train_data.h"
#include "testutil/testutil.h"

namespace neardup::nn {
namespace {

using neardup::testing::MakeTestPhoto;
using neardup::testing::TempDir;

std::unique_ptr<TrainImages> TinySet(int count) {
  std::vector<Image> images;
  for (int i = 0; i < count; ++i) images.push_back(MakeTestPhoto(96, 72, 100 + i));
  return TrainImages::FromImages(std::move(images));
}

// A tiny, fast, single-threaded (so bit-reproducible) run.
TrainOptions TinyOptions(const std::string& out) {
  TrainOptions o;
  o.out = out;
  o.backbone = "mobile";
  o.stn = true;
  o.dim = 32;
  o.train_size = 48;
  o.input_size = 48;
  o.batch = 4;
  o.epochs = 3;
  o.lr = 0.05;
  o.threads = 1;
  o.seed = 7;
  return o;
}

bool SameParameters(NearDupNet& a, NearDupNet& b) {
  auto pa = a->named_parameters(), pb = b->named_parameters();
  if (pa.size() != pb.size()) return false;
  for (const auto& item : pa) {
    const torch::Tensor* other = pb.find(item.key());
    if (!other || !torch::equal(item.value(), *other)) return false;
  }
  return true;
}

// 2N x D embeddings of a batch of views (row i and i + N are one image's two views).
torch::Tensor EmbedViews(NearDupNet& model, const ViewBatch& b) {
  torch::NoGradGuard no_grad;
  const auto opts = torch::TensorOptions().dtype(torch::kFloat32);
  std::vector<float> a = b.a, bb = b.b;
  torch::Tensor x = torch::cat({torch::from_blob(a.data(), {b.n, 3, b.size, b.size}, opts),
                                torch::from_blob(bb.data(), {b.n, 3, b.size, b.size}, opts)});
  return model->forward(x).clone();
}

TEST(ScheduleTest, WarmsUpThenDecaysToZero) {
  const int64_t total = 200;
  const int64_t warmup = WarmupSteps(total);
  EXPECT_EQ(warmup, 10);
  EXPECT_NEAR(ScheduledLr(0.1, 0, total), 0.01, 1e-12);
  EXPECT_NEAR(ScheduledLr(0.1, warmup - 1, total), 0.1, 1e-12);
  EXPECT_NEAR(ScheduledLr(0.1, warmup, total), 0.1, 1e-12);
  for (int64_t s = warmup; s + 1 < total; ++s) {
    EXPECT_LE(ScheduledLr(0.1, s + 1, total), ScheduledLr(0.1, s, total));
  }
  EXPECT_LT(ScheduledLr(0.1, total - 1, total), 1e-4);
  EXPECT_EQ(WarmupSteps(3), 1);
}

TEST(TrainDataTest, EpochOrderIsASeededPermutation) {
  std::vector<int> a = EpochOrder(50, 1, 0);
  std::vector<int> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 50; ++i) EXPECT_EQ(sorted[i], i);
  EXPECT_EQ(a, EpochOrder(50, 1, 0));
  EXPECT_NE(a, EpochOrder(50, 1, 1));
  EXPECT_NE(a, EpochOrder(50, 2, 0));
}

TEST(TrainDataTest, BatchesAreDeterministicWhateverTheThreads) {
  auto data = TinySet(6);
  std::vector<int> order = EpochOrder(data->size(), 3, 0);
  ViewOptions one;
  one.size = 40;
  one.threads = 1;
  ViewOptions two = one;
  two.threads = 2;
  auto b1 = MakeViewBatch(*data, order, 0, 4, 3, 0, one);
  auto b2 = MakeViewBatch(*data, order, 0, 4, 3, 0, two);
  auto other_epoch = MakeViewBatch(*data, order, 0, 4, 3, 1, one);
  ASSERT_TRUE(b1.ok() && b2.ok() && other_epoch.ok());
  EXPECT_EQ(b1->a.size(), size_t(4 * 3 * 40 * 40));
  EXPECT_EQ(b1->a, b2->a);
  EXPECT_EQ(b1->b, b2->b);
  EXPECT_EQ(b1->images, std::vector<int>(order.begin(), order.begin() + 4));
  EXPECT_NE(b1->a, b1->b);  // two different views
  EXPECT_NE(b1->b, other_epoch->b);
  for (float v : b1->a) ASSERT_TRUE(std::isfinite(v));
}

TEST(TrainDataTest, LoadSkipsSmallAndBrokenFiles) {
  TempDir dir;
  ASSERT_TRUE(WriteImage(dir.Join("a.png"), MakeTestPhoto(120, 90, 1)).ok());
  ASSERT_TRUE(WriteImage(dir.Join("sub_b.jpg"), MakeTestPhoto(400, 300, 2)).ok());
  ASSERT_TRUE(WriteImage(dir.Join("c.png"), MakeTestPhoto(80, 70, 3)).ok());
  ASSERT_TRUE(WriteImage(dir.Join("tiny.png"), MakeTestPhoto(40, 40, 4)).ok());
  neardup::testing::WriteBytes(dir.Join("broken.jpg"), "not a jpeg");
  TrainDataOptions o;
  o.folders = {dir.path()};
  o.long_side = 128;
  o.skip_held_out = false;  // the temp folder's random name decides the split (see below)
  std::vector<std::string> lines;
  o.log = [&](const std::string& l) { lines.push_back(l); };
  auto data = TrainImages::Load(o);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ((*data)->size(), 3);
  EXPECT_EQ((*data)->skipped(), 2);
  auto b = (*data)->Get(2);  // sub_b.jpg, sorted last
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(std::max(b->width, b->height), 128);

  o.max_images = 2;
  auto capped = TrainImages::Load(o);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ((*capped)->size(), 2);

  o.memory_budget_bytes = 0;  // everything decoded on the fly
  o.max_images = 0;
  auto lazy = TrainImages::Load(o);
  ASSERT_TRUE(lazy.ok());
  EXPECT_EQ((*lazy)->in_memory(), 0);
  auto again = (*lazy)->Get(2);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->pixels, b->pixels);
}

TEST(TrainDataTest, HeldOutFilesAreLeftOut) {
  TempDir dir;
  std::filesystem::create_directories(dir.Join("photos"));
  // Families are named by the folder and the letters of the file name (split.h); enough of them
  // that both sides of the split occur.
  std::vector<std::string> kept, held;
  for (char a = 'a'; a <= 'z'; ++a) {
    const std::string path = dir.Join(std::string("photos/") + a + "x.png");
    ASSERT_TRUE(WriteImage(path, MakeTestPhoto(96, 72, uint32_t(a))).ok());
    (IsHeldOut(path) ? held : kept).push_back(path);
  }
  ASSERT_FALSE(held.empty());
  ASSERT_FALSE(kept.empty());
  TrainDataOptions o;
  o.folders = {dir.Join("photos")};
  o.long_side = 96;
  auto data = TrainImages::Load(o);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  std::vector<std::string> loaded;
  for (int i = 0; i < (*data)->size(); ++i) loaded.push_back((*data)->path(i));
  EXPECT_EQ(loaded, kept);  // both sorted by path
  o.skip_held_out = false;
  auto all = TrainImages::Load(o);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)->size(), 26);
}

TEST(TrainerTest, SimilarityStnIsStoredInTheModel) {
  TempDir dir;
  auto data = TinySet(8);
  TrainControl control;
  control.images = data.get();
  TrainOptions o = TinyOptions(dir.Join("m.pt"));
  o.epochs = 1;
  o.stn_similarity = true;
  ASSERT_TRUE(Train(o, control).ok());
  auto model = LoadModel(dir.Join("m.pt"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_TRUE((*model)->config().stn_constrained);
  ASSERT_NE((*model)->stn(), nullptr);
  torch::NoGradGuard no_grad;
  torch::Tensor theta = (*model)->stn()->Theta(torch::rand({2, 3, 48, 48}));
  // A similarity: equal column norms, orthogonal columns.
  torch::Tensor a = theta.narrow(2, 0, 2);
  EXPECT_LT((a.select(2, 0).norm(2, 1) - a.select(2, 1).norm(2, 1)).abs().max().item<double>(),
            1e-5);
  EXPECT_LT((a.select(2, 0) * a.select(2, 1)).sum(1).abs().max().item<double>(), 1e-5);
}

// --init: training starts from a model file's weights and keeps its architecture (here a
// mobile net of 16-d without STN, trained with an STN added and another --backbone/--dim given).
TEST(TrainerTest, InitStartsFromAModelFile) {
  TempDir dir;
  ModelConfig c;
  c.backbone = "mobile";
  c.stn = false;
  c.dim = 16;
  c.input_size = c.train_size = 48;
  for (int i = 0; i < 3; ++i) c.mean[i] = 0, c.std[i] = 1;
  torch::manual_seed(11);
  StatusOr<NearDupNet> start = MakeModel(c);
  ASSERT_TRUE(start.ok());
  ASSERT_TRUE(SaveModel(*start, dir.Join("start.pt")).ok());
  auto data = TinySet(8);
  TrainControl control;
  control.images = data.get();
  TrainOptions o = TinyOptions(dir.Join("m.pt"));
  o.init = dir.Join("start.pt");
  o.backbone = "resnet18";  // ignored with --init
  o.dim = 64;
  o.epochs = 1;
  o.lr = 1e-6;  // the weights barely move: they must be the starting model's
  ASSERT_TRUE(Train(o, control).ok());
  auto model = LoadModel(dir.Join("m.pt"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ((*model)->config().backbone, "mobile");
  EXPECT_EQ((*model)->config().dim, 16);
  EXPECT_EQ((*model)->config().std[0], 1.0f);
  ASSERT_NE((*model)->stn(), nullptr);
  auto trained = (*model)->named_parameters();
  double worst = 0;
  for (const auto& p : (*start)->named_parameters()) {
    const torch::Tensor* t = trained.find(p.key());
    ASSERT_NE(t, nullptr) << p.key();
    worst = std::max(worst, (*t - p.value()).abs().max().item<double>());
  }
  EXPECT_LT(worst, 1e-3);
  o.init = dir.Join("missing.pt");
  EXPECT_EQ(Train(o, control).status().code(), StatusCode::kNotFound);
}

// Fine-tuning controls: --train-from freezes the backbone before that layer, --freeze-bn keeps
// every BatchNorm's running statistics; the layers after it still learn. An unknown layer name
// is refused.
TEST(TrainerTest, TrainFromFreezesEarlierLayersAndFreezeBnKeepsStatistics) {
  TempDir dir;
  ModelConfig c = SmallCnnConfig("mobilenet_v2", 24, 48);
  c.cut = "block_2_out";
  ASSERT_TRUE(WriteRandomModel(dir.Join("start.pt"), c, 5));
  StatusOr<NearDupNet> start = LoadModel(dir.Join("start.pt"));
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  auto data = TinySet(8);
  TrainControl control;
  control.images = data.get();
  TrainOptions o = TinyOptions(dir.Join("m.pt"));
  o.init = dir.Join("start.pt");
  o.stn = false;
  o.epochs = 2;
  o.train_from = "block_2_expand";
  o.freeze_bn = true;
  ASSERT_TRUE(Train(o, control).ok());
  auto model = LoadModel(dir.Join("m.pt"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto trained = (*model)->named_parameters();
  auto change = [&](const std::string& suffix) {
    for (const auto& p : (*start)->named_parameters()) {
      if (p.key().size() < suffix.size() ||
          p.key().compare(p.key().size() - suffix.size(), suffix.size(), suffix) != 0) {
        continue;
      }
      return (*trained.find(p.key()) - p.value()).abs().max().item<double>();
    }
    ADD_FAILURE() << "no parameter " << suffix;
    return -1.0;
  };
  EXPECT_EQ(change("Conv1.weight"), 0.0);
  EXPECT_EQ(change("block_1_project.weight"), 0.0);
  EXPECT_GT(change("block_2_expand.weight"), 0.0);
  EXPECT_GT(change("block_2_project.weight"), 0.0);
  auto buffers = (*model)->named_buffers();
  int checked = 0;
  for (const auto& b : (*start)->named_buffers()) {
    if (b.key().find("running_mean") == std::string::npos) continue;
    EXPECT_TRUE(torch::equal(*buffers.find(b.key()), b.value())) << b.key();
    ++checked;
  }
  EXPECT_GT(checked, 3);
  o.train_from = "no_such_layer";
  Status bad = Train(o, control).status();
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("no_such_layer"), std::string::npos) << bad.ToString();
}

// Overfitting one fixed batch of view pairs (mild A, strong copy-detection B) through the whole
// pipeline: data, model with STN, loss, optimiser, schedule, save and load. Learning the
// invariances on fresh views from a random init takes far more than a test's few dozen steps.
TEST(TrainerTest, TinyModelOverfitsItsViews) {
  TempDir dir;
  auto data = TinySet(8);
  TrainOptions o = TinyOptions(dir.Join("m.pt"));
  o.batch = 8;
  o.epochs = 40;  // 1 step per epoch
  std::vector<std::string> lines;
  o.log = [&](const std::string& l) { lines.push_back(l); };
  TrainControl control;
  control.images = data.get();
  control.fixed_views = true;
  auto summary = Train(o, control);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->steps, 40);
  EXPECT_EQ(summary->epochs_done, 40);
  EXPECT_GT(summary->images_per_second, 0);
  ASSERT_FALSE(lines.empty());

  // The views trained on (fixed: epoch 0's).
  ViewOptions view;
  view.size = o.train_size;
  view.threads = 1;
  auto batch = MakeViewBatch(*data, EpochOrder(8, o.seed, 0), 0, 8, o.seed, 0, view);
  ASSERT_TRUE(batch.ok());

  auto trained = LoadModel(o.out);
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  ModelConfig config;
  config.backbone = o.backbone;
  config.dim = o.dim;
  config.train_size = config.input_size = o.train_size;
  torch::manual_seed(o.seed);
  auto fresh = MakeModel(config);
  ASSERT_TRUE(fresh.ok());
  // Batch statistics, as in training: 40 steps from a random init do not settle BatchNorm's
  // running averages (momentum 0.1), which eval mode would use.
  (*trained)->train();
  (*fresh)->train();

  torch::Tensor z = EmbedViews(*trained, *batch);
  torch::Tensor z0 = EmbedViews(*fresh, *batch);
  const double loss = InfoNceLoss(z, o.temperature).item<double>();
  const double loss0 = InfoNceLoss(z0, o.temperature).item<double>();
  std::string log;
  for (const std::string& l : lines) log += l + "\n";
  EXPECT_LT(loss, 0.25 * loss0) << "InfoNCE before " << loss0 << ", after " << loss << "\n" << log;

  // Each view's nearest other view is its pair.
  torch::Tensor sim = torch::mm(z, z.t()).fill_diagonal_(-2);
  torch::Tensor nearest = sim.argmax(1);
  int matched = 0;
  for (int i = 0; i < 16; ++i) matched += nearest[i].item<int64_t>() == (i + 8) % 16;
  EXPECT_EQ(matched, 16) << log;
}

TEST(TrainerTest, ResumeContinuesExactlyAndRunsAreDeterministic) {
  TempDir dir;
  auto data = TinySet(8);  // batch 4: 2 steps per epoch, 6 steps in all
  TrainControl control;
  control.images = data.get();

  TrainOptions straight = TinyOptions(dir.Join("straight.pt"));
  auto s = Train(straight, control);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->steps, 6);

  TrainOptions same = TinyOptions(dir.Join("same.pt"));
  ASSERT_TRUE(Train(same, control).ok());

  TrainOptions split = TinyOptions(dir.Join("split.pt"));
  TrainControl first_part = control;
  first_part.stop_after_epochs = 1;
  auto part = Train(split, first_part);
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  EXPECT_EQ(part->steps, 2);
  EXPECT_EQ(part->epochs_done, 1);
  split.resume = true;
  std::vector<std::string> lines;
  split.log = [&](const std::string& l) { lines.push_back(l); };
  auto rest = Train(split, control);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(rest->steps, 6);
  EXPECT_EQ(rest->epochs_done, 3);
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines[0].find("resumed"), std::string::npos) << lines[0];

  auto a = LoadModel(straight.out), b = LoadModel(same.out), c = LoadModel(split.out);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_TRUE(SameParameters(*a, *b)) << "same seed, same options: same model";
  EXPECT_TRUE(SameParameters(*a, *c)) << "resumed run differs from the uninterrupted one";

  TrainOptions other_seed = TinyOptions(dir.Join("other.pt"));
  other_seed.seed = 8;
  ASSERT_TRUE(Train(other_seed, control).ok());
  auto d = LoadModel(other_seed.out);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(SameParameters(*a, *d));
}

TEST(TrainerTest, ResumeRefusesOtherOptionsAndMissingCheckpoint) {
  TempDir dir;
  auto data = TinySet(8);
  TrainControl control;
  control.images = data.get();
  TrainOptions o = TinyOptions(dir.Join("m.pt"));
  o.epochs = 1;
  o.resume = true;
  auto missing = Train(o, control);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);

  o.resume = false;
  ASSERT_TRUE(Train(o, control).ok());
  o.resume = true;
  o.dim = 16;
  auto other = Train(o, control);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(other.status().message().find("other model options"), std::string::npos);
}

// --stn-supervision: the localization net learns to undo known warps: the alignment loss it
// logs falls.
TEST(TrainerTest, SupervisedStnLearnsToUndoKnownWarps) {
  TempDir dir;
  auto data = TinySet(8);
  TrainControl control;
  control.images = data.get();
  TrainOptions o = TinyOptions(dir.Join("m.pt"));
  o.epochs = 100;
  o.stn_supervision = 1;
  o.loc_lr_scale = 1;  // the localization net at 0.05: what learns with SGD (0.5 does not)
  std::vector<double> align;
  o.log = [&](const std::string& line) {
    const size_t at = line.find(", align ");
    if (at != std::string::npos) align.push_back(std::stod(line.substr(at + 8)));
  };
  ASSERT_TRUE(Train(o, control).ok());
  ASSERT_GE(align.size(), 3u);
  EXPECT_LT(align.back(), 0.7 * align.front());
  // (Whether it generalises to new pictures is measured by bench/stn_stats_bench ... rotate on
  // the held-out benchmark: models/README.md; 8 tiny pictures only show that it learns.)
  EXPECT_TRUE(LoadModel(dir.Join("m.pt")).ok());
}

TEST(TrainerTest, BadOptionsAreInvalidArgument) {
  TrainOptions o = TinyOptions("/nonexistent/m.pt");
  o.stn = false;
  o.stn_supervision = 1;  // needs an STN
  EXPECT_EQ(Train(o, {}).status().code(), StatusCode::kInvalidArgument);
  o = TinyOptions("/nonexistent/m.pt");
  o.batch = 1;
  EXPECT_EQ(Train(o, {}).status().code(), StatusCode::kInvalidArgument);
  o = TinyOptions("");
  EXPECT_EQ(Train(o, {}).status().code(), StatusCode::kInvalidArgument);
  o = TinyOptions("/tmp/x.pt");
  o.backbone = "nope";
  EXPECT_FALSE(Train(o, {}).ok());
}

}  // namespace
}  // namespace neardup::nn
