// The catalog side of ImageIndex::AddHashes: imported hashes checked and stored under their IDs.
#ifndef NEARDUP_PIPELINE_IMPORT_HASHES_H_
#define NEARDUP_PIPELINE_IMPORT_HASHES_H_

#include <vector>

#include "neardup/descriptor.h"
#include "neardup/image_index.h"
#include "store/catalog.h"

namespace neardup::pipeline_internal {

// Puts each hash into `catalog` under its ID and commits, as ImageIndex::AddHashes describes: an
// ID given two different hashes in one call is refused (neither kept), as are an empty ID, a
// descriptor that is not m's (a single PDQ hash is accepted by pdq8 and stands for its eight
// orientations) and the path of an indexed file; the same ID and hash again is unchanged.
// Errors are sorted by ID. A non-OK Status means the catalog could not be read or written.
StatusOr<ImportResult> ImportHashes(store::Catalog* catalog, const Method& m,
                                    const std::vector<ImportedHash>& hashes);

}  // namespace neardup::pipeline_internal

#endif  // NEARDUP_PIPELINE_IMPORT_HASHES_H_
