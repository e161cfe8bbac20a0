// Training data for the self-supervised trainer: the images of the --data folders, decoded once
// and kept downscaled in memory, and the batches of augmented view pairs made from them. Private
// to the nn plugin; deliberately torch-free (plain float buffers), so the augmentation work
// compiles and tests without LibTorch and the trainer wraps the buffers with torch::from_blob.
//
// Determinism: the image list, each epoch's order and every view depend only on the seed, the
// epoch and the position in the epoch, never on thread count or timing.
// Thread safety: a loaded TrainImages is immutable; Get() and MakeViewBatch() may run
// concurrently from any number of threads.
#ifndef NEARDUP_SRC_NN_TRAIN_DATA_H_
#define NEARDUP_SRC_NN_TRAIN_DATA_H_

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "neardup/augment.h"
#include "neardup/image.h"
#include "neardup/status.h"

namespace neardup::nn {

// Images with a shorter side below this are not used (too small to crop, paste and downscale).
inline constexpr int kMinTrainImageSide = 64;
// Images are kept with their longer side at most this (uint8 RGB): ~150 KB an image, so 10,000
// images take ~1.5 GB. The strongest crops keep 40% of the area, still >= 160 px on a side.
inline constexpr int kMaxCachedLongSide = 256;

struct TrainDataOptions {
  std::vector<std::string> folders;  // searched recursively, as `find -r`
  int max_images = 0;                // at most this many usable images (0 = all)
  // Leave out the files of the held-out split (split.h), which `neardup bench make --held-out`
  // draws from, so a model is never scored on families it was trained on.
  bool skip_held_out = true;
  uint64_t seed = 1;                   // chooses which images when max_images < available
  int long_side = kMaxCachedLongSide;  // keep images at most this long (>= kMinTrainImageSide)
  // Decoded pixels kept in memory at most this many bytes; images beyond it are decoded again
  // each time they are used (slower, but a large folder still trains).
  int64_t memory_budget_bytes = int64_t{2} << 30;
  int threads = 0;                              // decoding threads; 0 = all cores
  std::function<void(const std::string&)> log;  // progress and skipped files; may be empty
};

class TrainImages {
 public:
  // Lists the folders, decodes every image once (in parallel), skips unreadable and small ones
  // (each reported once through options.log), and keeps the rest. NotFound when a folder does
  // not exist or fewer than 2 usable images remain (2 are needed to form negatives), the message
  // naming the folders and what was found in them; InvalidArgument when a --data path is not a
  // folder.
  static StatusOr<std::unique_ptr<TrainImages>> Load(const TrainDataOptions& options);
  // For tests: images given directly (each must be RGB or grey, both sides >= 16).
  static std::unique_ptr<TrainImages> FromImages(std::vector<Image> images);

  TrainImages(const TrainImages&) = delete;
  TrainImages& operator=(const TrainImages&) = delete;

  int size() const { return int(entries_.size()); }
  const std::string& path(int i) const { return entries_[i].path; }
  // Image i, at most long_side long: from memory, or decoded again beyond the memory budget.
  StatusOr<Image> Get(int i) const;

  int skipped() const { return skipped_; }  // unreadable or too small
  int64_t cached_bytes() const { return cached_bytes_; }
  int in_memory() const { return in_memory_; }

 private:
  struct Entry {
    std::string path;
    Image image;  // empty when beyond the memory budget
  };
  TrainImages() = default;
  std::vector<Entry> entries_;
  int long_side_ = kMaxCachedLongSide;
  int skipped_ = 0;
  int in_memory_ = 0;
  int64_t cached_bytes_ = 0;
};

// How one view is made and handed to the model.
struct ViewOptions {
  int size = 160;  // square side of each view (made by input.h's WriteModelInput, as inference)
  float mean[3] = {0.485f, 0.456f, 0.406f};  // normalisation of [0,1] RGB
  float std[3] = {0.229f, 0.224f, 0.225f};
  int threads = 0;     // augmentation threads per batch; 0 = all cores
  bool strong = true;  // view B strong (see MakeViewPair); false: both views mild
  bool fixed = false;  // every epoch gets epoch 0's views (overfitting tests)
};

// The families of the strong view: every copy-detection edit plus the paper's geometric ones
// (rotate, scale_translate, random_crop), which perceptual hashes fail on.
std::vector<Family> StrongViewFamilies();

// The two views of one image: A = MakeTrainingView (1-3 of the paper's mild augmentations),
// B = ApplyRandomChain over StrongViewFamilies() with k uniform in 1..3. An edit that fails
// (e.g. too small an intermediate) leaves that view unedited, so a batch never fails for it.
// strong = false makes B a second mild view (an easier task, for tests and warm starts).
struct ViewPair {
  Image a, b;
};
ViewPair MakeViewPair(const Image& image, uint64_t seed, bool strong = true);

// A batch of n images: a and b hold n x 3 x size x size normalised floats (row i of a and row i
// of b are the two views of image images[i]).
struct ViewBatch {
  int n = 0;
  int size = 0;
  std::vector<int> images;  // dataset index per row
  std::vector<float> a, b;
};

// The seed-determined order of an epoch: a permutation of [0, count).
std::vector<int> EpochOrder(int count, uint64_t seed, int64_t epoch);

// The views of the images order[first .. first + n) of `epoch`, made on options.threads threads.
// Errors only when an image beyond the memory budget can no longer be decoded.
StatusOr<ViewBatch> MakeViewBatch(const TrainImages& data, const std::vector<int>& order, int first,
                                  int n, uint64_t seed, int64_t epoch, const ViewOptions& options);

// Makes the next batch on a background thread while the caller trains on the current one.
// Not thread-safe: one consumer.
class BatchPrefetcher {
 public:
  // Batches of `batch` images, epochs of `steps_per_epoch` batches (the tail of each epoch's
  // order is dropped), for the global steps [first_step, end_step).
  BatchPrefetcher(const TrainImages& data, int batch, int64_t steps_per_epoch, uint64_t seed,
                  const ViewOptions& options, int64_t first_step, int64_t end_step);
  ~BatchPrefetcher();  // waits for the batch in flight
  BatchPrefetcher(const BatchPrefetcher&) = delete;
  BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

  // The batch of the next step (and starts making the one after). At most end_step - first_step
  // calls.
  StatusOr<ViewBatch> Next();

 private:
  std::future<StatusOr<ViewBatch>> Start(int64_t step);

  const TrainImages& data_;
  int batch_;
  int64_t steps_per_epoch_;
  uint64_t seed_;
  ViewOptions options_;
  int64_t next_step_;
  int64_t end_step_;
  int64_t order_epoch_ = -1;
  std::shared_ptr<const std::vector<int>> order_;  // of order_epoch_
  std::future<StatusOr<ViewBatch>> pending_;
};

}  // namespace neardup::nn

#endif  // NEARDUP_SRC_NN_TRAIN_DATA_H_
