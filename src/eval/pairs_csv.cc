// Reading the detector's `a,b,score` CSV: one pass over the mapped file, each distinct path
// mapped to an image once (paths repeat: `neardup pairs` prints K lines per image).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <string>
#include <unordered_map>

#include "eval/csv_reader.h"
#include "eval/mapped_file.h"
#include "neardup/eval.h"

namespace neardup {
namespace {

struct ViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Maps listed paths to image ids, remembering each answer (-1 for no image).
class PathInterner {
 public:
  PathInterner(const Benchmark& bench, PairsInput* out, const std::string& name)
      : bench_(bench), out_(out), name_(name) {}

  int32_t Id(std::string_view path, int64_t line) {
    auto it = ids_.find(path);
    if (it != ids_.end()) return it->second;
    const int32_t id = bench_.MapPath(path);
    ids_.emplace(std::string(path), id);
    if (id < 0 && out_->problems.size() < size_t(kMaxProblems)) {
      out_->problems.push_back(name_ + ":" + std::to_string(line) + ": '" + eval::Excerpt(path) +
                               "' is not an image of the benchmark");
    }
    return id;
  }

 private:
  const Benchmark& bench_;
  PairsInput* out_;
  const std::string& name_;
  std::unordered_map<std::string, int32_t, ViewHash, std::equal_to<>> ids_;
};

}  // namespace

PairsInput ParsePairsCsv(std::string_view csv, const Benchmark& bench, const std::string& name) {
  PairsInput out;
  out.pairs.reserve(size_t(std::count(csv.begin(), csv.end(), '\n')) + 1);
  PathInterner interner(bench, &out, name);
  auto problem = [&](int64_t line, const std::string& what) {
    ++out.malformed_lines;
    if (out.problems.size() < size_t(kMaxProblems)) {
      out.problems.push_back(name + ":" + std::to_string(line) + ": " + what);
    }
  };

  eval::CsvReader reader(csv);
  std::vector<std::string_view> f;
  // `neardup pairs` lists each image's neighbours on consecutive lines: the first path repeats.
  std::string last_a;
  int32_t last_a_id = -1;
  bool have_last_a = false;
  bool first = true;
  for (;;) {
    const eval::CsvReader::Result r = reader.Next(&f);
    if (r == eval::CsvReader::Result::kEnd) break;
    const int64_t line = reader.line();
    if (first) {
      first = false;
      if (r == eval::CsvReader::Result::kRecord && f.size() == 3 && eval::TrimBlanks(f[0]) == "a" &&
          eval::TrimBlanks(f[1]) == "b" && eval::TrimBlanks(f[2]) == "score") {
        continue;
      }
    }
    ++out.lines;
    if (r == eval::CsvReader::Result::kMalformed) {
      problem(line, reader.error());
      continue;
    }
    if (f.size() != 3) {
      problem(line, "expected 3 fields a,b,score, found " + std::to_string(f.size()));
      continue;
    }
    const std::string_view s = eval::TrimBlanks(f[2]);
    double score = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), score);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(score)) {
      problem(line, "score '" + eval::Excerpt(s) + "' is not a finite number");
      continue;
    }
    if (!have_last_a || f[0] != last_a) {
      last_a.assign(f[0]);
      last_a_id = interner.Id(f[0], line);
      have_last_a = true;
    }
    const int32_t a = last_a_id;
    const int32_t b = interner.Id(f[1], line);
    if (a < 0 || b < 0) {
      ++out.unmatched_lines;
      continue;
    }
    out.pairs.push_back({a, b, score + 0.0});  // + 0.0 turns -0.0 into 0.0
  }
  return out;
}

StatusOr<PairsInput> ReadPairsCsv(const std::string& path, const Benchmark& bench) {
  ASSIGN_OR_RETURN(eval::MappedFile file, eval::MappedFile::Open(path));
  return ParsePairsCsv(file.data(), bench, path);
}

}  // namespace neardup
