#include "dist/distributed.h"

#include <algorithm>

#include "dist/wire.h"

namespace neardup::dist {

std::string EncodePairs(const std::vector<ScoredPair>& pairs) {
  Writer w;
  w.Vec(pairs);
  return w.Take();
}

Status DecodePairsInto(const std::string& bytes, std::vector<ScoredPair>* out) {
  Reader r(bytes);
  std::vector<ScoredPair> v = r.Vec<ScoredPair>();
  if (!r.ok() || !r.done()) return CorruptionError("damaged pair data from another process");
  out->insert(out->end(), v.begin(), v.end());
  return Status::Ok();
}

StatusOr<std::vector<ScoredPair>> GatherPairs(std::vector<ScoredPair> mine) {
  if (CurrentCluster().size <= 1) return mine;  // one process: nothing to encode or exchange
  ASSIGN_OR_RETURN(std::vector<std::string> all, AllGather(EncodePairs(mine)));
  std::vector<ScoredPair> out;
  for (const std::string& bytes : all) RETURN_IF_ERROR(DecodePairsInto(bytes, &out));
  SortUniquePairs(&out);
  return out;
}

}  // namespace neardup::dist
