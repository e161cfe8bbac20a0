// The parts of the _neardup module defined in their own files.
#ifndef NEARDUP_PYTHON_MODULE_PARTS_H_
#define NEARDUP_PYTHON_MODULE_PARTS_H_

#include <pybind11/pybind11.h>

namespace neardup::py {

// neardup._neardup.Index (index.cc).
void AddIndexClass(pybind11::module_& m);

}  // namespace neardup::py

#endif  // NEARDUP_PYTHON_MODULE_PARTS_H_
