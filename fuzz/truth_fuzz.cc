// The benchmark's truth reader (LoadBenchmark, src/eval/truth.cc): the input up to its first NUL
// byte is truth.csv, the rest (when there is a NUL) ignore.csv. A truth that loads is then used:
// a pairs list naming its own images is read and evaluated against it.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>

#include "fuzz/fuzz_sqlite.h"  // ReadAll / WriteAll
#include "fuzz/fuzz_util.h"
#include "neardup/eval.h"

namespace {

std::string Quoted(const std::string& field) {
  std::string out = "\"";
  for (char c : field) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + '"';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = neardup::fuzz::MakeTempDir("truth");
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  neardup::fuzz::WriteAll(dir + "/truth.csv", std::string(input.substr(0, nul)));
  std::error_code ec;
  if (nul == std::string_view::npos) {
    std::filesystem::remove(dir + "/ignore.csv", ec);
  } else {
    neardup::fuzz::WriteAll(dir + "/ignore.csv", std::string(input.substr(nul + 1)));
  }
  neardup::StatusOr<neardup::Benchmark> bench = neardup::LoadBenchmark(dir);
  if (!bench.ok()) {
    FUZZ_CHECK(bench.status().message().starts_with(dir + "/"));
    return 0;
  }
  std::set<std::string> seen;
  std::string pairs = "a,b,score\n";
  for (const neardup::BenchImage& im : bench->images()) {
    FUZZ_CHECK(!im.path.empty() && im.path[0] != '/' && seen.insert(im.path).second);
    FUZZ_CHECK((im.role == neardup::BenchRole::kDistractor) == im.group.empty());
    FUZZ_CHECK(bench->FindImage(im.path) == int32_t(&im - bench->images().data()));
    if (seen.size() > 64) continue;
    pairs += Quoted(im.path) + "," + Quoted(bench->images().front().path) + ",0.75\n";
    pairs += Quoted(bench->images_dir() + "/" + im.path) + "," + Quoted(im.path) + ",0.25\n";
  }
  for (const auto& [a, b] : bench->ignored()) {
    FUZZ_CHECK(a >= 0 && a < b && b < int32_t(bench->images().size()));
  }
  neardup::PairsInput listed = neardup::ParsePairsCsv(pairs, *bench, "pairs.csv");
  const neardup::EvalReport report = neardup::Evaluate(*bench, std::move(listed));
  FUZZ_CHECK(report.images == int64_t(bench->images().size()));
  FUZZ_CHECK(report.micro_ap >= 0 && report.micro_ap <= 1 + 1e-9);
  return 0;
}
