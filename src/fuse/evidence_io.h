// The fused pipeline's keys and bytes for the pair-evidence cache (DescriptorCache::LookupPair,
// cache.h), private to the library.
#ifndef NEARDUP_SRC_FUSE_EVIDENCE_IO_H_
#define NEARDUP_SRC_FUSE_EVIDENCE_IO_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "neardup/descriptor.h"
#include "neardup/fuse.h"

namespace neardup::fuse_internal {

// A 64-bit fingerprint of a descriptor's content (codes, quality and local features): equal
// descriptors have equal fingerprints, so evidence follows the pictures, not their paths.
uint64_t DescriptorFingerprint(const Descriptor& d);

// A key of everything that changes a pair's evidence: every option of `o` but the model (the
// score is recomputed from the evidence with the current model, so refitting it re-verifies
// nothing) and the version of the evidence code (bumped when the verification changes).
uint64_t OptionsVersion(const FuseOptions& o);

// PairEvidence without its pair indices and inlier pairs, as bytes and back; nullopt for bytes
// that are not a whole record of this layout.
std::vector<uint8_t> SerializeEvidence(const PairEvidence& e);
std::optional<PairEvidence> ParseEvidence(const std::vector<uint8_t>& bytes);

// The key under which a folder's candidate list is cached: every item's fingerprint in order
// and the options version. Stored as the "pair" (FolderKey, 0) of the pair cache, so a re-run
// over an unchanged folder searches no candidates either; any change of the folder is a miss.
uint64_t FolderKey(const std::vector<uint64_t>& fingerprints, uint64_t options_version);

// Candidate lists as bytes and back (nullopt: not a whole record, or an index >= n).
struct CandidatePair {
  int64_t a = 0;
  int64_t b = 0;
};
std::vector<uint8_t> SerializeCandidates(const std::vector<CandidatePair>& pairs);
std::optional<std::vector<CandidatePair>> ParseCandidates(const std::vector<uint8_t>& bytes,
                                                          int64_t n);

}  // namespace neardup::fuse_internal

#endif  // NEARDUP_SRC_FUSE_EVIDENCE_IO_H_
