// `neardup explain A B [--out DIR]` and `neardup compare A B`: every method's distance, score and
// verdict for two images; explain --out also writes the picture of the explanation (the images,
// and what each STN made of them) and the aligned images themselves.
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "display.h"
#include "json_out.h"
#include "neardup/decode.h"
#include "neardup/descriptor.h"
#include "neardup/explain.h"
#include "neardup/registry.h"

namespace neardup::cli {
namespace {

struct ExplainFlags {
  std::string a, b;
  std::string out_dir;  // explain only; empty = text only
  std::vector<std::string> methods;
  bool json = false;
};

// Files made for the explanation in `dir` (created if missing; only these names are written).
StatusOr<std::vector<std::string>> WritePictures(const std::string& dir, const Image& a,
                                                 const Image& b, const Explanation& e,
                                                 const ExplainFlags& flags) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IOError(dir + ": cannot create folder: " + ec.message());
  std::vector<std::string> written;
  auto write = [&](const std::string& name, const Image& img) -> Status {
    const std::string path = (std::filesystem::path(dir) / name).string();
    RETURN_IF_ERROR(WriteImage(path, img));
    written.push_back(path);
    return Status::Ok();
  };
  const std::string name_a = std::filesystem::path(flags.a).filename().string();
  const std::string name_b = std::filesystem::path(flags.b).filename().string();
  RETURN_IF_ERROR(write("explain.png", RenderExplanation(a, b, e, name_a, name_b)));
  for (const AlignedPair& p : e.aligned) {
    std::string tag = p.method;
    std::replace(tag.begin(), tag.end(), ':', '-');
    RETURN_IF_ERROR(write("a-aligned-" + tag + ".png", p.a));
    RETURN_IF_ERROR(write("b-aligned-" + tag + ".png", p.b));
  }
  return written;
}

int Run(const ExplainFlags& flags) {
  StatusOr<Image> a = DecodeFile(flags.a, DecodeOptions{});
  StatusOr<Image> b = DecodeFile(flags.b, DecodeOptions{});
  for (const auto* r : {&a, &b}) {
    if (!r->ok()) std::fprintf(stderr, "neardup: %s\n", DisplayPath(r->status().message()).c_str());
  }
  if (!a.ok() || !b.ok()) return kExitSomeFailed;
  ExplainOptions options;
  options.methods = flags.methods;
  StatusOr<Explanation> e = ExplainPair(*a, *b, options);
  if (!e.ok()) {
    std::fprintf(stderr, "neardup: %s\n", DisplayText(e.status().message()).c_str());
    return kExitUsage;
  }
  // The verdict is the default method's when it ran, else the first method's.
  const MethodVerdict* verdict = &e->verdicts.front();
  const std::string default_method = DefaultMethod();
  for (const MethodVerdict& v : e->verdicts) {
    if (v.method == default_method) verdict = &v;
  }
  std::vector<std::string> written;
  if (!flags.out_dir.empty()) {
    StatusOr<std::vector<std::string>> w = WritePictures(flags.out_dir, *a, *b, *e, flags);
    if (!w.ok()) {
      std::fprintf(stderr, "neardup: %s\n", DisplayPath(w.status().message()).c_str());
      return kExitSomeFailed;
    }
    written = std::move(w).value();
  }
  if (flags.json) {
    const nlohmann::ordered_json out = ExplanationJson(flags.a, flags.b, *e, *verdict, written);
    std::printf("%s\n", DumpJson(out).c_str());
    return kExitOk;
  }
  for (const MethodVerdict& v : e->verdicts) std::printf("%s\n", FormatVerdict(v).c_str());
  if (e->fused) {
    for (const std::string& l : FormatEvidence(*e->fused)) std::printf("%s\n", l.c_str());
  }
  for (const std::string& n : e->notes) std::printf("not run: %s\n", n.c_str());
  std::printf("verdict (%s): %s\n", verdict->method.c_str(),
              verdict->match ? "near-duplicates" : "different images");
  for (const std::string& w : written) std::printf("wrote %s\n", DisplayPath(w).c_str());
  return kExitOk;
}

CLI::App* AddCommon(CLI::App& root, const char* name, const char* help,
                    const std::shared_ptr<ExplainFlags>& flags, std::vector<Command>* out) {
  CLI::App* cmd = root.add_subcommand(name, help);
  cmd->add_option("a", flags->a, "First image")->required();
  cmd->add_option("b", flags->b, "Second image")->required();
  cmd->add_option("-m,--method", flags->methods,
                  "Methods to run (repeatable); default: every hash method and every installed "
                  "model");
  cmd->add_flag("--json", flags->json, "Print JSON");
  out->push_back({cmd, [flags] { return Run(*flags); }});
  return cmd;
}

}  // namespace

void AddCompareCommand(CLI::App& root, std::vector<Command>* out) {
  AddCommon(root, "compare", "Compare two images with every method",
            std::make_shared<ExplainFlags>(), out);
}

void AddExplainCommand(CLI::App& root, std::vector<Command>* out) {
  auto flags = std::make_shared<ExplainFlags>();
  CLI::App* cmd = AddCommon(root, "explain",
                            "Compare two images with every method; with --out, a picture of the "
                            "verified matches and matched region and of what each STN aligned",
                            flags, out);
  cmd->add_option("--out", flags->out_dir,
                  "Folder for explain.png and the STN-aligned images (created if missing)");
}

}  // namespace neardup::cli
