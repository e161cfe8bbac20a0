#include "convert.h"

#include <cstring>

#include "json_out.h"

namespace neardup::py {

void RaiseStatus(const Status& s) {
  const char* code = StatusCodeName(s.code());
  pyb::object cls = pyb::module_::import("neardup.errors").attr("error_class")(code);
  pyb::object exc = cls(s.message(), code);
  PyErr_SetObject(cls.ptr(), exc.ptr());
  throw pyb::error_already_set();
}

namespace {

[[noreturn]] void BadArgument(const std::string& what) { RaiseStatus(InvalidArgumentError(what)); }

// RGBA over white: what the decoders do for a transparent PNG with dark content.
void CompositeOverWhite(const uint8_t* src, Image* out) {
  const size_t n = size_t(out->width) * out->height;
  for (size_t i = 0; i < n; ++i) {
    const int a = src[4 * i + 3];
    for (int c = 0; c < 3; ++c) {
      out->pixels[3 * i + c] = uint8_t((src[4 * i + c] * a + 255 * (255 - a) + 127) / 255);
    }
  }
}

}  // namespace

void RaiseType(const std::string& what) {
  PyErr_SetString(PyExc_TypeError, what.c_str());
  throw pyb::error_already_set();
}

std::string TypeName(const pyb::handle& obj) {
  return pyb::str(pyb::type::of(obj).attr("__name__"));
}

bool IsPathLike(const pyb::handle& obj) {
  if (pyb::isinstance<pyb::str>(obj) || pyb::isinstance<pyb::bytes>(obj)) return true;
  return pyb::hasattr(obj, "__fspath__");
}

std::string ToPath(const pyb::handle& obj) {
  pyb::object p = pyb::module_::import("os").attr("fsencode")(obj);
  return p.cast<std::string>();
}

pyb::object FromPath(const std::string& path) {
  return pyb::module_::import("os").attr("fsdecode")(pyb::bytes(path));
}

std::vector<std::string> ToPaths(const pyb::handle& obj) {
  std::vector<std::string> out;
  if (IsPathLike(obj)) {
    out.push_back(ToPath(obj));
    return out;
  }
  if (!pyb::isinstance<pyb::iterable>(obj)) {
    RaiseType("expected a path or a list of paths, got " + TypeName(obj));
  }
  for (pyb::handle h : obj) {
    if (!IsPathLike(h)) RaiseType("expected paths (str, bytes or os.PathLike), got " + TypeName(h));
    out.push_back(ToPath(h));
  }
  return out;
}

ImageArg ToImageArg(const pyb::handle& obj) {
  ImageArg arg;
  if (IsPathLike(obj)) {
    arg.path = ToPath(obj);
    return arg;
  }
  if (!pyb::isinstance<pyb::array>(obj)) {
    RaiseType("image: expected a path or a numpy array, got " + TypeName(obj));
  }
  pyb::array a = pyb::reinterpret_borrow<pyb::array>(obj);
  if (!a.dtype().is(pyb::dtype::of<uint8_t>())) {
    BadArgument("image array: dtype " + std::string(pyb::str(a.dtype())) + ", expected uint8");
  }
  const int nd = int(a.ndim());
  const int channels = nd == 2 ? 1 : nd == 3 ? int(a.shape(2)) : 0;
  if (channels != 1 && channels != 3 && channels != 4) {
    BadArgument("image array: shape must be HxW or HxWxC with C = 1, 3 or 4");
  }
  if (a.shape(0) < 1 || a.shape(1) < 1 || a.shape(0) > (1 << 16) || a.shape(1) > (1 << 16)) {
    BadArgument("image array: " + std::to_string(a.shape(1)) + "x" + std::to_string(a.shape(0)) +
                " pixels, expected 1..65536 on each side");
  }
  // A C-contiguous view (a copy only when the caller's array is strided).
  auto c = pyb::array_t<uint8_t, pyb::array::c_style | pyb::array::forcecast>::ensure(a);
  const int h = int(a.shape(0)), w = int(a.shape(1));
  if (channels == 4) {
    arg.image = Image(w, h, 3);
    CompositeOverWhite(c.data(), &arg.image);
  } else {
    arg.image = Image(w, h, channels);
    std::memcpy(arg.image.pixels.data(), c.data(), arg.image.pixels.size());
  }
  return arg;
}

bool IsOneImage(const pyb::handle& obj) {
  return IsPathLike(obj) || pyb::isinstance<pyb::array>(obj);
}

std::vector<ImageArg> ToImageArgs(const pyb::object& inputs) {
  std::vector<ImageArg> items;
  if (IsOneImage(inputs)) {
    items.push_back(ToImageArg(inputs));
    return items;
  }
  if (!pyb::isinstance<pyb::iterable>(inputs)) {
    RaiseType("expected a path, an array, or a list of them, got " + TypeName(inputs));
  }
  for (pyb::handle h : inputs) items.push_back(ToImageArg(h));
  return items;
}

pyb::object JsonToPython(const nlohmann::ordered_json& j) {
  return pyb::module_::import("json").attr("loads")(cli::DumpJson(j, -1));
}

pyb::array_t<uint8_t> ToArray(const Image& image) {
  std::vector<pyb::ssize_t> shape = {image.height, image.width};
  if (image.channels != 1) shape.push_back(image.channels);
  pyb::array_t<uint8_t> out(shape);
  std::memcpy(out.mutable_data(), image.pixels.data(), image.pixels.size());
  return out;
}

ProgressFn Progress::fn() {
  if (fn_.is_none()) return nullptr;
  return [this](int64_t done, int64_t total) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (error_) return;
    }
    pyb::gil_scoped_acquire gil;
    try {
      fn_(done, total);
    } catch (pyb::error_already_set& e) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!error_) error_.emplace(std::move(e));
    }
  };
}

void Progress::Rethrow() {
  std::lock_guard<std::mutex> lock(mu_);
  if (error_) {
    pyb::error_already_set e = std::move(*error_);
    error_.reset();
    throw e;
  }
}

}  // namespace neardup::py
