// `neardup compare A B`: every method's distance and score for two images, and a verdict.
#include <cstdio>

#include "commands.h"
#include "describe_all.h"
#include "output.h"

namespace neardup::cli {
namespace {

struct CompareFlags {
  std::string a, b;
  bool json = false;
};

int Run(const CompareFlags& flags) {
  StatusOr<DescribedFile> a = DescribeWithAllMethods(flags.a);
  StatusOr<DescribedFile> b = DescribeWithAllMethods(flags.b);
  for (const auto* r : {&a, &b}) {
    if (!r->ok()) std::fprintf(stderr, "neardup: %s\n", DisplayPath(r->status().message()).c_str());
  }
  if (!a.ok() || !b.ok()) return kExitSomeFailed;
  nlohmann::ordered_json methods = nlohmann::ordered_json::array();
  bool verdict = false;
  if (!flags.json)
    std::printf("%-6s %8s %7s %9s  %s\n", "method", "distance", "score", "threshold", "match");
  for (size_t i = 0; i < a->methods.size(); ++i) {
    const Method& m = *a->methods[i].method;
    double d = m.Distance(a->methods[i].descriptor, b->methods[i].descriptor);
    bool match = d <= m.default_threshold();
    if (m.name() == kDefaultMethod) verdict = match;
    if (!flags.json) {
      std::printf("%-6s %8g %7.3f %9g  %s\n", m.name().c_str(), d, m.Score(d),
                  m.default_threshold(), match ? "yes" : "no");
    }
    methods.push_back({{"method", m.name()},
                       {"distance", d},
                       {"score", m.Score(d)},
                       {"threshold", m.default_threshold()},
                       {"match", match}});
  }
  if (flags.json) {
    nlohmann::ordered_json out = {
        {"methods", methods}, {"near_duplicate", verdict}, {"verdict_method", kDefaultMethod}};
    SetJsonPath(out, flags.a, "a");
    SetJsonPath(out, flags.b, "b");
    std::printf("%s\n", DumpJson(out).c_str());
  } else {
    std::printf("verdict (%s): %s\n", kDefaultMethod,
                verdict ? "near-duplicates" : "different images");
  }
  return kExitOk;
}

}  // namespace

void AddCompareCommand(CLI::App& root, std::vector<Command>* out) {
  auto flags = std::make_shared<CompareFlags>();
  CLI::App* cmd = root.add_subcommand("compare", "Compare two images with every method");
  cmd->add_option("a", flags->a, "First image")->required();
  cmd->add_option("b", flags->b, "Second image")->required();
  cmd->add_flag("--json", flags->json, "Print JSON");
  out->push_back({cmd, [flags] { return Run(*flags); }});
}

}  // namespace neardup::cli
