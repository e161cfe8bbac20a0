#include "scan_flags.h"

#include <unistd.h>

#include <cstdint>
#include <memory>

#include "flags.h"
#include "neardup/cache.h"
#include "neardup/nn.h"
#include "neardup/registry.h"
#include "progress.h"

namespace neardup::cli {

void AddScanFlags(CLI::App* cmd, ScanFlags* f) {
  cmd->add_option("inputs", f->inputs, "Folders and image files")->required();
  cmd->add_flag("-r,--recursive", f->recursive, "Search sub-folders too");
  std::string methods;
  for (const std::string& m : MethodNames()) methods += (methods.empty() ? "" : ", ") + m;
  std::string learned;
  for (const std::string& m : NnMethodExamples()) learned += (learned.empty() ? "" : ", ") + m;
  f->method = DefaultMethod();
  cmd->add_option("-m,--method", f->method,
                  "Descriptor method: " + methods + "; learned (need a model file): " + learned)
      ->capture_default_str();
  AddThreadsOption(cmd, &f->threads);
  cmd->add_option("--cache", f->cache, "Cache file (default: " + DefaultCachePath() + ")");
  cmd->add_flag("--no-cache", f->no_cache, "Neither read nor write the cache");
  cmd->add_flag("-q,--quiet", f->quiet, "No progress bar");
  cmd->add_flag("--cross-devices", f->cross_devices,
                "With -r, also enter sub-folders on other file systems (mount points, linked "
                "folders); pseudo file systems such as /proc are never entered");
  cmd->add_option("--max-memory", f->max_memory_mb,
                  "MiB that decoding may hold at once on all threads together; a larger image "
                  "is reported, not decoded")
      ->check(WholeNumberIn(64, 1 << 20))
      ->capture_default_str();
}

ScanOptions MakeScanOptions(const ScanFlags& f) {
  ScanOptions o;
  o.inputs = f.inputs;
  o.recursive = f.recursive;
  o.cross_devices = f.cross_devices;
  SetDecodeMemoryBudget(int64_t(f.max_memory_mb) << 20);  // one budget for the process
  o.method = f.method;
  o.threads = f.threads;
  o.use_cache = !f.no_cache;
  o.cache_path = f.cache;
  if (!f.quiet && ::isatty(STDERR_FILENO)) {
    auto bar = std::make_shared<ProgressBar>();
    o.progress = [bar](int64_t done, int64_t total) { bar->Update(done, total); };
  }
  return o;
}

}  // namespace neardup::cli
