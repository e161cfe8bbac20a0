// The benchmark's ground truth: truth.csv and ignore.csv, and mapping listed paths to images.
#include <algorithm>
#include <filesystem>
#include <string>
#include <system_error>
#include <unordered_map>

#include "eval/csv_reader.h"
#include "eval/mapped_file.h"
#include "neardup/eval.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;

// The lexically normal, '/'-separated form of a path relative to images/, or "" when it is not
// one (empty, absolute, a directory, or leaving images/).
std::string NormalizeRelative(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return "";
  std::string norm = fs::path(path).lexically_normal().generic_string();
  if (norm.empty() || norm == "." || norm == ".." || norm.starts_with("../") ||
      norm.back() == '/') {
    return "";
  }
  return norm;
}

// Checks one image row and normalises its path; the message does not name the file.
Status CheckImage(BenchImage* image) {
  std::string norm = NormalizeRelative(image->path);
  if (norm.empty()) {
    return InvalidArgumentError("image path '" + eval::Excerpt(image->path) +
                                "' is not a file path relative to images/");
  }
  image->path = std::move(norm);
  if (image->role == BenchRole::kDistractor && !image->group.empty()) {
    return InvalidArgumentError("distractor '" + eval::Excerpt(image->path) + "' has a group ('" +
                                eval::Excerpt(image->group) + "'); distractors have none");
  }
  if (image->role != BenchRole::kDistractor && image->group.empty()) {
    return InvalidArgumentError(std::string(BenchRoleName(image->role)) + " '" +
                                eval::Excerpt(image->path) + "' has no group");
  }
  // A distractor's family names its kind (bench make's hard negatives: "hn_caption", ...).
  if (image->role != BenchRole::kCopy && image->role != BenchRole::kDistractor) {
    image->family.clear();
  }
  return Status::Ok();
}

bool ParseRole(std::string_view s, BenchRole* role) {
  for (BenchRole r :
       {BenchRole::kOriginal, BenchRole::kCopy, BenchRole::kNatural, BenchRole::kDistractor}) {
    if (s == BenchRoleName(r)) {
      *role = r;
      return true;
    }
  }
  return false;
}

// "<file>:<line>: <message>".
Status AtLine(const std::string& file, int64_t line, const Status& s) {
  return Status(s.code(), file + ":" + std::to_string(line) + ": " + s.message());
}

// Reads a CSV file's header and returns the column of each of `names` (-1 when absent).
StatusOr<std::vector<int>> ReadHeader(eval::CsvReader* reader, const std::string& file,
                                      const std::vector<std::string_view>& names) {
  std::vector<std::string_view> fields;
  eval::CsvReader::Result r = reader->Next(&fields);
  if (r == eval::CsvReader::Result::kEnd) return InvalidArgumentError(file + ": empty file");
  if (r == eval::CsvReader::Result::kMalformed) {
    return InvalidArgumentError(file + ":" + std::to_string(reader->line()) + ": " +
                                reader->error());
  }
  std::vector<int> columns(names.size(), -1);
  for (size_t c = 0; c < fields.size(); ++c) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (eval::TrimBlanks(fields[c]) == names[i]) columns[i] = int(c);
    }
  }
  return columns;
}

}  // namespace

const char* BenchRoleName(BenchRole role) {
  switch (role) {
    case BenchRole::kOriginal:
      return "original";
    case BenchRole::kCopy:
      return "copy";
    case BenchRole::kNatural:
      return "natural";
    case BenchRole::kDistractor:
      return "distractor";
  }
  return "?";
}

StatusOr<Benchmark> Benchmark::Create(
    std::string images_dir, std::vector<BenchImage> images,
    const std::vector<std::pair<std::string, std::string>>& ignored) {
  if (images.size() >= size_t(INT32_MAX)) return InvalidArgumentError("too many images");
  Benchmark b;
  std::error_code ec;
  fs::path dir = fs::absolute(fs::path(images_dir), ec);
  if (ec) return InvalidArgumentError(images_dir + ": " + ec.message());
  b.images_dir_ = dir.lexically_normal().generic_string();
  while (b.images_dir_.size() > 1 && b.images_dir_.back() == '/') b.images_dir_.pop_back();
  b.images_ = std::move(images);
  b.ids_.reserve(b.images_.size());
  for (size_t i = 0; i < b.images_.size(); ++i) {
    RETURN_IF_ERROR(CheckImage(&b.images_[i]));
    if (!b.ids_.emplace(b.images_[i].path, int32_t(i)).second) {
      return InvalidArgumentError("image '" + eval::Excerpt(b.images_[i].path) +
                                  "' is listed twice");
    }
  }
  for (const auto& [pa, pb] : ignored) {
    const int32_t a = b.FindImage(NormalizeRelative(pa));
    const int32_t c = b.FindImage(NormalizeRelative(pb));
    if (a < 0 || c < 0) {
      return InvalidArgumentError("ignored pair names an image that is not in the truth: '" +
                                  eval::Excerpt(a < 0 ? pa : pb) + "'");
    }
    if (a != c) b.ignored_.emplace_back(std::min(a, c), std::max(a, c));
  }
  std::sort(b.ignored_.begin(), b.ignored_.end());
  b.ignored_.erase(std::unique(b.ignored_.begin(), b.ignored_.end()), b.ignored_.end());
  return b;
}

int32_t Benchmark::FindImage(std::string_view relative) const {
  auto it = ids_.find(std::string(relative));
  return it == ids_.end() ? -1 : it->second;
}

int32_t Benchmark::MapPath(std::string_view path) const {
  if (path.empty()) return -1;
  std::error_code ec;
  fs::path p = fs::absolute(fs::path(path), ec);
  if (ec) p = fs::path(path);
  const std::string norm = p.lexically_normal().generic_string();
  const std::string& dir = images_dir_;
  if (norm.size() > dir.size() + 1 && norm.starts_with(dir) && norm[dir.size()] == '/') {
    const int32_t id = FindImage(std::string_view(norm).substr(dir.size() + 1));
    if (id >= 0) return id;
  }
  // The longest suffix that names an image: the first hit from the left.
  for (size_t pos = norm.find('/'); pos != std::string::npos; pos = norm.find('/', pos + 1)) {
    const int32_t id = FindImage(std::string_view(norm).substr(pos + 1));
    if (id >= 0) return id;
  }
  return -1;
}

StatusOr<Benchmark> LoadBenchmark(const std::string& bench_dir) {
  const std::string truth_path = bench_dir + "/truth.csv";
  ASSIGN_OR_RETURN(eval::MappedFile truth_file, eval::MappedFile::Open(truth_path));
  eval::CsvReader truth(truth_file.data());
  ASSIGN_OR_RETURN(std::vector<int> col,
                   ReadHeader(&truth, truth_path, {"image", "group", "role", "family"}));
  for (int i : {0, 1, 2}) {
    if (col[i] < 0) {
      return InvalidArgumentError(truth_path + ":" + std::to_string(truth.line()) +
                                  ": the header must name the columns image,group,role,family");
    }
  }
  const int needed = std::max({col[0], col[1], col[2], col[3]}) + 1;

  std::vector<BenchImage> images;
  std::unordered_map<std::string, int64_t> line_of;  // path -> line, for duplicate messages
  std::vector<std::string_view> f;
  for (;;) {
    eval::CsvReader::Result r = truth.Next(&f);
    if (r == eval::CsvReader::Result::kEnd) break;
    if (r == eval::CsvReader::Result::kMalformed) {
      return InvalidArgumentError(truth_path + ":" + std::to_string(truth.line()) + ": " +
                                  truth.error());
    }
    if (int(f.size()) < needed) {
      return AtLine(truth_path, truth.line(),
                    InvalidArgumentError("expected " + std::to_string(needed) + " fields, found " +
                                         std::to_string(f.size())));
    }
    BenchImage image;
    image.path = std::string(f[col[0]]);
    image.group = std::string(eval::TrimBlanks(f[col[1]]));
    const std::string_view role = eval::TrimBlanks(f[col[2]]);
    if (!ParseRole(role, &image.role)) {
      return AtLine(
          truth_path, truth.line(),
          InvalidArgumentError("role must be original, copy, natural or distractor, not '" +
                               eval::Excerpt(role) + "'"));
    }
    if (col[3] >= 0) image.family = std::string(eval::TrimBlanks(f[col[3]]));
    Status s = CheckImage(&image);
    if (!s.ok()) return AtLine(truth_path, truth.line(), s);
    auto [it, inserted] = line_of.emplace(image.path, truth.line());
    if (!inserted) {
      return AtLine(truth_path, truth.line(),
                    InvalidArgumentError("image '" + eval::Excerpt(image.path) +
                                         "' already listed on line " + std::to_string(it->second)));
    }
    images.push_back(std::move(image));
  }

  std::vector<std::pair<std::string, std::string>> ignored;
  const std::string ignore_path = bench_dir + "/ignore.csv";
  std::error_code ec;
  if (fs::exists(ignore_path, ec)) {
    ASSIGN_OR_RETURN(eval::MappedFile ignore_file, eval::MappedFile::Open(ignore_path));
    eval::CsvReader ignore(ignore_file.data());
    ASSIGN_OR_RETURN(std::vector<int> icol, ReadHeader(&ignore, ignore_path, {"a", "b"}));
    if (icol[0] < 0 || icol[1] < 0) {
      return InvalidArgumentError(ignore_path + ":" + std::to_string(ignore.line()) +
                                  ": the header must name the columns a,b");
    }
    const int ineeded = std::max(icol[0], icol[1]) + 1;
    for (;;) {
      eval::CsvReader::Result r = ignore.Next(&f);
      if (r == eval::CsvReader::Result::kEnd) break;
      if (r == eval::CsvReader::Result::kMalformed) {
        return InvalidArgumentError(ignore_path + ":" + std::to_string(ignore.line()) + ": " +
                                    ignore.error());
      }
      if (int(f.size()) < ineeded) {
        return AtLine(ignore_path, ignore.line(),
                      InvalidArgumentError("expected " + std::to_string(ineeded) +
                                           " fields, found " + std::to_string(f.size())));
      }
      for (int c : {icol[0], icol[1]}) {
        const std::string norm = NormalizeRelative(f[c]);
        if (line_of.find(norm) == line_of.end()) {
          return AtLine(ignore_path, ignore.line(),
                        InvalidArgumentError("'" + eval::Excerpt(f[c]) + "' is not in truth.csv"));
        }
      }
      ignored.emplace_back(std::string(f[icol[0]]), std::string(f[icol[1]]));
    }
  }
  return Benchmark::Create(bench_dir + "/images", std::move(images), ignored);
}

}  // namespace neardup
