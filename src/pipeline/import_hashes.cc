// ImportHashes (pipeline/import_hashes.h).
#include "pipeline/import_hashes.h"

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "method/packed.h"

namespace neardup::pipeline_internal {
namespace {

bool SameDescriptor(const Descriptor& a, const Descriptor& b) {
  return a.bits == b.bits && a.values == b.values;
}

// A single PDQ hash imported into a pdq8 index: its only orientation stands for all eight, so the
// symmetric variant distance (search.h) compares the other item's eight with it.
Descriptor WithAllVariants(const Method& m, Descriptor d) {
  const size_t words = size_t(m.dims() / 64);
  if (m.variants() > 1 && d.bits.size() == words) {
    const std::vector<uint64_t> one = d.bits;
    for (int v = 1; v < m.variants(); ++v) d.bits.insert(d.bits.end(), one.begin(), one.end());
  }
  return d;
}

// Why `r` (an imported hash, descriptor already widened) cannot be stored; OK when it can.
Status Refusal(const Method& m, const store::CatalogRow& r) {
  if (r.path.empty()) return InvalidArgumentError("empty ID");
  if (!PackedDescriptors(m).Fits(r.descriptor)) {
    return InvalidArgumentError("not a descriptor of method " + m.name());
  }
  return Status::Ok();
}

}  // namespace

StatusOr<ImportResult> ImportHashes(store::Catalog* catalog, const Method& m,
                                    const std::vector<ImportedHash>& hashes) {
  ImportResult out;
  // One ID with different hashes in this call: neither is kept (which is meant is unknown).
  std::unordered_map<std::string, const ImportedHash*> first;
  std::unordered_set<std::string> conflicting;
  for (const ImportedHash& h : hashes) {
    auto [it, fresh] = first.emplace(h.id, &h);
    if (!fresh && !SameDescriptor(it->second->descriptor, h.descriptor)) conflicting.insert(h.id);
  }
  for (const std::string& id : conflicting) {
    out.errors.push_back(
        {id, InvalidArgumentError("given different hashes in one import; none is kept")});
  }
  std::unordered_set<std::string> done;
  for (const ImportedHash& h : hashes) {
    if (conflicting.count(h.id)) continue;
    if (!done.insert(h.id).second) {
      ++out.unchanged;  // the same ID and hash again
      continue;
    }
    store::CatalogRow r;
    r.path = h.id;
    r.descriptor = WithAllVariants(m, h.descriptor);
    if (Status refused = Refusal(m, r); !refused.ok()) {
      out.errors.push_back({h.id, refused});
      continue;
    }
    ASSIGN_OR_RETURN(std::optional<store::CatalogRow> old, catalog->Find(r.path));
    if (old && old->size >= 0) {
      out.errors.push_back({h.id, InvalidArgumentError("is the path of an indexed file; an "
                                                       "imported ID never replaces a file's hash")});
      continue;
    }
    if (old && SameDescriptor(old->descriptor, r.descriptor)) {
      ++out.unchanged;  // imported before
      continue;
    }
    RETURN_IF_ERROR(catalog->Put(std::move(r)));
    ++out.added;
  }
  RETURN_IF_ERROR(catalog->Commit());
  std::sort(out.errors.begin(), out.errors.end(),
            [](const InputError& a, const InputError& b) { return a.path < b.path; });
  return out;
}

}  // namespace neardup::pipeline_internal
