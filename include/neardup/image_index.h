// A persistent index of image descriptors for copy detection and for libraries too large to
// rescan: `neardup index ...`.
//
// An index is a folder holding
//   catalog.sqlite  one row per image (absolute path, size, mtime, width, height, descriptor) or
//                   per imported hash (its ID), the source of truth;
//   vectors.faiss   the Faiss index of those descriptors, chosen by a factory string at creation
//                   ("BFlat", "BHNSW32", "BHash2x16" for hashes; "Flat", "HNSW32",
//                   "IVF4096,Flat", "IVF4096,PQ32" for embeddings), rebuilt from the catalog
//                   whenever it is missing or behind.
// Durability: catalog rows are committed in transactions as files are described, and the Faiss
// file is replaced atomically, stamped with the highest catalog id it holds. A process killed at
// any moment leaves an index that opens and answers (the Faiss side catches up from the catalog
// on open), and running the same add again describes only the files not yet committed.
//
// Damage: every catalog row read back is checked (types, ranges, blob sizes, the method's
// descriptor shape); a bad row is reported once as a warning and ignored, and `index add` of its
// file replaces it. A damaged catalog file (SQLite's "malformed", a missing table) is Corruption,
// never an empty answer. A vectors.faiss that is unreadable (truncated) or disagrees with the
// catalog (dimensions, kind, ids beyond the catalog's, more vectors than rows) is rebuilt from the
// catalog, with a warning, and saved again when the folder is writable.
// Failed writes (disk full, read-only folder) are IOError naming the file; rows committed before
// stay, and the next add with room completes the index.
//
// Thread safety: one ImageIndex object is used by one thread at a time; several processes may
// read an index while one writes to it (SQLite WAL).
#ifndef NEARDUP_INDEX_H_
#define NEARDUP_INDEX_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "neardup/descriptor.h"
#include "neardup/find.h"
#include "neardup/status.h"

namespace neardup {

struct IndexStats {
  std::string path;  // the index folder
  std::string method;
  std::string factory;        // Faiss factory string
  int dims = 0;               // bits (hashes) or dimensions (embeddings)
  int64_t images = 0;         // rows in the catalog
  int64_t vectors = 0;        // vectors in the Faiss index (removed ones included until purged)
  bool trained = true;        // false: an IVF/PQ index waits for enough vectors; searches are exact
  int64_t catalog_bytes = 0;  // catalog.sqlite and its journal
  int64_t vector_bytes = 0;   // vectors.faiss
};

// Which view of a query an index hit came from (QueryDescribed, QueryImages): the query as it
// is, turned and mirrored (QueryOptions::orientations), or a picture inside it
// (QueryOptions::regions).
struct QueryView {
  int quarter_turns = 0;  // the query turned clockwise by this many quarter turns, 0..3,
  bool mirrored = false;  // then mirrored left-right
  // The window of the query the picture fills, in fractions of its width and height (so the
  // same at any decoded size); width 0: the whole query.
  double x = 0, y = 0, width = 0, height = 0;
  bool upright() const { return quarter_turns == 0 && !mirrored && width == 0; }
};

struct IndexHit {
  int64_t id = 0;
  std::string path;     // as stored: the absolute path, or an imported hash's ID
  double distance = 0;  // the method's unit: bits, or 1 - cosine
  double score = 0;     // Method::Score(distance), in [0,1]
  QueryView view;       // upright from Query
};

struct IndexPair {
  std::string a;  // a < b by catalog id
  std::string b;
  double distance = 0;  // bits, or 1 - cosine
};

struct IndexAddResult {
  int64_t added = 0;      // files described and committed in this run
  int64_t unchanged = 0;  // files already in the index with the same size and mtime
  std::vector<InputError> errors;
  std::vector<std::string> warnings;
  int64_t skipped_non_images = 0;
};

// One hash of an imported list (e.g. a PDQ hash exchanged between trust-and-safety teams).
struct ImportedHash {
  // Any bytes; stored as the row's path, so IDs and file paths share one namespace: an ID equal
  // to an indexed file's absolute path is refused (AddHashes), and a file whose path is an
  // imported ID is refused by Add (remove the ID first). A second import of an ID replaces it.
  std::string id;
  Descriptor descriptor;
};

struct ImportResult {
  int64_t added = 0;      // new IDs, and IDs whose hash changed
  int64_t unchanged = 0;  // IDs already imported with the same hash
  // Hashes refused (InputError::path is the ID): wrong descriptor size, an ID that is an indexed
  // file's path, one ID given different hashes in the same call (neither is kept).
  std::vector<InputError> errors;
};

struct IndexOptions {
  // Receives each warning (a bad catalog row skipped, vectors.faiss rebuilt). Add calls it from
  // its scan threads too, possibly concurrently: it must be thread-safe. Null: dropped.
  std::function<void(const std::string&)> warn;
};

class ImageIndex {
 public:
  virtual ~ImageIndex() = default;
  ImageIndex() = default;
  ImageIndex(const ImageIndex&) = delete;
  ImageIndex& operator=(const ImageIndex&) = delete;

  // Creates an empty index folder `dir` for `method`; an empty `factory` picks exact search.
  // InvalidArgument for an unknown method or factory, or when `dir` exists and is not empty.
  static StatusOr<std::unique_ptr<ImageIndex>> Create(const std::string& dir,
                                                      const std::string& method,
                                                      const std::string& factory = "",
                                                      const IndexOptions& options = {});
  // Opens an index made by Create. NotFound / Corruption; InvalidArgument when the index was made
  // by another version of its method (descriptors would not compare).
  static StatusOr<std::unique_ptr<ImageIndex>> Open(const std::string& dir,
                                                    const IndexOptions& options = {});

  virtual const Method& method() const = 0;

  // Describes and adds every image of options.inputs not already indexed with the same size and
  // mtime (a changed file replaces its row). options.method, use_cache and cache_path are ignored:
  // the index is the cache. Errors of single files land in the result; a non-OK Status means the
  // index could not be read or written (IOError before any file is described when the catalog
  // is read-only).
  virtual StatusOr<IndexAddResult> Add(ScanOptions options) = 0;
  // Adds hashes that have no file (import). Each descriptor must be of the index's method; for
  // pdq8 a single PDQ hash is accepted and matches in its own orientation only (queries still try
  // all eight of theirs). Hashes refused one by one land in the result; a non-OK Status means the
  // index could not be read or written.
  virtual StatusOr<ImportResult> AddHashes(const std::vector<ImportedHash>& hashes) = 0;
  // Removes rows by path (as given, or made absolute) or imported ID; returns those not found.
  virtual StatusOr<std::vector<std::string>> Remove(const std::vector<std::string>& paths) = 0;

  // The k nearest indexed images of each query descriptor (of the index's method), nearest first;
  // equal distances by path, so the same index always answers a query the same way.
  virtual StatusOr<std::vector<std::vector<IndexHit>>> Query(const std::vector<Descriptor>& queries,
                                                             int k) = 0;
  // Every pair of indexed images within `threshold` (bits for hashes: distance <= threshold;
  // cosine for embeddings: similarity >= threshold), sorted by ids. Exact for hashes (multi-index
  // hashing, memory O(n)) and for "Flat" embeddings; other float indexes compare each image with
  // its kDupsNeighbors nearest.
  virtual StatusOr<std::vector<IndexPair>> Dups(double threshold, int threads) = 0;
  virtual StatusOr<IndexStats> Stats() = 0;
  // Calls fn(path or ID, descriptor) for every row, in id order (bad rows skipped and warned).
  virtual Status ForEach(const std::function<void(const std::string&, const Descriptor&)>& fn) = 0;

  // Search effort of approximate indexes (efSearch of HNSW, nprobe of IVF).
  virtual void SetEffort(int effort) = 0;
};

// Neighbours compared per image by Dups on an approximate float index.
inline constexpr int kDupsNeighbors = 32;

// What QueryImages does with each query image.
struct QueryOptions {
  int k = 10;  // neighbours per query, >= 1
  // Also query with the image's three other quarter turns and the mirrors of all four (eight
  // orientations in all), each indexed image keeping its smallest distance: an upload turned
  // sideways or mirrored is found although the method's descriptor changes under those edits (the
  // learned methods). A method whose descriptor already holds the eight (pdq8) is queried once.
  // Costs eight descriptions per query.
  bool orientations = false;
  // With orientations: a turned or mirrored view's hit ranks as if its score (Method::Score) were
  // this much lower, so that a reference seen upright is preferred to one that only a turned view
  // brings close (turned views of unrelated references crowd out small rotations and paste-ins
  // otherwise). Hits report their true distance and score. Chosen on the training benchmark
  // (README, issue 15): 0.025 is the smallest margin at which no family loses recall to the
  // turned views (a cosine margin of 0.05 for the learned methods).
  double turned_score_margin = 0.025;
  // Also query with the pictures found inside each query image (up to two: a photo pasted into a
  // screenshot, a web page, a slide or a document, on flat surroundings), each cropped and
  // described as an image of its own, so that a reference shown as a small part of a larger frame
  // is found. An image with no such picture (a photo filling its frame) costs nothing more; one
  // with two, two descriptions more.
  bool regions = false;
  // With regions: a region's hit ranks as if its score were this much lower (as
  // turned_score_margin), so that the whole query's own matches come first.
  double region_score_margin = 0.025;
  int threads = 0;  // describing; 0 = one per hardware thread
};

// A query described for QueryDescribed: its descriptor as it is, those of its seven other
// orientations (QueryOptions::orientations; in the order of DescribeOtherViews), and those of the
// pictures found inside it (QueryOptions::regions). Empty lists query upright only.
struct QueryDescriptors {
  Descriptor upright;
  std::vector<Descriptor> turned;
  std::vector<Descriptor> regions;
  std::vector<QueryView> region_views;  // where each of `regions` lies, aligned with it
};

// Whether m's descriptor already holds an image's eight orientations (pdq8): no turned views are
// described for it and QueryOptions::orientations changes nothing.
bool HoldsOrientations(const Method& m);

// The views of each image other than upright, described with m as options asks (orientations:
// each image turned by 90, 180 and 270 degrees, then the mirrors of all four, seven descriptors
// unless HoldsOrientations(m); regions: one per picture found inside it); `upright` is left
// empty. Needs no index, so a server can describe outside its index lock. Errors name the image
// by its place from 0.
StatusOr<std::vector<QueryDescriptors>> DescribeOtherViews(
    const Method& m, const std::vector<const Image*>& images, const QueryOptions& options);
// The same for image files, each decoded as Scan decodes it for m (DecodeOptions::min_side =
// m.min_decode_side()) one file per worker at a time, so memory stays bounded for any number of
// files. Errors name the file.
StatusOr<std::vector<QueryDescriptors>> DescribeOtherViewsOfFiles(
    const Method& m, const std::vector<std::string>& paths, const QueryOptions& options);

// The options.k nearest indexed images of each described query. A query with no other views gets
// Query's hits; otherwise each indexed image appears once, from the view that ranks it best
// (ranks: distance, the other views' after their margins), ties by path. options.orientations,
// options.regions and options.threads are not used here. Errors: k < 1, a descriptor not of
// index.method(), or the index's own.
StatusOr<std::vector<std::vector<IndexHit>>> QueryDescribed(
    ImageIndex& index, const std::vector<QueryDescriptors>& queries, const QueryOptions& options);

// Describes images (upright RGB or grey, as decoded) with index.method(), with the other views
// options asks for, and answers QueryDescribed. Errors: k < 1, an image the method
// cannot describe (the message says which, from 0), or the index's own.
StatusOr<std::vector<std::vector<IndexHit>>> QueryImages(ImageIndex& index,
                                                         const std::vector<const Image*>& images,
                                                         const QueryOptions& options);

}  // namespace neardup

#endif  // NEARDUP_INDEX_H_
