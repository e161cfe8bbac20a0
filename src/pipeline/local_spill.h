// Local features moved out of memory for the rest of a run (private to the library).
//
// Find and Pairs over a pair-pipeline method would otherwise hold every image's keypoints (60-80
// KB each: 6-8 GB at 100,000 images) from the scan to the end. The scan writes each image's
// Descriptor::local to one temporary file ($TMPDIR, else /tmp; unlinked at once, so it vanishes
// with the process) and empties it; the pipeline reads a pair's features back when it scores
// the pair (LocalFeatureSource, fuse.h). What the page cache holds of the file is the kernel's to
// reclaim; the process keeps 16 bytes per image.
#ifndef NEARDUP_SRC_PIPELINE_LOCAL_SPILL_H_
#define NEARDUP_SRC_PIPELINE_LOCAL_SPILL_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "neardup/fuse.h"
#include "neardup/status.h"

namespace neardup {

class LocalSpill : public LocalFeatureSource {
 public:
  // Where one item's bytes lie in the file.
  struct Ticket {
    uint64_t offset = 0;
    uint64_t size = 0;
  };

  // A new spill file in `folder` (empty: $TMPDIR, else /tmp), or IOError naming the folder and
  // the reason.
  static StatusOr<std::unique_ptr<LocalSpill>> Create(const std::string& folder = "");
  ~LocalSpill() override;
  LocalSpill(const LocalSpill&) = delete;
  LocalSpill& operator=(const LocalSpill&) = delete;

  // Appends `bytes`; IOError (e.g. disk full) when they could not all be written. Thread-safe.
  StatusOr<Ticket> Write(const std::vector<uint8_t>& bytes);
  // Item i of the run is the record of items[i] (called once, after the writes, before Load).
  void SetItems(std::vector<Ticket> items) { items_ = std::move(items); }
  // Item i's bytes. Thread-safe.
  StatusOr<std::vector<uint8_t>> Load(int64_t item) const override;

 private:
  explicit LocalSpill(int fd) : fd_(fd) {}
  int fd_ = -1;
  std::atomic<uint64_t> end_{0};
  std::vector<Ticket> items_;
};

}  // namespace neardup

#endif  // NEARDUP_SRC_PIPELINE_LOCAL_SPILL_H_
