// What `neardup find` and `neardup pairs` do end to end: walk the inputs, decode and describe every
// image on all cores (through the cache), search, group.
// Nothing here writes, moves or deletes a user's file; the only file written is the cache.
#ifndef NEARDUP_FIND_H_
#define NEARDUP_FIND_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "neardup/cache.h"
#include "neardup/decode.h"
#include "neardup/descriptor.h"
#include "neardup/fuse.h"
#include "neardup/group.h"
#include "neardup/hash.h"
#include "neardup/registry.h"
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
  ScanOptions scan;  // scan.method names the method
  // The method already made (MakeMethod(scan.method)), so a caller that checked a threshold
  // against it does not make it twice; null: Find makes it.
  std::shared_ptr<const Method> method;
  // In the method's unit (bits for hashes; Method::threshold_range); default: the method's.
  std::optional<double> threshold;
  GroupMode mode = GroupMode::kConfirmed;
  // PDQ hashes below this quality (0-100) are only matched at distance <= kLowQualityMaxBits:
  // flat or blurry images have unstable bits and would otherwise match anything.
  int min_quality = kPdqReliableQuality;
};

// PDQ's documented advice: hashes of quality < 50 are unreliable; such images still match exact
// and almost exact copies.
inline constexpr int kLowQualityMaxBits = 8;

struct FindResult {
  // The method that described and matched (made once, from options.scan.method): names, units
  // and scores of the result come from it.
  std::shared_ptr<const Method> method;
  // The files as scanned. For pair-pipeline methods (fused) on one process, Descriptor::local is
  // empty: the local features are moved to a temporary file during the scan and read back per
  // pair (memory stays at ~10 KB per image; Scan() returns them in full).
  ScanResult scan;
  // Every matched pair: indices into scan.files (a < b, sorted), distance in the method's unit.
  std::vector<ScoredPair> pairs;
  // Pair-pipeline methods (fused) only: the evidence of each pair of `pairs`, in the same order,
  // geometry in the pixels of the files (fuse.h).
  std::vector<PairEvidence> evidence;
  // The groups of `pairs` (FindOptions::mode); Group::pairs indexes `pairs`.
  std::vector<Group> groups;
  double threshold = 0;  // the threshold used
};

// Scans the inputs with the method options.scan.method names, finds every matching pair the way
// the method declares (a self-join within the threshold, or its pair pipeline), and groups them
// with a proposed file to keep in each group. Files that cannot be read are listed in
// scan.errors and the run goes on. Errors: an unknown method or a threshold outside its range
// (InvalidArgument/NotFound, nothing scanned), or a failure of the search itself. Under mpirun
// every process describes a slice and all return the same result (cluster.h).
StatusOr<FindResult> Find(const FindOptions& options);

struct PairsResult {
  std::shared_ptr<const Method> method;  // made once from options.method
  ScanResult scan;  // local features moved out as in FindResult::scan
  // For each file in scan.files, its k most similar other files, ascending distance in the
  // method's unit (ties by index). A pair-pipeline method knows only the candidates it proposes,
  // so a file may have fewer than k.
  std::vector<std::vector<Neighbor>> neighbors;
};

// Scans the inputs and lists each file's k nearest others, matching or not (for threshold
// studies and review). Errors: k < 1, an unknown method; unreadable files as in Find.
StatusOr<PairsResult> Pairs(const ScanOptions& options, int k);

}  // namespace neardup

#endif  // NEARDUP_FIND_H_
