// Learned descriptors: a Spatial Transformer Network (localization net -> affine grid ->
// bilinear sampler) aligns the image, a CNN backbone extracts features, pooling (GAP or GeM) and a
// projection give an L2-normalised descriptor compared by cosine similarity.
//
// Method strings (MakeMethod in descriptor.h):
//   "stn-cnn:<backbone>"      STN + backbone, weights from the model file (see below)
//   "cnn:<backbone>"          backbone only
//   "torchscript:<file.pt>"   any TorchScript module mapping a float tensor N x 3 x S x S
//                             (normalised as NnMethodOptions says) to N x D embeddings
// Backbones: "resnet18", "resnet50", "vgg16", "efficientnet_b0", "mobile" (a small fast CPU net),
// "mobilenet_v2" (Keras MobileNetV2 1.0 holding imported ImageNet weights: ImportPretrained).
// A "stn-cnn:"/"cnn:" method loads its weights from NnMethodOptions::model_path, else from
// $NEARDUP_MODEL_DIR/<name>.pt, else from the models/ folder shipped beside the binary, where
// <name> is the method string with ':' replaced by '-' (e.g. models/stn-cnn-mobile.pt).
//
// LibTorch lives in a plugin (libneardup_nn.so) opened on first use, so programs that only hash
// images never pay its ~0.3 s load time. Everything here fails with Unimplemented when the plugin
// cannot be found or loaded (the message says where it looked).
#ifndef NEARDUP_NN_H_
#define NEARDUP_NN_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "neardup/descriptor.h"
#include "neardup/status.h"

namespace neardup {

struct NnMethodOptions {
  std::string model_path;  // weights file; empty = the default lookup (see above)
  int input_size = 0;      // square input side in pixels; 0 = the model's own (or 224)
  // Normalisation of the [0,1] RGB input (TorchScript models; trained models store their own).
  float mean[3] = {0.485f, 0.456f, 0.406f};
  float std[3] = {0.229f, 0.224f, 0.225f};
  // Intra-op threads for LibTorch (process-wide); 0 = 1, since callers such as `find` already run
  // one Compute per core.
  int threads = 0;
};

// Makes a learned method from its string (see above). NotFound for an unknown backbone or a
// missing weights file, Unimplemented without the plugin, Corruption for a bad model file.
StatusOr<std::unique_ptr<Method>> MakeNnMethod(std::string_view spec,
                                               const NnMethodOptions& options);

// True when `spec` names a learned method ("stn-cnn:", "cnn:" or "torchscript:" prefix).
// Needs no plugin.
bool IsNnMethod(std::string_view spec);

// True when a plugin file exists where the loader looks for one (it is not opened: a file of
// another build is still refused on first use).
bool NnPluginInstalled();

// The folders searched for model files, in order: $NEARDUP_MODEL_DIR, then models/ beside the
// binary, in its parent folder, and in ../share/neardup/; then, for a program linked with
// libneardup.so, share/neardup/models/ of the prefix the library is installed in.
std::vector<std::string> ModelSearchDirs();

// The "stn-cnn:"/"cnn:" methods with a model file in ModelSearchDirs() (files named
// stn-cnn-<backbone>.pt or cnn-<backbone>.pt), sorted. Needs no plugin; the files are not opened.
std::vector<std::string> InstalledNnMethods();

// Examples of learned method strings for help texts ("stn-cnn:mobile", ..., "torchscript:<file>");
// MethodNames() lists only the hash methods, which need no model file.
std::vector<std::string> NnMethodExamples();

struct TrainOptions {
  std::vector<std::string> data;  // folders of training images (searched recursively)
  std::string out;                // model file to write (checkpoints go to out + ".ckpt")
  std::string backbone = "mobile";
  bool stn = true;
  // The STN predicts a similarity (scale, rotation, translation: 4 numbers) instead of a full
  // affine (6): it cannot shear or squash the image.
  bool stn_similarity = false;
  int dim = 256;         // descriptor size
  bool gem = true;       // GeM pooling (false: global average pooling)
  int train_size = 160;  // training resolution (SSCD trains below inference resolution)
  int input_size = 224;  // inference resolution stored in the model
  int epochs = 10;
  int batch = 64;              // images per batch; each gives two augmented views
  int max_images = 0;          // use at most this many training images (0 = all)
  // Train on the held-out split too (split.h). Off by default: `bench make --held-out` draws
  // from it, and a model must not be scored on pictures it was trained on.
  bool use_held_out = false;
  double lr = 0.05;            // peak learning rate (SGD momentum 0.9 or AdamW; cosine schedule)
  double loc_lr_scale = 0.1;   // the localization net learns this much slower (STNs diverge)
  // InfoNCE temperature and differential-entropy (KoLeo) regulariser weight. SSCD's 0.05 and 10
  // (with a pretrained backbone) kept a from-scratch mobile net at chance level (InfoNCE 4.7-4.9
  // = ln 127 after 280 steps); 0.1 and 1 learn (models/README.md).
  double temperature = 0.1;
  double entropy_weight = 1;
  uint64_t seed = 1;
  int threads = 0;      // LibTorch and augmentation threads; 0 = all cores
  bool resume = false;  // continue from out + ".ckpt"
  // Start from this model file's weights (e.g. `neardup model import`'s) instead of random ones:
  // its backbone, cut, pooling, projection, descriptor size and input normalisation are kept
  // (`backbone` and `dim` are then ignored); `stn` may add a fresh (identity) STN in front.
  std::string init;
  // Fine-tuning controls (most useful with `init`). `train_from`: the backbone's parameters
  // registered before the first one whose name holds this layer name ("block_7" of
  // mobilenet_v2, "layer3" of resnet18, ...) are frozen; empty = the whole backbone learns.
  // InvalidArgument when no backbone parameter has that name. `freeze_bn`: every BatchNorm
  // keeps its running statistics (eval mode; its scale and shift still learn where its layer
  // does), as pretrained networks are fine-tuned on augmented views.
  std::string train_from;
  bool freeze_bn = false;
  // Supervise the STN with known warps (issue 15): each step the first views are warped by a
  // random similarity (rotation +-30 degrees, scale 0.8-1.25, shift +-0.1) and the localization
  // net learns to predict its inverse, with this weight on the grid alignment loss (added to the
  // contrastive loss); 0 = off. Needs an STN.
  double stn_supervision = 0;
  // Called after every logging interval with a one-line summary (loss, images/s, lr).
  std::function<void(const std::string&)> log;
};

struct TrainSummary {
  int epochs_done = 0;
  int64_t steps = 0;
  double final_loss = 0;
  double images_per_second = 0;  // training views per second, augmentation included
  double seconds = 0;
};

// Trains a model self-supervised on pairs of augmented views (InfoNCE + entropy regulariser) and
// writes it to options.out. Deterministic for a seed and thread count.
StatusOr<TrainSummary> TrainModel(const TrainOptions& options);

// Pretrained weights turned into a model file (issue 15): a TensorFlow.js layers model of Keras's
// MobileNetV2 1.0 (the ImageNet-derived weights of the npm package nsfwjs, rewritten by
// scripts/fetch_pretrained.sh) becomes a "cnn:mobilenet_v2" model: the network up to `cut`,
// GeM (p = 3), no projection (an identity, until a whitening is learned), L2; input RGB in [0,1]
// as the package feeds it. Used as it is, or as the starting point of fine-tuning.
struct ImportOptions {
  std::string from;  // folder with model.json and its weight shards
  std::string out;   // model file to write
  std::string cut;   // the Keras layer the network ends at; empty = block_10_depthwise_relu
  int input_size = 224;
};
struct ImportSummary {
  std::string cut;
  int dim = 0;         // descriptor size = channels at the cut
  int64_t tensors = 0;  // weight tensors copied
};
// NotFound for a missing folder or file or an unknown cut, Corruption for weights that are not a
// MobileNetV2 1.0 (naming the tensor), IOError when `out` cannot be written, Unimplemented
// without the plugin.
StatusOr<ImportSummary> ImportPretrained(const ImportOptions& options);

// A learned whitening (PCA whitening of the pooled features, as in Radenovic et al. 2018 and
// SSCD): the model's projection becomes W (x - mean), W = diag(lambda_i + shrink)^(-1/2) V^T over
// the `dim` strongest components, fitted on the L2-normalised pooled features of up to
// `max_images` images of `data` (the held-out split left out, as `train` does); the model then
// normalises its pooled features before projecting. Everything else is copied unchanged.
struct WhitenOptions {
  std::string model;              // model file to start from
  std::vector<std::string> data;  // folders of training images (searched recursively)
  std::string out;                // model file to write
  int dim = 0;                    // components kept; 0 = all (the pooled size)
  int max_images = 5000;
  double shrink = 0.1;  // added to every eigenvalue, as a fraction of their mean
  bool use_held_out = false;  // also fit on the held-out split (as TrainOptions::use_held_out)
  uint64_t seed = 1;    // which images when there are more than max_images
  int threads = 0;      // 0 = all cores
  std::function<void(const std::string&)> log;
};
struct WhitenSummary {
  int images = 0;
  int dim = 0;
  double explained = 0;  // share of the variance in the kept components
  double seconds = 0;
};
// NotFound for a missing model or data folder (or fewer images than 2), InvalidArgument for a
// dim above the pooled size, IOError when `out` cannot be written, Unimplemented without the
// plugin.
StatusOr<WhitenSummary> WhitenModel(const WhitenOptions& options);

// Calibration: the threshold a model's pairs match at when the caller gives none, measured on a
// benchmark (`neardup bench make`'s layout: images/ + truth.csv) as `find` would see it. Every
// image is described (decoded as `find` decodes it), each one's k nearest others by cosine are
// scored against the truth under the all-pairs protocol, and the lowest cosine at which
// precision reaches `precision` is stored in the model file, which its methods then use as
// their default threshold. Score on a benchmark that was not made from the pictures you report
// on: calibrate on a training-split benchmark, measure on a held-out one.
struct CalibrateOptions {
  std::string model;  // model file to start from
  std::string bench;  // benchmark folder
  std::string out;    // model file to write (may be `model`)
  double precision = 0.99;  // target precision, in (0, 1)
  int k = 10;               // neighbours per image
  int threads = 0;          // 0 = all cores
};
struct CalibrateSummary {
  int images = 0;            // described
  int failed = 0;            // images that could not be read (left out)
  double min_cosine = 0;     // the stored threshold
  double precision = 0;      // reached there, on the benchmark
  double recall = 0;         // of all the benchmark's positives, there
  double micro_ap = 0;       // of the k-nearest lists (all pairs)
  double seconds = 0;
};
// NotFound for a missing model or benchmark, InvalidArgument for a precision outside (0, 1)
// (only 0.99 and 0.999 are measured) or k < 1, InvalidArgument too when no threshold reaches
// the precision (nothing is written),
// IOError when `out` cannot be written, Unimplemented without the plugin.
StatusOr<CalibrateSummary> CalibrateModel(const CalibrateOptions& options);

// What the STN does to each image: the aligned input the backbone sees (RGB, input_size
// square), out[i] for images[i]; the model is loaded once for all of them. InvalidArgument for a
// method without an STN or an empty image.
StatusOr<std::vector<Image>> AlignWithStn(std::string_view spec, const NnMethodOptions& options,
                                          const std::vector<const Image*>& images);

}  // namespace neardup

#endif  // NEARDUP_NN_H_
