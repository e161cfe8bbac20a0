// `neardup index create|add|remove|stats|import|export`: a persistent index (include/neardup/
// index.h). query and dups are in cmd_index_query.cc.
#include "cmd_index.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "display.h"
#include "flags.h"
#include "json_out.h"
#include "neardup/hash.h"
#include "neardup/hash_list.h"
#include "neardup/registry.h"
#include "neardup/text.h"
#include "progress.h"
#include "scan_flags.h"

namespace neardup::cli {

IndexOptions CliIndexOptions() {
  IndexOptions o;
  o.warn = [](const std::string& w) {
    std::fprintf(stderr, "neardup: warning: %s\n", DisplayText(w).c_str());
  };
  return o;
}

std::unique_ptr<ImageIndex> OpenIndexOrReport(const std::string& dir) {
  auto index = ImageIndex::Open(dir, CliIndexOptions());
  if (!index.ok()) {
    std::fprintf(stderr, "neardup: %s\n", index.status().message().c_str());
    return nullptr;
  }
  return std::move(index).value();
}

namespace {

struct CreateFlags {
  std::string dir;
  std::string method = kDefaultIndexMethod;
  std::string factory;
};

int RunCreate(const CreateFlags& f) {
  auto index = ImageIndex::Create(f.dir, f.method, f.factory, CliIndexOptions());
  if (!index.ok()) {
    std::fprintf(stderr, "neardup: %s\n", index.status().message().c_str());
    return kExitUsage;
  }
  auto stats = (*index)->Stats();
  std::printf("created %s: method %s, index %s\n", DisplayPath(f.dir).c_str(),
              (*index)->method().name().c_str(), stats.ok() ? stats->factory.c_str() : "?");
  return kExitOk;
}

struct AddFlags {
  std::string dir;
  ScanFlags scan;  // method and cache flags are not offered: the index decides
};

int RunAdd(const AddFlags& f) {
  std::unique_ptr<ImageIndex> index = OpenIndexOrReport(f.dir);
  if (!index) return kExitUsage;
  Stopwatch clock;
  ScanFlags scan = f.scan;
  scan.method = index->method().name();
  StatusOr<IndexAddResult> r = index->Add(MakeScanOptions(scan));
  if (!r.ok()) {
    std::fprintf(stderr, "neardup: %s\n", r.status().message().c_str());
    return kExitUsage;
  }
  for (const InputError& e : r->errors) {
    std::fprintf(stderr, "neardup: %s: %s\n", DisplayPath(e.path).c_str(),
                 e.status.message().c_str());
  }
  for (const std::string& w : r->warnings)
    std::fprintf(stderr, "neardup: warning: %s\n", w.c_str());
  if (!f.scan.quiet) {
    std::fprintf(stderr, "%lld added, %lld already indexed, %zu errors, %lld skipped, %.2f s\n",
                 (long long)r->added, (long long)r->unchanged, r->errors.size(),
                 (long long)r->skipped_non_images, clock.Seconds());
  }
  return r->errors.empty() ? kExitOk : kExitSomeFailed;
}

struct RemoveFlags {
  std::string dir;
  std::vector<std::string> paths;
};

int RunRemove(const RemoveFlags& f) {
  std::unique_ptr<ImageIndex> index = OpenIndexOrReport(f.dir);
  if (!index) return kExitUsage;
  auto missing = index->Remove(f.paths);
  if (!missing.ok()) {
    std::fprintf(stderr, "neardup: %s\n", missing.status().message().c_str());
    return kExitUsage;
  }
  for (const std::string& p : *missing) {
    std::fprintf(stderr, "neardup: %s: not in the index\n", DisplayPath(p).c_str());
  }
  std::fprintf(stderr, "%zu removed\n", f.paths.size() - missing->size());
  return missing->empty() ? kExitOk : kExitSomeFailed;
}

struct StatsFlags {
  std::string dir;
  bool json = false;
};

int RunStats(const StatsFlags& f) {
  std::unique_ptr<ImageIndex> index = OpenIndexOrReport(f.dir);
  if (!index) return kExitUsage;
  auto s = index->Stats();
  if (!s.ok()) {
    std::fprintf(stderr, "neardup: %s\n", s.status().message().c_str());
    return kExitUsage;
  }
  const int64_t bytes = s->catalog_bytes + s->vector_bytes;
  const double per_image = s->images ? double(bytes) / double(s->images) : 0.0;
  if (f.json) {
    std::printf("%s\n", DumpJson(IndexStatsJson(*s)).c_str());
    return kExitOk;
  }
  std::printf("index:    %s\nmethod:   %s (%d %s)\nfaiss:    %s%s\nimages:   %lld\n",
              DisplayPath(s->path).c_str(), s->method.c_str(), s->dims, index->method().dims_unit(),
              s->factory.c_str(),
              s->trained ? "" : " (not trained yet: exact search until enough images)",
              (long long)s->images);
  std::printf("vectors:  %lld\nbytes:    %s catalog + %s vectors = %.0f bytes per image\n",
              (long long)s->vectors, HumanBytes(s->catalog_bytes).c_str(),
              HumanBytes(s->vector_bytes).c_str(), per_image);
  return kExitOk;
}

struct ImportFlags {
  std::string dir;
  std::string pdq_hex;
};

// The list format is include/neardup/hash_list.h's. The good lines of a list with bad ones are
// imported and the status is kExitSomeFailed, as find reads the good files of a folder.
int RunImport(const ImportFlags& f) {
  std::unique_ptr<ImageIndex> index = OpenIndexOrReport(f.dir);
  if (!index) return kExitUsage;
  const std::string m = index->method().name();
  if (m != "pdq" && m != "pdq8") {
    std::fprintf(stderr, "neardup: %s: --pdq-hex needs an index of method pdq or pdq8, not %s\n",
                 DisplayPath(f.dir).c_str(), m.c_str());
    return kExitUsage;
  }
  std::string bytes;
  FILE* in = std::fopen(f.pdq_hex.c_str(), "rb");
  bool read_ok = in != nullptr;
  for (char buf[1 << 16]; read_ok;) {
    const size_t n = std::fread(buf, 1, sizeof buf, in);
    bytes.append(buf, n);
    if (n < sizeof buf) read_ok = !std::ferror(in);
    if (n < sizeof buf) break;
  }
  const int err = errno;
  if (in) std::fclose(in);
  if (!read_ok) {
    std::fprintf(stderr, "neardup: %s: cannot read: %s\n", DisplayPath(f.pdq_hex).c_str(),
                 std::strerror(err));
    return kExitUsage;
  }
  const HashList list = ParseHashList(bytes);
  for (const HashListError& e : list.errors) {
    std::fprintf(stderr, "neardup: %s:%d: %s: \"%s\"\n", DisplayPath(f.pdq_hex).c_str(), e.line,
                 DisplayText(e.reason).c_str(), DisplayText(e.text).c_str());
  }
  std::vector<ImportedHash> hashes;
  hashes.reserve(list.entries.size());
  for (const HashListEntry& e : list.entries) {
    ImportedHash ih;
    ih.id = e.id;
    ih.descriptor.bits.assign(e.hash.w.begin(), e.hash.w.end());
    hashes.push_back(std::move(ih));
  }
  auto r = index->AddHashes(hashes);
  if (!r.ok()) {
    std::fprintf(stderr, "neardup: %s\n", r.status().message().c_str());
    return kExitUsage;
  }
  for (const InputError& e : r->errors) {
    std::fprintf(stderr, "neardup: %s: ID %s: %s\n", DisplayPath(f.pdq_hex).c_str(),
                 DisplayPath(e.path).c_str(), e.status.message().c_str());
  }
  const size_t bad = list.errors.size() + r->errors.size();
  std::fprintf(stderr, "%lld hashes imported, %lld already there, %d repeated lines, %zu bad\n",
               (long long)r->added, (long long)r->unchanged, list.duplicates, bad);
  return bad ? kExitSomeFailed : kExitOk;
}

// Lines "HEX,ID" (variant 0: the image as it is; the ID escaped), the format import reads.
int RunExport(const std::string& dir) {
  std::unique_ptr<ImageIndex> index = OpenIndexOrReport(dir);
  if (!index) return kExitUsage;
  const std::string m = index->method().name();
  if (m != "pdq" && m != "pdq8") {
    std::fprintf(stderr, "neardup: %s: export writes PDQ hashes; this index holds %s\n",
                 DisplayPath(dir).c_str(), m.c_str());
    return kExitUsage;
  }
  bool written = true;
  Status s = index->ForEach([&](const std::string& id, const Descriptor& d) {
    Hash256 h;
    for (int i = 0; i < 4; ++i) h.w[i] = d.bits[i];  // ForEach gives only rows of the method
    const std::string line = FormatHashListLine(h, id);
    written = written && std::fwrite(line.data(), 1, line.size(), stdout) == line.size();
  });
  if (!s.ok()) {
    std::fprintf(stderr, "neardup: %s\n", s.message().c_str());
    return kExitUsage;
  }
  if (!written || std::fflush(stdout) != 0) {
    std::fprintf(stderr, "neardup: cannot write the export: %s\n", std::strerror(errno));
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace

void AddIndexCommand(CLI::App& root, std::vector<Command>* out) {
  CLI::App* index = root.add_subcommand(
      "index", "A persistent index: add images once, query copies, list duplicates");
  index->require_subcommand(1);

  auto create = std::make_shared<CreateFlags>();
  CLI::App* c = index->add_subcommand("create", "Create an empty index folder");
  c->add_option("dir", create->dir, "Index folder (created)")->required();
  c->add_option("-m,--method", create->method, "Descriptor method")->capture_default_str();
  c->add_option("--index", create->factory,
                "Faiss factory string: BFlat (default for hashes), BHNSW32, BHash2x16; Flat "
                "(default for embeddings), HNSW32, IVF4096,Flat, IVF4096,PQ32");
  out->push_back({c, [create] { return RunCreate(*create); }});

  auto add = std::make_shared<AddFlags>();
  CLI::App* a = index->add_subcommand("add", "Describe and add images (skips those indexed)");
  a->add_option("dir", add->dir, "Index folder")->required();
  a->add_option("inputs", add->scan.inputs, "Image files and folders")->required();
  a->add_flag("-r,--recursive", add->scan.recursive, "Descend into sub-folders");
  AddThreadsOption(a, &add->scan.threads, "Threads (0 = all cores)");
  a->add_flag("-q,--quiet", add->scan.quiet, "No progress bar or summary");
  out->push_back({a, [add] { return RunAdd(*add); }});

  auto remove = std::make_shared<RemoveFlags>();
  CLI::App* r = index->add_subcommand("remove", "Remove images (by path) or imported IDs");
  r->add_option("dir", remove->dir, "Index folder")->required();
  r->add_option("paths", remove->paths, "Paths or IDs")->required();
  out->push_back({r, [remove] { return RunRemove(*remove); }});

  auto stats = std::make_shared<StatsFlags>();
  CLI::App* s = index->add_subcommand("stats", "Images, method, index type and bytes");
  s->add_option("dir", stats->dir, "Index folder")->required();
  s->add_flag("--json", stats->json, "JSON output");
  out->push_back({s, [stats] { return RunStats(*stats); }});

  auto import = std::make_shared<ImportFlags>();
  CLI::App* i = index->add_subcommand("import", "Import a list of PDQ hashes (HEX[,ID] lines)");
  i->add_option("dir", import->dir, "Index folder (method pdq or pdq8)")->required();
  i->add_option("--pdq-hex", import->pdq_hex, "File of 64-hex-digit PDQ hashes")->required();
  out->push_back({i, [import] { return RunImport(*import); }});

  auto export_dir = std::make_shared<std::string>();
  CLI::App* e = index->add_subcommand(
      "export", "Print the PDQ hashes as HEX,PATH lines (paths escaped: \\\\, \\n, \\xHH)");
  e->add_option("dir", *export_dir, "Index folder (method pdq or pdq8)")->required();
  out->push_back({e, [export_dir] { return RunExport(*export_dir); }});

  AddIndexSearchCommands(index, out);
}

}  // namespace neardup::cli
