// neardup._neardup.Index: an ImageIndex (neardup/image_index.h) for Python. ImageIndex is used by
// one thread at a time; the GIL is released during its work, so `mu` serialises the calls.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <filesystem>
#include <memory>
#include <mutex>

#include "convert.h"
#include "describe_many.h"
#include "json_out.h"
#include "module_parts.h"
#include "neardup/decode.h"
#include "neardup/image_index.h"
#include "neardup/registry.h"

namespace neardup::py {
namespace {

class PyIndex {
 public:
  // Opens the index folder `path`, or creates it (with `method`, default kDefaultIndexMethod, and
  // `factory`) when it does not exist or is empty. A `method` that differs from an existing
  // index's is InvalidArgument.
  PyIndex(const pyb::object& path_obj, const std::optional<std::string>& method,
          const std::string& factory) {
    path_ = ToPath(path_obj);
    std::error_code ec;
    const bool exists =
        std::filesystem::exists(path_, ec) &&
        !(std::filesystem::is_directory(path_, ec) && std::filesystem::is_empty(path_, ec));
    StatusOr<std::unique_ptr<ImageIndex>> r = IOError("not opened");
    {
      pyb::gil_scoped_release nogil;
      r = exists
              ? ImageIndex::Open(path_, options_)
              : ImageIndex::Create(path_, method.value_or(kDefaultIndexMethod), factory, options_);
    }
    index_ = ValueOrRaise(std::move(r));
    if (exists && method && *method != index_->method().name()) {
      const std::string have = index_->method().name();
      index_.reset();
      RaiseStatus(
          InvalidArgumentError(path_ + ": the index is of method " + have + ", not " + *method));
    }
  }

  pyb::dict Add(const pyb::object& inputs, bool recursive, int threads,
                const pyb::object& progress_fn) {
    ScanOptions o;
    o.inputs = ToPaths(inputs);
    o.recursive = recursive;
    o.threads = threads;
    Progress progress(progress_fn);
    o.progress = progress.fn();
    StatusOr<IndexAddResult> r = IOError("not run");
    {
      pyb::gil_scoped_release nogil;
      std::lock_guard<std::mutex> lock(mu_);
      r = Live()->Add(o);
    }
    progress.Rethrow();
    IndexAddResult a = ValueOrRaise(std::move(r));
    pyb::dict out;
    out["added"] = a.added;
    out["unchanged"] = a.unchanged;
    out["skipped_non_images"] = a.skipped_non_images;
    out["errors"] = ErrorsList(a.errors);
    out["warnings"] = a.warnings;
    return out;
  }

  // queries: one path or array (-> one list of hits) or a list of them (-> a list per query).
  pyb::list Query(const pyb::object& queries, int k, bool orientations, bool regions) {
    const bool one = IsOneImage(queries);
    QueryOptions options;
    options.k = k;
    options.orientations = orientations;
    options.regions = regions;
    std::vector<ImageArg> items = ToImageArgs(queries);
    StatusOr<std::vector<std::vector<IndexHit>>> hits = IOError("not run");
    {
      pyb::gil_scoped_release nogil;
      std::lock_guard<std::mutex> lock(mu_);
      ImageIndex* index = Live();
      hits = QueryItems(*index, items, options);
    }
    std::vector<std::vector<IndexHit>> h = ValueOrRaise(std::move(hits));
    pyb::list out;
    for (const std::vector<IndexHit>& list : h) {
      pyb::list l;
      for (const IndexHit& hit : list) {
        pyb::dict d;
        d["id"] = hit.id;
        d["path"] = FromPath(hit.path);
        d["distance"] = hit.distance;
        d["score"] = hit.score;
        d["view"] = ViewObject(hit.view);
        l.append(d);
      }
      out.append(l);
    }
    return one ? pyb::list(out[0]) : out;
  }

  // Which view of the query a hit came from: None (upright), {"turn", "mirrored"}, or
  // {"region": (x, y, width, height)} in fractions of the query's width and height.
  static pyb::object ViewObject(const QueryView& v) {
    if (v.upright()) return pyb::none();
    pyb::dict d;
    if (v.width > 0) {
      d["region"] = pyb::make_tuple(v.x, v.y, v.width, v.height);
    } else {
      d["turn"] = 90 * v.quarter_turns;
      d["mirrored"] = v.mirrored;
    }
    return d;
  }

  // Files are described as `index query` does (through Scan), arrays as they are; with
  // `orientations` and `regions` their other views too (QueryOptions).
  static StatusOr<std::vector<std::vector<IndexHit>>> QueryItems(
      ImageIndex& index, const std::vector<ImageArg>& items, const QueryOptions& options) {
    const Method& m = index.method();
    std::vector<StatusOr<Descriptor>> got = DescribeMany(m, items, 0, nullptr);
    std::vector<QueryDescriptors> queries(items.size());
    for (const StatusOr<Descriptor>& d : got) RETURN_IF_ERROR(d.status());
    if (options.orientations || options.regions) {
      std::vector<std::string> paths;
      std::vector<const Image*> arrays;
      for (const ImageArg& item : items) {
        if (item.path) {
          paths.push_back(*item.path);
        } else {
          arrays.push_back(&item.image);
        }
      }
      ASSIGN_OR_RETURN(auto from_files, DescribeOtherViewsOfFiles(m, paths, options));
      ASSIGN_OR_RETURN(auto from_arrays, DescribeOtherViews(m, arrays, options));
      size_t file = 0, array = 0;
      for (size_t i = 0; i < items.size(); ++i) {
        queries[i] = std::move(items[i].path ? from_files[file++] : from_arrays[array++]);
      }
    }
    for (size_t i = 0; i < items.size(); ++i) queries[i].upright = std::move(got[i]).value();
    return QueryDescribed(index, queries, options);
  }

  // The paths (or imported IDs) that were not in the index.
  pyb::list Remove(const pyb::object& paths) {
    std::vector<std::string> p = ToPaths(paths);
    StatusOr<std::vector<std::string>> r = IOError("not run");
    {
      pyb::gil_scoped_release nogil;
      std::lock_guard<std::mutex> lock(mu_);
      r = Live()->Remove(p);
    }
    pyb::list out;
    for (const std::string& s : ValueOrRaise(std::move(r))) out.append(FromPath(s));
    return out;
  }

  // (a, b, distance) for every pair within `threshold` (default: the method's).
  pyb::list Dups(std::optional<double> threshold, int threads) {
    StatusOr<std::vector<IndexPair>> r = IOError("not run");
    {
      pyb::gil_scoped_release nogil;
      std::lock_guard<std::mutex> lock(mu_);
      ImageIndex* index = Live();
      StatusOr<double> t = index->method().ResolveThreshold(threshold);
      r = t.ok() ? index->Dups(*t, threads) : StatusOr<std::vector<IndexPair>>(t.status());
    }
    pyb::list out;
    for (const IndexPair& p : ValueOrRaise(std::move(r))) {
      out.append(pyb::make_tuple(FromPath(p.a), FromPath(p.b), p.distance));
    }
    return out;
  }

  pyb::object Stats() {
    StatusOr<IndexStats> r = IOError("not run");
    {
      pyb::gil_scoped_release nogil;
      std::lock_guard<std::mutex> lock(mu_);
      r = Live()->Stats();
    }
    return JsonToPython(cli::IndexStatsJson(ValueOrRaise(std::move(r))));
  }

  std::string method() {
    pyb::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(mu_);
    return Live()->method().name();
  }
  const std::string& path() const { return path_; }
  bool closed() const { return index_ == nullptr; }

  void Close() {
    pyb::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(mu_);
    index_.reset();
  }

 private:
  // The open index. Called with mu_ held and the GIL released: after Close() it takes the GIL to
  // raise, and the exception unwinds through the lock and the GIL release.
  ImageIndex* Live() {
    if (!index_) {
      pyb::gil_scoped_acquire gil;
      RaiseStatus(InvalidArgumentError(path_ + ": the index is closed"));
    }
    return index_.get();
  }

  static pyb::list ErrorsList(const std::vector<InputError>& errors) {
    pyb::list out;
    for (const InputError& e : errors) {
      pyb::dict d;
      d["path"] = FromPath(e.path);
      d["error"] = e.status.message();
      d["code"] = StatusCodeName(e.status.code());
      out.append(d);
    }
    return out;
  }

  std::string path_;
  IndexOptions options_;
  std::mutex mu_;                      // serialises every use of index_
  std::unique_ptr<ImageIndex> index_;  // null once closed
};

}  // namespace

void AddIndexClass(pyb::module_& m) {
  pyb::class_<PyIndex>(m, "Index")
      .def(pyb::init<const pyb::object&, const std::optional<std::string>&, const std::string&>(),
           pyb::arg("path"), pyb::arg("method") = pyb::none(), pyb::arg("factory") = "")
      .def("add", &PyIndex::Add, pyb::arg("inputs"), pyb::arg("recursive") = false,
           pyb::arg("threads") = 0, pyb::arg("progress") = pyb::none())
      .def("query", &PyIndex::Query, pyb::arg("queries"), pyb::arg("k") = 10,
           pyb::arg("orientations") = false, pyb::arg("regions") = false)
      .def("remove", &PyIndex::Remove, pyb::arg("paths"))
      .def("dups", &PyIndex::Dups, pyb::arg("threshold") = pyb::none(), pyb::arg("threads") = 0)
      .def("stats", &PyIndex::Stats)
      .def("close", &PyIndex::Close)
      .def_property_readonly("method", &PyIndex::method)
      .def_property_readonly("path", [](const PyIndex& i) { return FromPath(i.path()); })
      .def_property_readonly("closed", &PyIndex::closed);
}

}  // namespace neardup::py
