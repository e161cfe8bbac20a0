// From matched pairs to duplicate groups, and which file of each group to keep.
#ifndef NEARDUP_GROUP_H_
#define NEARDUP_GROUP_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "neardup/search.h"

namespace neardup {

// What the keep-ranking knows about a file.
struct FileFacts {
  int width = 0;  // pixels, upright
  int height = 0;
  int64_t bytes = 0;
  int64_t mtime_ns = 0;
  std::string format;  // "jpeg", "png", ...
  std::string path;
};

enum class GroupMode {
  // The default: pairs are joined strongest first, and a pair joins two groups only when every
  // member of the result matches the group's hub (its most matched member) or at least half of
  // the other members directly. A chain splits at its weakest links, and one false match between
  // two groups (two pictures that share a caption or a sticker) cannot merge them.
  kConfirmed,
  kConnected,  // connected components of the match graph (A~B, B~C => {A,B,C})
  kStrict,     // every member matches the group's kept file directly; others form other groups
};

struct GroupMember {
  int64_t item = 0;    // index into the facts/descriptors the caller passed
  bool keep = false;   // the proposed file to keep (exactly one per group)
  double score = 1.0;  // similarity to the kept file in [0,1] (1 for the kept file itself)
  std::string reason;  // why it is kept, or why not ("lower resolution (800x600 < 4000x3000)")
};

struct Group {
  std::vector<GroupMember> members;  // kept file first, then by descending score, then path
  // The pairs that join two members of this group: indices into the `pairs` GroupPairs was
  // given, ascending (in strict mode a group holds the pairs among its members, not only those
  // with the kept file).
  std::vector<int64_t> pairs;
};

// Orders the items of one group best-first for keeping: more pixels, then a lossless or modern
// format (png/tiff > heif/webp/jpeg > gif/bmp), then more bytes (less compressed), then the older
// file, then the shorter path, then the path. Returns indices into `facts`.
std::vector<int64_t> RankForKeeping(const std::vector<FileFacts>& facts,
                                    const std::vector<int64_t>& items);

// Why `a` ranks before `b` in RankForKeeping, in words ("higher resolution (4000x3000 vs
// 800x600)"); "identical file facts" when they tie on everything but the path.
std::string KeepReason(const FileFacts& a, const FileFacts& b);

// Groups `n` items given the matched `pairs` (a < b). `similarity(i, j)` returns the score in
// [0,1] of any two items (used for each member's score against the kept file).
// Items in no pair are in no group. Groups are ordered by their kept file's path.
std::vector<Group> GroupPairs(int64_t n, const std::vector<ScoredPair>& pairs, GroupMode mode,
                              const std::vector<FileFacts>& facts,
                              const std::function<double(int64_t, int64_t)>& similarity);

}  // namespace neardup

#endif  // NEARDUP_GROUP_H_
