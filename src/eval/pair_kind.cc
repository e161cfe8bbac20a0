// ClassifyPair(): the pair rules of eval.h for one pair, and the protocols' names. metrics.cc's
// Labeler applies the same rules to dense per-image arrays for speed; the two are checked against
// each other in tests/eval/bench_run_test.cc.
#include <algorithm>
#include <cassert>
#include <optional>
#include <string_view>

#include "neardup/eval.h"

namespace neardup {

const char* EvalProtocolName(EvalProtocol protocol) {
  return protocol == EvalProtocol::kQuerySide ? "query" : "all";
}

const char* EvalProtocolTitle(EvalProtocol protocol) {
  return protocol == EvalProtocol::kQuerySide ? "query-side" : "all pairs";
}

std::optional<EvalProtocol> ParseEvalProtocol(std::string_view name) {
  if (name == "all") return EvalProtocol::kAllPairs;
  if (name == "query") return EvalProtocol::kQuerySide;
  return std::nullopt;
}

PairKind ClassifyPair(const Benchmark& bench, int32_t a, int32_t b, std::string* family,
                      EvalProtocol protocol) {
  const std::vector<BenchImage>& images = bench.images();
  assert(a != b && a >= 0 && b >= 0 && size_t(a) < images.size() && size_t(b) < images.size());
  if (family != nullptr) family->clear();
  const BenchImage& x = images[a];
  const BenchImage& y = images[b];
  const std::pair<int32_t, int32_t> key{std::min(a, b), std::max(a, b)};
  if (std::binary_search(bench.ignored().begin(), bench.ignored().end(), key)) {
    return PairKind::kIgnored;
  }
  if (protocol == EvalProtocol::kQuerySide && x.role == BenchRole::kDistractor &&
      y.role == BenchRole::kDistractor) {
    return PairKind::kIgnored;
  }
  if (x.group.empty() || x.group != y.group) return PairKind::kNegative;
  const bool copy_x = x.role == BenchRole::kCopy, copy_y = y.role == BenchRole::kCopy;
  if (copy_x && copy_y) return PairKind::kIgnored;
  if (copy_x || copy_y) {
    const BenchImage& copy = copy_x ? x : y;
    const BenchImage& other = copy_x ? y : x;
    if (other.role != BenchRole::kOriginal) return PairKind::kIgnored;  // copy <-> natural
    if (family != nullptr) *family = copy.family.empty() ? kUnknownFamily : copy.family;
    return PairKind::kPositive;
  }
  if (family != nullptr) *family = kNaturalFamily;  // original|natural <-> original|natural
  return PairKind::kPositive;
}

}  // namespace neardup
