// Conversions between Python objects and the public C++ API for the `neardup` module: numpy
// arrays to Images and back, a Status to the Python exception of its code, path-like arguments,
// and progress callbacks called from worker threads.
#ifndef NEARDUP_PYTHON_CONVERT_H_
#define NEARDUP_PYTHON_CONVERT_H_

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "neardup/find.h"
#include "neardup/image.h"
#include "neardup/status.h"

namespace neardup::py {

namespace pyb = pybind11;

// Raises the neardup.errors class of s.code() (a subclass of neardup.Error and of the matching
// built-in: ValueError, LookupError, OSError, ...) with s.message(). `s` must not be OK.
[[noreturn]] void RaiseStatus(const Status& s);

// Raises TypeError(what): an argument of the wrong Python type.
[[noreturn]] void RaiseType(const std::string& what);

// The name of obj's type, e.g. "int".
std::string TypeName(const pyb::handle& obj);

// The value of `r`, or RaiseStatus(r.status()).
template <typename T>
T ValueOrRaise(StatusOr<T> r) {
  if (!r.ok()) RaiseStatus(r.status());
  return std::move(r).value();
}
inline void OkOrRaise(const Status& s) {
  if (!s.ok()) RaiseStatus(s);
}

// One image argument: a path (str, bytes or os.PathLike) or a numpy array of uint8 pixels,
// HxW (grey) or HxWxC with C = 1 (grey), 3 (RGB) or 4 (RGBA, composited over white as the
// decoders do). Arrays are copied (the caller may change theirs at once).
struct ImageArg {
  std::optional<std::string> path;
  Image image;  // when no path
};

// Converts one argument; InvalidArgument (as a Python exception) for anything else, e.g.
// "image array: dtype float64, expected uint8".
ImageArg ToImageArg(const pyb::handle& obj);

// True when `obj` is one image argument (a path or an array), not a list of them.
bool IsOneImage(const pyb::handle& obj);

// One image argument, or an iterable of them; TypeError for anything else.
std::vector<ImageArg> ToImageArgs(const pyb::object& inputs);

// True for str, bytes and os.PathLike objects.
bool IsPathLike(const pyb::handle& obj);

// os.fspath(obj) as bytes-exact std::string (str is encoded with the file system encoding).
std::string ToPath(const pyb::handle& obj);

// A path back to Python: os.fsdecode of its bytes (a str; bytes that are not UTF-8 become
// surrogate escapes, and os.fsencode gives them back).
pyb::object FromPath(const std::string& path);

// One path, or a list/tuple of paths, as a vector.
std::vector<std::string> ToPaths(const pyb::handle& obj);

// The document the CLI prints as JSON, as Python objects (json.loads of it).
pyb::object JsonToPython(const nlohmann::ordered_json& j);

// A copy of `image` as a numpy array: HxWx3 (RGB) or HxW (grey) uint8.
pyb::array_t<uint8_t> ToArray(const Image& image);

// Wraps a Python callable(done, total) as a ProgressFn: the GIL is taken for each call, and the
// first exception it raises is kept (later calls are skipped) for Rethrow() after the run.
class Progress {
 public:
  explicit Progress(pyb::object fn) : fn_(std::move(fn)) {}
  // Null when no callable was given.
  ProgressFn fn();
  // Re-raises the callback's exception, if any (with the GIL held).
  void Rethrow();

 private:
  pyb::object fn_;
  std::mutex mu_;
  std::optional<pyb::error_already_set> error_;  // guarded by mu_
};

}  // namespace neardup::py

#endif  // NEARDUP_PYTHON_CONVERT_H_
