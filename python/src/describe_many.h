// Describing many images at once for the module: files through Scan (the same decoding, batching
// and threads as `neardup find`), arrays through Method::ComputeBatch on worker threads.
#ifndef NEARDUP_PYTHON_DESCRIBE_MANY_H_
#define NEARDUP_PYTHON_DESCRIBE_MANY_H_

#include <vector>

#include "convert.h"
#include "neardup/descriptor.h"
#include "neardup/find.h"

namespace neardup::py {

// out[i] is the descriptor of items[i], or its error (a file's message starts with its path).
// Never touches Python: call it with the GIL released. `progress` may be null.
std::vector<StatusOr<Descriptor>> DescribeMany(const Method& method,
                                               const std::vector<ImageArg>& items, int threads,
                                               const ProgressFn& progress);

}  // namespace neardup::py

#endif  // NEARDUP_PYTHON_DESCRIBE_MANY_H_
