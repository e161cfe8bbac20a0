// neardup._neardup: the compiled half of the Python module `neardup` (python/neardup/ holds the
// rest). Thin: converts arguments, releases the GIL, calls the public C++ API, converts back.
// Results that the CLI prints as JSON are built by the same code (neardup_report) and handed to
// Python through json.loads, so neardup.find() and `neardup find --json` cannot drift apart.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <cstring>

#include "convert.h"
#include "describe_all.h"
#include "describe_many.h"
#include "find_json.h"
#include "json_out.h"
#include "module_parts.h"
#include "neardup/decode.h"
#include "neardup/explain.h"
#include "neardup/find.h"
#include "neardup/nn.h"
#include "neardup/registry.h"

namespace neardup::py {
namespace {

std::shared_ptr<const Method> Make(const std::string& spec) {
  std::unique_ptr<Method> m;
  {
    pyb::gil_scoped_release nogil;  // a learned method loads its plugin and weights
    StatusOr<std::unique_ptr<Method>> r = MakeMethod(spec);
    if (!r.ok()) {
      pyb::gil_scoped_acquire gil;
      RaiseStatus(r.status());
    }
    m = std::move(r).value();
  }
  return std::shared_ptr<const Method>(std::move(m));
}

// Decodes a file argument at full size (as `neardup hash` and `explain` do) or takes the array.
Image Pixels(ImageArg arg) {
  if (!arg.path) return std::move(arg.image);
  StatusOr<Image> img = IOError("not decoded");
  {
    pyb::gil_scoped_release nogil;
    img = DecodeFile(*arg.path, DecodeOptions{});
  }
  return ValueOrRaise(std::move(img));
}

pyb::dict Hash(const pyb::object& src, const std::string& spec) {
  std::shared_ptr<const Method> m = Make(spec);
  if (m->metric() != Metric::kHamming || m->search_kind() != SearchKind::kVectorSpace) {
    RaiseStatus(InvalidArgumentError(spec + ": not a hash method (one of pdq, pdq8, phash, "
                                            "dhash, ahash, whash); describe() takes the others"));
  }
  Image img = Pixels(ToImageArg(src));
  StatusOr<Descriptor> d = IOError("not computed");
  {
    pyb::gil_scoped_release nogil;
    d = m->Compute(img);
  }
  Descriptor desc = ValueOrRaise(std::move(d));
  const int words = m->dims() / 64;
  pyb::dict out;
  out["method"] = m->name();
  out["bits"] = m->dims();
  out["hash"] = cli::CodeHex(desc, words);
  out["quality"] = desc.quality;
  if (m->variants() > 1) {
    pyb::list variants;
    for (int v = 0; v < m->variants(); ++v) variants.append(cli::CodeHex(desc, words, v));
    out["variants"] = variants;
  }
  if (words == 1) {
    out["int"] = pyb::int_(desc.bits[0]);
    char be[8];
    for (int i = 0; i < 8; ++i) be[i] = char(desc.bits[0] >> (56 - 8 * i));
    out["bytes"] = pyb::bytes(be, 8);
  }
  return out;
}

pyb::object Describe(const pyb::object& inputs, const std::string& spec, int threads,
                     const pyb::object& progress_fn, const std::string& errors) {
  if (errors != "raise" && errors != "return") {
    RaiseStatus(
        InvalidArgumentError("errors: \"" + errors + "\", expected \"raise\" or \"return\""));
  }
  std::shared_ptr<const Method> m = Make(spec);
  if (m->search_kind() != SearchKind::kVectorSpace) {
    RaiseStatus(InvalidArgumentError(spec + ": a pair pipeline has no descriptor of fixed size; "
                                            "describe with pdq8 or a learned method"));
  }
  std::vector<ImageArg> items = ToImageArgs(inputs);
  Progress progress(progress_fn);
  std::vector<StatusOr<Descriptor>> got;
  {
    pyb::gil_scoped_release nogil;
    got = DescribeMany(*m, items, threads, progress.fn());
  }
  progress.Rethrow();
  const pyb::ssize_t n = pyb::ssize_t(items.size());
  pyb::dict failed;
  for (pyb::ssize_t i = 0; i < n; ++i) {
    if (got[i].ok()) continue;
    if (errors == "raise") RaiseStatus(got[i].status());
    failed[pyb::int_(i)] = got[i].status().message();
  }
  pyb::object array;
  if (m->metric() == Metric::kCosine) {
    pyb::array_t<float> a({n, pyb::ssize_t(m->dims())});
    float* p = a.mutable_data();
    std::memset(p, 0, sizeof(float) * size_t(n) * m->dims());
    for (pyb::ssize_t i = 0; i < n; ++i) {
      if (got[i].ok()) std::memcpy(p + i * m->dims(), got[i]->values.data(), 4 * m->dims());
    }
    array = std::move(a);
  } else {
    const pyb::ssize_t bytes = pyb::ssize_t(m->dims()) / 8 * m->variants();
    pyb::array_t<uint8_t> a({n, bytes});
    uint8_t* p = a.mutable_data();
    std::memset(p, 0, size_t(n) * bytes);
    for (pyb::ssize_t i = 0; i < n; ++i) {
      if (got[i].ok()) std::memcpy(p + i * bytes, got[i]->bits.data(), size_t(bytes));
    }
    array = std::move(a);
  }
  if (errors == "return") return pyb::make_tuple(array, failed);
  return array;
}

ScanOptions MakeScan(const pyb::object& folders, const std::optional<std::string>& method,
                     bool recursive, bool cache, const std::string& cache_path, int threads) {
  ScanOptions s;
  s.inputs = ToPaths(folders);
  s.method = method ? *method : DefaultMethod();
  s.recursive = recursive;
  s.use_cache = cache;
  s.cache_path = cache_path;
  s.threads = threads;
  return s;
}

pyb::object FindGroups(const pyb::object& folders, const std::optional<std::string>& method,
                       std::optional<double> threshold, bool recursive, bool cache,
                       const std::string& cache_path, int threads, const pyb::object& progress_fn,
                       const std::string& mode) {
  FindOptions o;
  if (mode == "confirmed") {
    o.mode = GroupMode::kConfirmed;
  } else if (mode == "strict") {
    o.mode = GroupMode::kStrict;
  } else if (mode == "connected") {
    o.mode = GroupMode::kConnected;
  } else {
    RaiseStatus(InvalidArgumentError("mode: \"" + mode +
                                     "\", expected \"confirmed\", \"strict\" or \"connected\""));
  }
  o.scan = MakeScan(folders, method, recursive, cache, cache_path, threads);
  o.threshold = threshold;
  Progress progress(progress_fn);
  o.scan.progress = progress.fn();
  nlohmann::ordered_json j;
  Status failed;
  {
    pyb::gil_scoped_release nogil;
    const auto start = std::chrono::steady_clock::now();
    StatusOr<FindResult> r = Find(o);
    if (r.ok()) {
      const double s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      j = cli::FindJson(*r, o.scan.inputs, s);
    } else {
      failed = r.status();
    }
  }
  progress.Rethrow();
  OkOrRaise(failed);
  return JsonToPython(j);
}

pyb::list NearestPairs(const pyb::object& folders, int k, const std::optional<std::string>& method,
                       bool recursive, bool cache, const std::string& cache_path, int threads) {
  ScanOptions s = MakeScan(folders, method, recursive, cache, cache_path, threads);
  StatusOr<PairsResult> r = IOError("not run");
  {
    pyb::gil_scoped_release nogil;
    r = neardup::Pairs(s, k);
  }
  PairsResult p = ValueOrRaise(std::move(r));
  pyb::list out;
  for (size_t i = 0; i < p.scan.files.size(); ++i) {
    for (const Neighbor& n : p.neighbors[i]) {
      out.append(pyb::make_tuple(FromPath(p.scan.files[i].path), FromPath(p.scan.files[n.id].path),
                                 p.method->Score(n.distance)));
    }
  }
  return out;
}

std::string ArgName(const ImageArg& a) { return a.path ? *a.path : std::string("<array>"); }

pyb::object Explain(const pyb::object& a_obj, const pyb::object& b_obj,
                    const std::vector<std::string>& methods, bool picture) {
  ImageArg a_arg = ToImageArg(a_obj), b_arg = ToImageArg(b_obj);
  const std::string name_a = ArgName(a_arg), name_b = ArgName(b_arg);
  Image a = Pixels(std::move(a_arg)), b = Pixels(std::move(b_arg));
  ExplainOptions options;
  options.methods = methods;
  StatusOr<Explanation> r = IOError("not run");
  std::string default_method;
  {
    pyb::gil_scoped_release nogil;
    r = ExplainPair(a, b, options);
    default_method = DefaultMethod();
  }
  Explanation e = ValueOrRaise(std::move(r));
  const MethodVerdict* verdict = &e.verdicts.front();
  for (const MethodVerdict& v : e.verdicts) {
    if (v.method == default_method) verdict = &v;
  }
  pyb::dict out = JsonToPython(cli::ExplanationJson(name_a, name_b, e, *verdict, {}));
  out.attr("pop")("files");
  if (picture) {
    Image pic;
    {
      pyb::gil_scoped_release nogil;
      pic = RenderExplanation(a, b, e, name_a, name_b);
    }
    out["picture"] = ToArray(pic);
    pyb::dict aligned;
    for (const AlignedPair& p : e.aligned)
      aligned[pyb::str(p.method)] = pyb::make_tuple(ToArray(p.a), ToArray(p.b));
    out["aligned"] = aligned;
  }
  return out;
}

}  // namespace
}  // namespace neardup::py

PYBIND11_MODULE(_neardup, m) {
  using namespace neardup::py;
  using neardup::DefaultMethod, neardup::InstalledNnMethods, neardup::Metric, neardup::MethodNames,
      neardup::SearchKind, neardup::ThresholdRange;
  m.doc() = "neardup's compiled core; use the package `neardup`, which documents every function.";
  m.def("hash", &Hash, pyb::arg("image"), pyb::arg("method") = "pdq8");
  m.def("describe", &Describe, pyb::arg("images"), pyb::arg("method") = "pdq8",
        pyb::arg("threads") = 0, pyb::arg("progress") = pyb::none(), pyb::arg("errors") = "raise");
  m.def("find", &FindGroups, pyb::arg("folders"), pyb::arg("method") = pyb::none(),
        pyb::arg("threshold") = pyb::none(), pyb::arg("recursive") = false,
        pyb::arg("cache") = true, pyb::arg("cache_path") = "", pyb::arg("threads") = 0,
        pyb::arg("progress") = pyb::none(), pyb::arg("mode") = "confirmed");
  m.def("pairs", &NearestPairs, pyb::arg("folders"), pyb::arg("k") = 10,
        pyb::arg("method") = pyb::none(), pyb::arg("recursive") = false, pyb::arg("cache") = true,
        pyb::arg("cache_path") = "", pyb::arg("threads") = 0);
  m.def("explain", &Explain, pyb::arg("a"), pyb::arg("b"),
        pyb::arg("methods") = std::vector<std::string>{}, pyb::arg("picture") = false);
  m.def(
      "decode",
      [](const pyb::object& path, int min_side) {
        neardup::DecodeOptions o;
        o.min_side = min_side;
        const std::string p = ToPath(path);
        neardup::StatusOr<neardup::Image> img = neardup::IOError("not decoded");
        {
          pyb::gil_scoped_release nogil;
          img = neardup::DecodeFile(p, o);
        }
        return ToArray(ValueOrRaise(std::move(img)));
      },
      pyb::arg("path"), pyb::arg("min_side") = 0);
  m.def("default_method", [] { return DefaultMethod(); });
  m.def("method_names", [] {
    std::vector<std::string> names = MethodNames();
    for (const std::string& n : InstalledNnMethods()) names.push_back(n);
    return names;
  });
  m.def("method_info", [](const std::string& spec) {
    std::shared_ptr<const neardup::Method> meth = Make(spec);
    const ThresholdRange range = meth->threshold_range();
    pyb::dict d;
    d["name"] = meth->name();
    d["metric"] = meth->metric() == Metric::kHamming ? "hamming" : "cosine";
    d["pair_pipeline"] = meth->search_kind() == SearchKind::kPairPipeline;
    d["dims"] = meth->dims();
    d["variants"] = meth->variants();
    d["default_threshold"] = meth->default_threshold();
    d["threshold_unit"] = range.unit_key;
    d["threshold_range"] = pyb::make_tuple(range.lo, range.hi);
    return d;
  });
  AddIndexClass(m);
}
