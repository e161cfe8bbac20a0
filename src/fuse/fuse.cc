// FusedScore, FusePair, FusedPairs: candidates, verification, one calibrated score.
#include "neardup/fuse.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

#include "core/hamming.h"
#include "core/parallel.h"
#include "fuse/candidates.h"
#include "fuse/evidence_io.h"
#include "neardup/hash.h"

namespace neardup {
namespace {

constexpr int kWords = kPdqBits / 64;
constexpr int kVariants = 8;

// pdq8's distance: the smallest over the dihedral variants (hash.h).
int DihedralBits(const Descriptor& a, const Descriptor& b) {
  if (a.bits.size() < size_t(kWords) || b.bits.size() < size_t(kWords)) return kPdqBits;
  return VariantDistance<kWords>(a.bits.data(), int(a.bits.size()) / kWords, b.bits.data(),
                                 int(b.bits.size()) / kWords);
}
using fuse_internal::ItemKeys;

// Below this many pixels on the shorter side an image says little (PairEvidence).
constexpr int kLowInformationSide = 32;

bool LowInformation(const ItemKeys& k, const FuseOptions& o) {
  return !k.usable || k.keypoints < o.min_keypoints ||
         std::min(k.width, k.height) < kLowInformationSide;
}

// How many of one image's `vote_keypoints` strongest keypoints (as it is and mirrored) have a
// descriptor within vote_max_bits among the other's `vote_index_keypoints` strongest, counted
// both ways: the candidate vote, computed exactly for one pair (so a pair's score does not
// depend on the rest of the folder).
// `mirrored` gets the votes of mirrored keypoints.
int SharedKeypoints(const ItemKeys& x, const ItemKeys& y, const FuseOptions& o, int* mirrored) {
  *mirrored = 0;
  if (!x.usable || !y.usable || !x.binary || !y.binary ||
      x.descriptor_bytes != y.descriptor_bytes || x.descriptor_bytes == 0) {
    return 0;
  }
  const int bytes = x.descriptor_bytes;
  auto found = [&](const uint8_t* d, const ItemKeys& in) {
    const int n = std::min(in.strongest_count(), o.vote_index_keypoints);
    return FirstWithinHamming(d, in.strongest.data(), n, bytes, o.vote_max_bits) >= 0;
  };
  auto count = [&](const ItemKeys& from, const ItemKeys& in) {
    int c = 0;
    const int n = std::min(from.strongest_count(), o.vote_keypoints);
    for (int i = 0; i < n; ++i) c += found(from.strongest.data() + size_t(i) * bytes, in);
    const int m = std::min(from.mirrored_count(), o.vote_keypoints);
    for (int i = 0; i < m; ++i) {
      const int v = found(from.strongest_mirrored.data() + size_t(i) * bytes, in);
      c += v;
      *mirrored += v;
    }
    return c;
  };
  return count(x, y) + count(y, x);
}

// VerifyPair as a cascade (FuseOptions::quick_keypoints): a quick pass on the strongest
// keypoints settles clear matches and clear non-matches; the rest are matched in full.
Verification Verify(const LocalFeatures& a, const LocalFeatures& b, const PairEvidence& e,
                    const FuseOptions& o) {
  VerifyOptions vo = o.verify;
  vo.use_keypoints = o.verify_keypoints;
  const int direct = e.votes - e.mirrored_votes;
  vo.mirrored = vo.mirrored && e.mirrored_votes >= o.mirrored_vote_share * direct;
  if (o.quick_keypoints > 0 && (vo.use_keypoints == 0 || o.quick_keypoints < vo.use_keypoints)) {
    VerifyOptions quick = vo;
    quick.use_keypoints = o.quick_keypoints;
    Verification v = VerifyPair(a, b, quick);
    if (v.match && v.inliers >= o.quick_accept_inliers) return v;
    if (v.matches < o.quick_reject_matches) {
      v.reason =
          "too few matches among the strongest keypoints (" + std::to_string(v.matches) + ")";
      return v;
    }
  }
  return VerifyPair(a, b, vo);
}

// Fills `e` (a and b already set) from the descriptors and keys of both items; the whole local
// features are parsed only when the pair is verified.
void Score(const Descriptor& da, const Descriptor& db, const ItemKeys& ka, const ItemKeys& kb,
           const FuseOptions& o, PairEvidence* e) {
  e->hash_bits = DihedralBits(da, db);
  e->low_quality = std::min(da.quality, db.quality) < kPdqReliableQuality;
  e->low_information = e->low_quality || LowInformation(ka, o) || LowInformation(kb, o);
  e->pixel_diff = ka.usable && kb.usable ? ThumbnailDistance(ka.thumbnail, kb.thumbnail) : -1;
  e->votes = SharedKeypoints(ka, kb, o, &e->mirrored_votes);
  const bool trusted = e->hash_bits <= o.trusted_bits && !e->low_information;
  e->fallback = !trusted && (ka.keypoints < o.min_keypoints || kb.keypoints < o.min_keypoints);
  StatusOr<LocalFeatures> fa = LocalFeatures{}, fb = LocalFeatures{};
  if (trusted) {
    e->why_not_verified = "the hash distance is conclusive";
  } else if (e->fallback) {
    e->why_not_verified = "too few keypoints: scored on the hash alone";
  } else if (e->votes < o.min_votes_to_verify) {
    e->why_not_verified = "too few shared keypoints to verify: scored on the hash alone";
  } else if (!(fa = ParseFeatures(da.local.data(), da.local.size())).ok() ||
             !(fb = ParseFeatures(db.local.data(), db.local.size())).ok()) {
    e->why_not_verified = "local features damaged: scored on the hash alone";
  } else {
    e->verified = true;
    e->verification = Verify(*fa, *fb, *e, o);
    if (!o.keep_inliers) {
      e->verification.inlier_pairs.clear();
      e->verification.inlier_pairs.shrink_to_fit();
    }
  }
  e->score = FusedScore(o.model, *e);
}

}  // namespace

double FusedScore(const FuseModel& m, const PairEvidence& e) {
  const double h = e.hash_bits / double(kPdqBits);
  double z;
  if (e.verified) {
    const Verification& v = e.verification;
    const double match = v.match ? 1.0 : 0.0;
    z = m.v[0] + m.v[1] * h + m.v[2] * match + m.v[3] * match * std::log1p(v.inliers) +
        m.v[4] * match * v.coverage + m.v[5] * std::log1p(e.votes);
  } else {
    const double d = e.pixel_diff < 0 ? 1.0 : std::min(e.pixel_diff, 64.0) / 64;
    z = m.g[0] + m.g[1] * h + m.g[2] * (e.low_quality ? 1.0 : 0.0) +
        m.g[3] * (e.low_information ? d : 0.0);
  }
  double score = 1.0 / (1.0 + std::exp(-z));
  // Two flat pictures of different colours have near hashes and nothing to verify: without their
  // pixels agreeing the evidence is not there.
  if (!e.verified && e.low_information &&
      (e.pixel_diff < 0 || e.pixel_diff > kLowInformationMaxPixelDiff)) {
    score = std::min(score, kLowInformationMaxScore);
  }
  return score;
}

StatusOr<PairEvidence> FusePair(const Descriptor& a, const Descriptor& b,
                                const FuseOptions& options) {
  ASSIGN_OR_RETURN(LocalFeatures fa, ParseFeatures(a.local.data(), a.local.size()));
  ASSIGN_OR_RETURN(LocalFeatures fb, ParseFeatures(b.local.data(), b.local.size()));
  PairEvidence e;
  e.b = 1;
  Score(a, b, fuse_internal::KeysOf(fa, options), fuse_internal::KeysOf(fb, options), options, &e);
  return e;
}

StatusOr<std::vector<PairEvidence>> FusedPairs(const std::vector<const Descriptor*>& items,
                                               const FuseOptions& o, int threads,
                                               DescriptorCache* cache) {
  const int64_t n = int64_t(items.size());
  if (o.keep_inliers) cache = nullptr;  // the cache keeps no inlier pairs
  std::vector<uint64_t> fingerprints;
  const uint64_t version = cache ? fuse_internal::OptionsVersion(o) : 0;
  uint64_t folder = 0;
  if (cache) {
    fingerprints.resize(n);
    ParallelFor(n, threads, 64, [&](int64_t begin, int64_t end, int) {
      for (int64_t i = begin; i < end; ++i) {
        fingerprints[i] = fuse_internal::DescriptorFingerprint(*items[i]);
      }
    });
    folder = fuse_internal::FolderKey(fingerprints, version);
  }

  // The keys of each item (not usable where the features cannot be parsed: hash only), made
  // only when candidates are searched or a pair is scored afresh.
  std::vector<ItemKeys> keys(n);
  std::vector<char> have_keys(n, 0);
  auto make_keys = [&](const std::vector<int64_t>& which) {
    ParallelFor(int64_t(which.size()), threads, 64, [&](int64_t begin, int64_t end, int) {
      for (int64_t k = begin; k < end; ++k) {
        keys[which[k]] = fuse_internal::KeysOf(items[which[k]]->local, o);
        have_keys[which[k]] = 1;
      }
    });
  };

  std::vector<fuse_internal::CandidatePair> candidates;
  std::optional<std::vector<fuse_internal::CandidatePair>> known_candidates;
  if (cache) {
    if (auto hit = cache->LookupPair(folder, 0, version)) {
      known_candidates = fuse_internal::ParseCandidates(*hit, n);
    }
  }
  if (known_candidates) {
    candidates = std::move(*known_candidates);
  } else {
    std::vector<int64_t> all_items(n);
    for (int64_t i = 0; i < n; ++i) all_items[i] = i;
    make_keys(all_items);
    std::vector<uint64_t> codes(size_t(n) * kWords * kVariants, 0);
    for (int64_t i = 0; i < n; ++i) {
      const auto& bits = items[i]->bits;
      std::copy_n(bits.begin(), std::min(bits.size(), size_t(kWords * kVariants)),
                  codes.begin() + i * kWords * kVariants);
    }
    std::vector<fuse_internal::Candidate> all =
        fuse_internal::HashCandidates(CodeSet{codes.data(), n, kWords, kVariants}, o, threads);
    ASSIGN_OR_RETURN(std::vector<fuse_internal::Candidate> voted,
                     fuse_internal::VoteCandidates(keys, o));
    all.insert(all.end(), voted.begin(), voted.end());
    all = fuse_internal::UniteCandidates(std::move(all));
    candidates.reserve(all.size());
    for (const auto& c : all) candidates.push_back({c.a, c.b});
    if (cache) cache->PutPair(folder, 0, version, fuse_internal::SerializeCandidates(candidates));
  }

  std::vector<PairEvidence> out(candidates.size());
  std::vector<char> scored(candidates.size(), 0);
  if (cache) {
    ParallelFor(int64_t(candidates.size()), threads, 64, [&](int64_t begin, int64_t end, int) {
      for (int64_t k = begin; k < end; ++k) {
        const auto& c = candidates[k];
        std::optional<std::vector<uint8_t>> hit =
            cache->LookupPair(fingerprints[c.a], fingerprints[c.b], version);
        std::optional<PairEvidence> known;
        if (hit) known = fuse_internal::ParseEvidence(*hit);
        if (!known) continue;
        out[k] = std::move(*known);
        out[k].score = FusedScore(o.model, out[k]);
        scored[k] = 1;
      }
    });
  }
  std::vector<int64_t> need;
  for (size_t k = 0; k < candidates.size(); ++k) {
    if (scored[k]) continue;
    for (int64_t i : {candidates[k].a, candidates[k].b}) {
      if (!have_keys[i]) {
        have_keys[i] = 1;
        need.push_back(i);
      }
    }
  }
  make_keys(need);
  ParallelFor(int64_t(candidates.size()), threads, 16, [&](int64_t begin, int64_t end, int) {
    for (int64_t k = begin; k < end; ++k) {
      const auto& c = candidates[k];
      PairEvidence& e = out[k];
      if (!scored[k]) {
        Score(*items[c.a], *items[c.b], keys[c.a], keys[c.b], o, &e);
        if (cache) {
          cache->PutPair(fingerprints[c.a], fingerprints[c.b], version,
                         fuse_internal::SerializeEvidence(e));
        }
      }
      e.a = c.a;
      e.b = c.b;
    }
  });
  return out;
}

}  // namespace neardup
