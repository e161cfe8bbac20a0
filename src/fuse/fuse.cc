// FusedScore, FusePair, FusedPairs: candidates, verification, one calibrated score.
#include "neardup/fuse.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

#include "core/parallel.h"
#include "fuse/candidates.h"
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
int Keypoints(const LocalFeatures* f) { return f == nullptr ? 0 : int(f->points.size()); }

// How many of one image's `look` strongest keypoints (as it is and mirrored) have a descriptor
// within max_bits among the other's `among` strongest, counted both ways: the candidate vote,
// computed exactly for one pair (so a pair's score does not depend on the rest of the folder).
int SharedKeypoints(const LocalFeatures& x, const LocalFeatures& y, const FuseOptions& o) {
  if (!x.binary || !y.binary || x.descriptor_bytes != y.descriptor_bytes) return 0;
  const int bytes = x.descriptor_bytes;
  auto found = [&](const uint8_t* d, const LocalFeatures& in) {
    const size_t n = std::min(in.points.size(), size_t(o.vote_index_keypoints));
    for (size_t j = 0; j < n; ++j) {
      const uint8_t* e = in.descriptors.data() + j * bytes;
      int dist = 0;
      for (int k = 0; k < bytes; ++k) dist += __builtin_popcount(unsigned(d[k] ^ e[k]));
      if (dist <= o.vote_max_bits) return true;
    }
    return false;
  };
  auto count = [&](const LocalFeatures& from, const LocalFeatures& in) {
    int c = 0;
    const size_t n = std::min(from.points.size(), size_t(o.vote_keypoints));
    for (size_t i = 0; i < n; ++i) c += found(from.descriptors.data() + i * bytes, in);
    const size_t m = std::min(from.mirrored_points.size(), size_t(o.vote_keypoints));
    for (size_t i = 0; i < m; ++i) c += found(from.mirrored_descriptors.data() + i * bytes, in);
    return c;
  };
  return count(x, y) + count(y, x);
}

// Fills `e` (a and b already set) from the descriptors and features of both items.
void Score(const Descriptor& da, const Descriptor& db, const LocalFeatures* fa,
           const LocalFeatures* fb, const FuseOptions& o, PairEvidence* e) {
  e->hash_bits = DihedralBits(da, db);
  e->low_quality = std::min(da.quality, db.quality) < kPdqReliableQuality;
  e->votes = fa != nullptr && fb != nullptr ? SharedKeypoints(*fa, *fb, o) : 0;
  const bool trusted = e->hash_bits <= o.trusted_bits && !e->low_quality;
  e->fallback = !trusted && (Keypoints(fa) < o.min_keypoints || Keypoints(fb) < o.min_keypoints);
  if (trusted) {
    e->why_not_verified = "the hash distance is conclusive";
  } else if (e->fallback) {
    e->why_not_verified = "too few keypoints: scored on the hash alone";
  } else if (e->votes < o.min_votes_to_verify) {
    e->why_not_verified = "too few shared keypoints to verify: scored on the hash alone";
  } else {
    e->verified = true;
    VerifyOptions vo = o.verify;
    vo.use_keypoints = o.verify_keypoints;
    e->verification = VerifyPair(*fa, *fb, vo);
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
        m.v[4] * match * std::sqrt(v.spread) + m.v[5] * std::log1p(e.votes);
  } else {
    z = m.g[0] + m.g[1] * h + m.g[2] * (e.low_quality ? 1.0 : 0.0);
  }
  return 1.0 / (1.0 + std::exp(-z));
}

StatusOr<PairEvidence> FusePair(const Descriptor& a, const Descriptor& b,
                                const FuseOptions& options) {
  ASSIGN_OR_RETURN(LocalFeatures fa, ParseFeatures(a.local.data(), a.local.size()));
  ASSIGN_OR_RETURN(LocalFeatures fb, ParseFeatures(b.local.data(), b.local.size()));
  PairEvidence e;
  e.b = 1;
  Score(a, b, &fa, &fb, options, &e);
  return e;
}

StatusOr<std::vector<PairEvidence>> FusedPairs(const std::vector<const Descriptor*>& items,
                                               const FuseOptions& o, int threads) {
  const int64_t n = int64_t(items.size());
  // Features of each item (null where they cannot be parsed: hash only).
  std::vector<std::optional<LocalFeatures>> parsed(n);
  ParallelFor(n, threads, 64, [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin; i < end; ++i) {
      StatusOr<LocalFeatures> f = ParseFeatures(items[i]->local.data(), items[i]->local.size());
      if (f.ok()) parsed[i] = std::move(f).value();
    }
  });
  std::vector<const LocalFeatures*> features(n, nullptr);
  for (int64_t i = 0; i < n; ++i) {
    if (parsed[i]) features[i] = &*parsed[i];
  }
  std::vector<uint64_t> codes(size_t(n) * kWords * kVariants, 0);
  for (int64_t i = 0; i < n; ++i) {
    const auto& bits = items[i]->bits;
    std::copy_n(bits.begin(), std::min(bits.size(), size_t(kWords * kVariants)),
                codes.begin() + i * kWords * kVariants);
  }
  std::vector<fuse_internal::Candidate> all =
      fuse_internal::HashCandidates(CodeSet{codes.data(), n, kWords, kVariants}, o, threads);
  ASSIGN_OR_RETURN(std::vector<fuse_internal::Candidate> voted,
                   fuse_internal::VoteCandidates(features, o));
  all.insert(all.end(), voted.begin(), voted.end());
  all = fuse_internal::UniteCandidates(std::move(all));

  std::vector<PairEvidence> out(all.size());
  ParallelFor(int64_t(all.size()), threads, 16, [&](int64_t begin, int64_t end, int) {
    for (int64_t k = begin; k < end; ++k) {
      const auto& c = all[k];
      PairEvidence& e = out[k];
      e.a = c.a;
      e.b = c.b;
      Score(*items[c.a], *items[c.b], features[c.a], features[c.b], o, &e);
    }
  });
  return out;
}

}  // namespace neardup
