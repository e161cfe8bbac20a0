// `neardup hash FILE...`: every method's hash of each file (PDQ as 64 hex digits + quality).
#include <cstdio>

#include "commands.h"
#include "describe_all.h"
#include "display.h"
#include "json_out.h"

namespace neardup::cli {
namespace {

struct HashFlags {
  std::vector<std::string> files;
  bool json = false;
};

int Run(const HashFlags& flags) {
  int failed = 0;
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const std::string& path : flags.files) {
    StatusOr<DescribedFile> d = DescribeWithAllMethods(path);
    if (!d.ok()) {
      std::fprintf(stderr, "neardup: %s\n", DisplayPath(d.status().message()).c_str());
      ++failed;
      continue;
    }
    nlohmann::ordered_json jf;
    SetJsonPath(jf, path);
    jf["width"] = d->info.original_width;
    jf["height"] = d->info.original_height;
    if (!flags.json) {
      std::printf("%s  (%dx%d %s)\n", DisplayPath(path).c_str(), d->info.original_width,
                  d->info.original_height, d->info.format);
    }
    for (const MethodDescriptor& md : d->methods) {
      const int words = md.method->dims() / 64;
      if (md.method->variants() > 1) {
        nlohmann::ordered_json variants = nlohmann::ordered_json::array();
        for (int v = 0; v < md.method->variants(); ++v) {
          std::string hex = CodeHex(md.descriptor, words, v);
          variants.push_back(hex);
          if (!flags.json)
            std::printf("  %-6s %d  %s\n", md.method->name().c_str(), v, hex.c_str());
        }
        jf[md.method->name()] = variants;
      } else {
        std::string hex = CodeHex(md.descriptor, words);
        jf[md.method->name()] = hex;
        if (!flags.json) {
          std::printf("  %-6s    %s", md.method->name().c_str(), hex.c_str());
          if (md.method->name() == "pdq") std::printf("  quality %d", md.descriptor.quality);
          std::printf("\n");
        }
      }
      if (md.method->name() == "pdq") jf["pdq_quality"] = md.descriptor.quality;
    }
    all.push_back(std::move(jf));
  }
  if (flags.json) std::printf("%s\n", DumpJson(all).c_str());
  return failed ? kExitSomeFailed : kExitOk;
}

}  // namespace

void AddHashCommand(CLI::App& root, std::vector<Command>* out) {
  auto flags = std::make_shared<HashFlags>();
  CLI::App* cmd = root.add_subcommand(
      "hash", "Print every method's hash of each file (decoded at full resolution)");
  cmd->add_option("files", flags->files, "Image files")->required();
  cmd->add_flag("--json", flags->json, "Print JSON");
  out->push_back({cmd, [flags] { return Run(*flags); }});
}

}  // namespace neardup::cli
