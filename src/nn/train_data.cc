#include "nn/train_data.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <filesystem>
#include <utility>

#include "augment/rng.h"
#include "core/parallel.h"
#include "neardup/decode.h"
#include "neardup/preprocess.h"
#include "neardup/split.h"
#include "nn/input.h"
#include "pipeline/walk.h"

namespace neardup::nn {
namespace {

using augment_internal::DeriveSeed;

// Sub-stream keys: the seeds of subsets, orders and views are derived from (seed, key, ...).
constexpr uint64_t kOrderKey = 0x4f52444552ULL;     // "ORDER"
constexpr uint64_t kSubsetKey = 0x535542534554ULL;  // "SUBSET"
constexpr uint64_t kViewKey = 0x56494557ULL;        // "VIEW"
constexpr uint64_t kStrongKey = 0x5354524f4e47ULL;  // "STRONG"

// Fisher-Yates with the augment Rng's unbiased draws (std::shuffle's use of the engine is
// unspecified).
void Shuffle(std::vector<int>& v, uint64_t seed) {
  augment_internal::Rng rng(seed);
  for (int i = int(v.size()); i > 1; --i) std::swap(v[i - 1], v[rng.UniformInt(0, i - 1)]);
}

// At most `long_side` on the longer side (area averaging), RGB.
Image Shrink(Image image, int long_side) {
  const int longer = std::max(image.width, image.height);
  if (longer <= long_side) return image;
  const double f = double(long_side) / longer;
  const int w = std::max(1, int(std::lround(image.width * f)));
  const int h = std::max(1, int(std::lround(image.height * f)));
  return Resize(image, w, h);
}

StatusOr<Image> DecodeForTraining(const std::string& path, int long_side) {
  DecodeOptions d;
  d.min_side = long_side;  // the JPEG DCT scale keeps the shorter side >= long_side
  ASSIGN_OR_RETURN(Image image, DecodeFile(path, d));
  if (std::min(image.width, image.height) < kMinTrainImageSide) {
    return InvalidArgumentError(path + ": " + std::to_string(image.width) + "x" +
                                std::to_string(image.height) + " is smaller than " +
                                std::to_string(kMinTrainImageSide) + " px");
  }
  return Shrink(std::move(image), long_side);
}

// NotFound naming the first of `folders` that does not exist, InvalidArgument for one that is
// not a folder.
Status CheckFolders(const std::vector<std::string>& folders) {
  for (const std::string& f : folders) {
    std::error_code ec;
    const std::filesystem::file_status st = std::filesystem::status(f, ec);
    if (st.type() == std::filesystem::file_type::not_found) {
      return NotFoundError("train: --data " + f + ": no such folder");
    }
    if (ec) return IOError("train: --data " + f + ": " + ec.message());
    if (st.type() != std::filesystem::file_type::directory) {
      return InvalidArgumentError("train: --data " + f + ": not a folder");
    }
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<TrainImages>> TrainImages::Load(const TrainDataOptions& options) {
  assert(options.long_side >= kMinTrainImageSide);
  auto log = [&](const std::string& line) {
    if (options.log) options.log(line);
  };
  if (options.folders.empty()) return InvalidArgumentError("train: no --data folder given");
  RETURN_IF_ERROR(CheckFolders(options.folders));
  WalkResult walk = WalkInputs(options.folders, /*recursive=*/true);
  for (const InputError& e : walk.errors) log("skipped " + e.path + ": " + e.status.message());
  std::vector<int> candidates;
  int held_out = 0;
  for (size_t i = 0; i < walk.files.size(); ++i) {
    if (options.skip_held_out && IsHeldOut(walk.files[i].path)) {
      ++held_out;
    } else {
      candidates.push_back(int(i));
    }
  }
  if (held_out > 0) {
    log("left out " + std::to_string(held_out) + " files of the held-out split (benchmarks)");
  }
  // With a cap, a seeded sample of the whole list rather than its first (alphabetical) files,
  // which would all come from one folder.
  if (options.max_images > 0) Shuffle(candidates, DeriveSeed(options.seed, kSubsetKey));

  std::unique_ptr<TrainImages> out(new TrainImages());
  out->long_side_ = options.long_side;
  out->skipped_ = int(walk.errors.size());
  const size_t want = options.max_images > 0 ? size_t(options.max_images) : candidates.size();
  constexpr int kMaxSkipLines = 20;
  int skip_lines = 0;
  size_t next = 0;
  while (out->entries_.size() < want && next < candidates.size()) {
    // Decode in chunks (bounded memory), a few more than still needed since some fail.
    const size_t needed = want - out->entries_.size();
    const size_t chunk =
        std::min(candidates.size() - next, std::max<size_t>(64, needed + needed / 4));
    std::vector<StatusOr<Image>> decoded(chunk, StatusOr<Image>(InvalidArgumentError("")));
    ParallelFor(int64_t(chunk), options.threads, 4, [&](int64_t b, int64_t e, int) {
      for (int64_t i = b; i < e; ++i) {
        decoded[i] = DecodeForTraining(walk.files[candidates[next + i]].path, options.long_side);
      }
    });
    for (size_t i = 0; i < chunk && out->entries_.size() < want; ++i) {
      const std::string& path = walk.files[candidates[next + i]].path;
      if (!decoded[i].ok()) {
        ++out->skipped_;
        if (skip_lines++ < kMaxSkipLines) log("skipped " + decoded[i].status().message());
        continue;
      }
      Entry entry{path, {}};
      const int64_t bytes = int64_t(decoded[i]->pixels.size());
      if (out->cached_bytes_ + bytes <= options.memory_budget_bytes) {
        entry.image = std::move(decoded[i]).value();
        out->cached_bytes_ += bytes;
        ++out->in_memory_;
      }
      out->entries_.push_back(std::move(entry));
    }
    next += chunk;
  }
  if (skip_lines > kMaxSkipLines) {
    log("... and " + std::to_string(skip_lines - kMaxSkipLines) + " more files skipped");
  }
  if (out->entries_.size() < 2) {
    std::string folders;
    for (const std::string& f : options.folders) folders += (folders.empty() ? "" : ", ") + f;
    if (walk.files.empty()) {
      const int64_t others = walk.skipped_non_images;
      return NotFoundError("train: no images in " + folders + " (sub-folders included; " +
                           std::to_string(others) + (others == 1 ? " file" : " files") +
                           " without an image extension)");
    }
    return NotFoundError(
        "train: fewer than 2 usable images (>= " + std::to_string(kMinTrainImageSide) + " px) in " +
        folders + ": " + std::to_string(walk.files.size()) + " image files, " +
        std::to_string(held_out) + " of the held-out split left out, " +
        std::to_string(out->skipped_) + " unreadable or too small");
  }
  // Sorted by path, so the dataset index (and with it every epoch's order) does not depend on
  // which chunk an image was decoded in.
  std::sort(out->entries_.begin(), out->entries_.end(),
            [](const Entry& a, const Entry& b) { return a.path < b.path; });
  log("training images: " + std::to_string(out->entries_.size()) + " (" +
      std::to_string(out->in_memory_) + " in memory, " + std::to_string(out->cached_bytes_ >> 20) +
      " MiB), " + std::to_string(out->skipped_) + " skipped");
  return out;
}

std::unique_ptr<TrainImages> TrainImages::FromImages(std::vector<Image> images) {
  std::unique_ptr<TrainImages> out(new TrainImages());
  for (size_t i = 0; i < images.size(); ++i) {
    assert(std::min(images[i].width, images[i].height) >= kMinAugmentSide);
    out->cached_bytes_ += int64_t(images[i].pixels.size());
    out->entries_.push_back({"image" + std::to_string(i), std::move(images[i])});
  }
  out->in_memory_ = out->size();
  return out;
}

StatusOr<Image> TrainImages::Get(int i) const {
  assert(i >= 0 && i < size());
  const Entry& e = entries_[i];
  if (!e.image.empty()) return e.image;
  return DecodeForTraining(e.path, long_side_);
}

std::vector<Family> StrongViewFamilies() {
  std::vector<Family> f = CopyDetectionFamilies();
  f.push_back(Family::kRotate);
  f.push_back(Family::kScaleTranslate);
  f.push_back(Family::kRandomCrop);
  return f;
}

ViewPair MakeViewPair(const Image& image, uint64_t seed, bool strong) {
  static const std::vector<Family> kStrong = StrongViewFamilies();
  ViewPair p;
  StatusOr<Augmented> a = MakeTrainingView(image, DeriveSeed(seed, 1));
  p.a = a.ok() ? std::move(a->image) : image;
  const uint64_t b_seed = DeriveSeed(seed, kStrongKey);
  StatusOr<Augmented> b = strong ? ApplyRandomChain(image, kStrong, int(1 + b_seed % 3), b_seed)
                                 : MakeTrainingView(image, b_seed);
  p.b = b.ok() ? std::move(b->image) : image;
  return p;
}

std::vector<int> EpochOrder(int count, uint64_t seed, int64_t epoch) {
  std::vector<int> order(count);
  for (int i = 0; i < count; ++i) order[i] = i;
  Shuffle(order, DeriveSeed(DeriveSeed(seed, kOrderKey), uint64_t(epoch)));
  return order;
}

StatusOr<ViewBatch> MakeViewBatch(const TrainImages& data, const std::vector<int>& order, int first,
                                  int n, uint64_t seed, int64_t epoch, const ViewOptions& options) {
  assert(first >= 0 && n > 0 && first + n <= int(order.size()));
  ViewBatch batch;
  batch.n = n;
  batch.size = options.size;
  batch.images.assign(order.begin() + first, order.begin() + first + n);
  const size_t per_view = size_t(3) * options.size * options.size;
  batch.a.resize(per_view * n);
  batch.b.resize(per_view * n);
  std::vector<Status> errors(n);
  const uint64_t epoch_seed =
      DeriveSeed(DeriveSeed(seed, kViewKey), uint64_t(options.fixed ? 0 : epoch));
  ParallelFor(n, options.threads, 1, [&](int64_t b, int64_t e, int) {
    for (int64_t i = b; i < e; ++i) {
      const int index = batch.images[i];
      StatusOr<Image> image = data.Get(index);
      if (!image.ok()) {
        errors[i] = image.status();
        continue;
      }
      ViewPair views =
          MakeViewPair(*image, DeriveSeed(epoch_seed, uint64_t(index)), options.strong);
      WriteModelInput(views.a, options.size, options.mean, options.std,
                      batch.a.data() + per_view * i);
      WriteModelInput(views.b, options.size, options.mean, options.std,
                      batch.b.data() + per_view * i);
    }
  });
  for (const Status& s : errors) RETURN_IF_ERROR(s);
  return batch;
}

BatchPrefetcher::BatchPrefetcher(const TrainImages& data, int batch, int64_t steps_per_epoch,
                                 uint64_t seed, const ViewOptions& options, int64_t first_step,
                                 int64_t end_step)
    : data_(data),
      batch_(batch),
      steps_per_epoch_(steps_per_epoch),
      seed_(seed),
      options_(options),
      next_step_(first_step),
      end_step_(end_step) {
  assert(batch >= 2 && steps_per_epoch >= 1 && int64_t(batch) * steps_per_epoch <= data.size());
  if (next_step_ < end_step_) pending_ = Start(next_step_);
}

BatchPrefetcher::~BatchPrefetcher() {
  if (pending_.valid()) pending_.wait();
}

std::future<StatusOr<ViewBatch>> BatchPrefetcher::Start(int64_t step) {
  const int64_t epoch = step / steps_per_epoch_;
  if (epoch != order_epoch_) {
    order_ = std::make_shared<const std::vector<int>>(EpochOrder(data_.size(), seed_, epoch));
    order_epoch_ = epoch;
  }
  const int first = int((step % steps_per_epoch_) * batch_);
  return std::async(std::launch::async, [this, order = order_, first, epoch] {
    return MakeViewBatch(data_, *order, first, batch_, seed_, epoch, options_);
  });
}

StatusOr<ViewBatch> BatchPrefetcher::Next() {
  assert(pending_.valid() && "Next() called past end_step");
  StatusOr<ViewBatch> batch = pending_.get();
  ++next_step_;
  if (next_step_ < end_step_) pending_ = Start(next_step_);
  return batch;
}

}  // namespace neardup::nn
