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
#include "neardup/search.h"

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

// The cosine of two items' learned embeddings, or kNoCosine when one has none (or they differ
// in size).
double LearnedCosine(const Descriptor& a, const Descriptor& b) {
  if (a.values.empty() || a.values.size() != b.values.size()) return kNoCosine;
  return std::clamp(double(Dot(a.values.data(), b.values.data(), int(a.values.size()))), -1.0,
                    1.0);
}

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

// One item's local features as parsed, and its keys (not usable when they do not parse).
struct Parsed {
  StatusOr<LocalFeatures> features = LocalFeatures{};
  ItemKeys keys;
};

Parsed ParseItem(const std::vector<uint8_t>& local, const FuseOptions& o) {
  Parsed p;
  p.features = ParseFeatures(local.data(), local.size());
  if (p.features.ok()) p.keys = fuse_internal::KeysOf(*p.features, o);
  return p;
}

// Fills `e` (a and b already set) from the descriptors and parsed features of both items.
void Score(const Descriptor& da, const Descriptor& db, const Parsed& pa, const Parsed& pb,
           const FuseOptions& o, PairEvidence* e) {
  const ItemKeys& ka = pa.keys;
  const ItemKeys& kb = pb.keys;
  e->hash_bits = DihedralBits(da, db);
  e->cosine = LearnedCosine(da, db);
  e->low_quality = std::min(da.quality, db.quality) < kPdqReliableQuality;
  e->low_information = e->low_quality || LowInformation(ka, o) || LowInformation(kb, o);
  e->pixel_diff = ka.usable && kb.usable ? ThumbnailDistance(ka.thumbnail, kb.thumbnail) : -1;
  e->votes = SharedKeypoints(ka, kb, o, &e->mirrored_votes);
  const bool trusted = e->hash_bits <= o.trusted_bits && !e->low_information;
  e->fallback = !trusted && (ka.keypoints < o.min_keypoints || kb.keypoints < o.min_keypoints);
  if (trusted) {
    e->why_not_verified = "the hash distance is conclusive";
  } else if (e->fallback) {
    e->why_not_verified = "too few keypoints: scored on the hash alone";
  } else if (e->votes < o.min_votes_to_verify) {
    e->why_not_verified = "too few shared keypoints to verify: scored on the hash alone";
  } else if (!pa.features.ok() || !pb.features.ok()) {
    e->why_not_verified = "local features damaged: scored on the hash alone";
  } else {
    e->verified = true;
    e->verification = Verify(*pa.features, *pb.features, *e, o);
    if (!o.keep_inliers) {
      e->verification.inlier_pairs.clear();
      e->verification.inlier_pairs.shrink_to_fit();
    }
  }
  e->score = FusedScore(o.model, *e);
}

// The local bytes of each item: its own, or read from the source when moved out of memory.
class Locals {
 public:
  Locals(const std::vector<const Descriptor*>& items, const LocalFeatureSource* source)
      : items_(items), source_(source) {}
  // Item i's bytes (in *holder when they had to be read; empty when they cannot be).
  const std::vector<uint8_t>& Get(int64_t i, std::vector<uint8_t>* holder) const {
    const std::vector<uint8_t>& own = items_[i]->local;
    if (!own.empty() || source_ == nullptr) return own;
    StatusOr<std::vector<uint8_t>> loaded = source_->Load(i);
    *holder = loaded.ok() ? std::move(loaded).value() : std::vector<uint8_t>{};
    return *holder;
  }
  // Item i's DescriptorFingerprint (evidence_io.h), its local bytes read when moved out.
  uint64_t Fingerprint(int64_t i) const {
    const Descriptor& d = *items_[i];
    if (!d.local.empty() || source_ == nullptr) return fuse_internal::DescriptorFingerprint(d);
    Descriptor whole;
    whole.bits = d.bits;
    whole.values = d.values;
    whole.quality = d.quality;
    std::vector<uint8_t> holder;
    whole.local = Get(i, &holder);
    return fuse_internal::DescriptorFingerprint(whole);
  }

 private:
  const std::vector<const Descriptor*>& items_;
  const LocalFeatureSource* source_;
};

// The learned source over the items' embeddings (none when no item carries one).
std::vector<fuse_internal::Candidate> LearnedCandidates(const std::vector<const Descriptor*>& items,
                                                        const FuseOptions& o, int threads) {
  size_t dim = 0;
  for (const Descriptor* d : items) dim = std::max(dim, d->values.size());
  if (dim == 0) return {};
  std::vector<float> vectors(items.size() * dim, 0.0f);
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i]->values.size() == dim) {
      std::copy(items[i]->values.begin(), items[i]->values.end(), vectors.begin() + i * dim);
    }
  }
  return fuse_internal::LearnedCandidates(
      VectorSet{vectors.data(), int64_t(items.size()), int(dim)}, o, threads);
}

// Candidates scored per block (bounds the evidence held before min_score drops it).
constexpr size_t kScoreBlock = 8192;
// Candidates per task: consecutive ones share their first item, parsed once per task.
constexpr int64_t kScoreChunk = 64;

}  // namespace

double FusedScore(const FuseModel& m, const PairEvidence& e) {
  const double h = e.hash_bits / double(kPdqBits);
  double z;
  if (e.verified) {
    const Verification& v = e.verification;
    const double match = v.match ? 1.0 : 0.0;
    z = m.v[0] + m.v[1] * h + m.v[2] * match + m.v[3] * match * std::log1p(v.inliers) +
        m.v[4] * match * v.coverage + m.v[5] * std::log1p(e.votes);
    if (e.cosine != kNoCosine) z += m.c[0] * e.cosine;
  } else {
    const double d = e.pixel_diff < 0 ? 1.0 : std::min(e.pixel_diff, 64.0) / 64;
    z = m.g[0] + m.g[1] * h + m.g[2] * (e.low_quality ? 1.0 : 0.0) +
        m.g[3] * (e.low_information ? d : 0.0);
    if (e.cosine != kNoCosine) z += m.c[1] * e.cosine;
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
  Parsed pa = ParseItem(a.local, options);
  RETURN_IF_ERROR(pa.features.status());
  Parsed pb = ParseItem(b.local, options);
  RETURN_IF_ERROR(pb.features.status());
  PairEvidence e;
  e.b = 1;
  Score(a, b, pa, pb, options, &e);
  return e;
}

StatusOr<std::vector<PairEvidence>> FusedPairs(const std::vector<const Descriptor*>& items,
                                               const FuseOptions& o, const ScoreOptions& run) {
  const int64_t n = int64_t(items.size());
  const int threads = run.threads;
  DescriptorCache* cache = o.keep_inliers ? nullptr : run.cache;  // it keeps no inlier pairs
  const Locals locals(items, run.local);
  std::vector<uint64_t> fingerprints;
  const uint64_t version = cache ? fuse_internal::OptionsVersion(o) : 0;
  uint64_t folder = 0;
  if (cache) {
    fingerprints.resize(n);
    ParallelFor(n, threads, 64, [&](int64_t begin, int64_t end, int) {
      for (int64_t i = begin; i < end; ++i) fingerprints[i] = locals.Fingerprint(i);
    });
    folder = fuse_internal::FolderKey(fingerprints, version);
  }

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
    std::vector<uint64_t> codes(size_t(n) * kWords * kVariants, 0);
    for (int64_t i = 0; i < n; ++i) {
      const auto& bits = items[i]->bits;
      std::copy_n(bits.begin(), std::min(bits.size(), size_t(kWords * kVariants)),
                  codes.begin() + i * kWords * kVariants);
    }
    std::vector<fuse_internal::Candidate> all =
        fuse_internal::HashCandidates(CodeSet{codes.data(), n, kWords, kVariants}, o, threads);
    codes = std::vector<uint64_t>();
    std::vector<fuse_internal::Candidate> voted = fuse_internal::VoteCandidates(
        n,
        [&](int64_t i) {
          std::vector<uint8_t> holder;
          return fuse_internal::KeysOf(locals.Get(i, &holder), o);
        },
        o, threads);
    all.insert(all.end(), voted.begin(), voted.end());
    voted = std::vector<fuse_internal::Candidate>();
    std::vector<fuse_internal::Candidate> learned = LearnedCandidates(items, o, threads);
    all.insert(all.end(), learned.begin(), learned.end());
    learned = std::vector<fuse_internal::Candidate>();
    all = fuse_internal::UniteCandidates(std::move(all));
    candidates.reserve(all.size());
    for (const auto& c : all) candidates.push_back({c.a, c.b});
    if (cache) cache->PutPair(folder, 0, version, fuse_internal::SerializeCandidates(candidates));
  }

  // Blocks of candidates: the cached evidence looked up, the rest scored (and stored), and only
  // the pairs scoring min_score kept.
  std::vector<PairEvidence> out;
  std::vector<PairEvidence> block;
  std::vector<char> scored;
  for (size_t first = 0; first < candidates.size(); first += kScoreBlock) {
    const size_t count = std::min(kScoreBlock, candidates.size() - first);
    block.assign(count, PairEvidence{});
    scored.assign(count, 0);
    ParallelFor(int64_t(count), threads, kScoreChunk, [&](int64_t begin, int64_t end, int) {
      int64_t parsed_a = -1;  // the item `pa` holds
      Parsed pa;
      std::vector<uint8_t> holder;
      for (int64_t k = begin; k < end; ++k) {
        const auto& c = candidates[first + k];
        PairEvidence& e = block[k];
        if (cache) {
          std::optional<std::vector<uint8_t>> hit =
              cache->LookupPair(fingerprints[c.a], fingerprints[c.b], version);
          std::optional<PairEvidence> known;
          if (hit) known = fuse_internal::ParseEvidence(*hit);
          if (known) {
            e = std::move(*known);
            e.cosine = LearnedCosine(*items[c.a], *items[c.b]);  // not in the stored evidence
            e.score = FusedScore(o.model, e);
            scored[k] = 1;
          }
        }
        if (!scored[k]) {
          if (parsed_a != c.a) {
            pa = ParseItem(locals.Get(c.a, &holder), o);
            parsed_a = c.a;
          }
          const Parsed pb = ParseItem(locals.Get(c.b, &holder), o);
          Score(*items[c.a], *items[c.b], pa, pb, o, &e);
          if (cache) {
            cache->PutPair(fingerprints[c.a], fingerprints[c.b], version,
                           fuse_internal::SerializeEvidence(e));
          }
        }
        e.a = c.a;
        e.b = c.b;
      }
    });
    for (PairEvidence& e : block) {
      if (e.score >= run.min_score) out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace neardup
