// What `neardup find` and `neardup pairs` do end to end: walk the inputs, decode and describe every
// image on all cores (through the cache), search, group.
// Nothing here writes, moves or deletes a user's file; the only file written is the cache.
#ifndef NEARDUP_FIND_H_
#define NEARDUP_FIND_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "neardup/cache.h"
#include "neardup/decode.h"
#include "neardup/descriptor.h"
#include "neardup/fuse.h"
#include "neardup/group.h"
#include "neardup/hash.h"
#include "neardup/search.h"
#include "neardup/status.h"

namespace neardup {

// Called from worker threads (serialised by the caller's pipeline) as files complete: after each
// file, or after each batch of Method::preferred_batch() files.
using ProgressFn = std::function<void(int64_t done, int64_t total)>;

struct ScanOptions {
  std::vector<std::string> inputs;  // folders and files; files named here are always tried
  bool recursive = false;           // descend into sub-folders of input folders
  // Also enter sub-folders on another file system than the named folders' own (mount points,
  // folder symlinks); off, they are listed in ScanResult::warnings as not entered. Pseudo file
  // systems (/proc, /sys, ...) are never entered.
  bool cross_devices = false;
  std::string method = kDefaultMethod;
  int threads = 0;  // 0 = one per hardware thread
  bool use_cache = true;
  std::string cache_path;  // empty = DefaultCachePath()
  // When set, used instead of the cache above (use_cache and cache_path are ignored); the caller
  // keeps it alive. ImageIndex passes its catalog here.
  DescriptorCache* cache = nullptr;
  // Describe only slice `shard` of `shards` contiguous slices of the listed files (a process of
  // a distributed run, src/dist/); the listing's errors and skip count go to shard 0 only.
  int shard = 0;
  int shards = 1;
  int64_t max_pixels = kDefaultMaxPixels;
  ProgressFn progress;  // optional
};

// One image that was read (or found in the cache).
struct ScannedFile {
  std::string path;  // as found (input prefix + relative name); bytes, not always UTF-8
  FileFacts facts;
  Descriptor descriptor;
  bool from_cache = false;
};

// One input that could not be used, and why.
struct InputError {
  std::string path;
  Status status;  // its message does not repeat the path
};

struct ScanResult {
  std::vector<ScannedFile> files;     // sorted by path
  std::vector<InputError> errors;     // sorted by path; each input at most once
  std::vector<std::string> warnings;  // e.g. the cache could not be opened
  int64_t skipped_non_images = 0;     // files in folders whose extension is not an image's
  int64_t decoded = 0;                // files decoded in this run
  int64_t cached = 0;                 // files answered by the cache
};

// Lists the inputs, then decodes and describes every image. Errors of single files land in
// `errors`; the returned Status fails only for a bad option (unknown method).
// A folder lists files with image extensions (jpg, jpeg, jpe, jfif, png, webp, tif, tiff, bmp,
// gif, heic, heif, avif; any case); directories are descended only when `recursive`, and a
// directory whose name looks like an image is reported when not descended. Symlinks are
// followed; a loop or dangling link is reported. A path longer than PATH_MAX is reported.
StatusOr<ScanResult> Scan(const ScanOptions& options, const Method& method);

struct FindOptions {
  ScanOptions scan;
  std::optional<double> threshold;  // method's unit (bits for hashes); default: the method's
  GroupMode mode = GroupMode::kConnected;
  // PDQ hashes below this quality (0-100) are only matched at distance <= kLowQualityMaxBits:
  // flat or blurry images have unstable bits and would otherwise match anything.
  int min_quality = kPdqReliableQuality;
};

// PDQ's documented advice: hashes of quality < 50 are unreliable; such images still match exact
// and almost exact copies.
inline constexpr int kLowQualityMaxBits = 8;

struct FindResult {
  ScanResult scan;
  std::vector<ScoredPair> pairs;  // indices into scan.files, distance in the method's unit
  // The fused method only: the evidence of each pair of `pairs`, in the same order (fuse.h).
  std::vector<PairEvidence> evidence;
  std::vector<Group> groups;
  double threshold = 0;  // the threshold used
};

StatusOr<FindResult> Find(const FindOptions& options);

struct PairsResult {
  ScanResult scan;
  // For each file in scan.files, its k most similar other files.
  std::vector<std::vector<Neighbor>> neighbors;
};

StatusOr<PairsResult> Pairs(const ScanOptions& options, int k);

}  // namespace neardup

#endif  // NEARDUP_FIND_H_
