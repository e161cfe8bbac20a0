// `neardup serve ROOT...`: the review page and the JSON API (serve_server.h).
#include "commands.h"
#include "flags.h"
#include "serve_server.h"

namespace neardup::cli {

void AddServeCommand(CLI::App& root, std::vector<Command>* out) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = root.add_subcommand(
      "serve",
      "Serve the review page and a JSON API over the near-duplicates of ROOTs (scanned at "
      "start as find would); actions and undo as `act`; with --index, copy-detection queries");
  AddScanFlags(cmd, &flags->scan);
  cmd->add_option("--bind", flags->bind, "ADDR:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  cmd->add_option("--index", flags->index,
                  "An index folder (`neardup index create`): enables POST /v1/query and "
                  "POST /v1/images");
  cmd->add_option("--token-file", flags->token_file,
                  "File whose first line is the token that state-changing requests need "
                  "(default: a random token, printed at start)");
  cmd->add_option("--journal-dir", flags->journal_dir,
                  "Folder of the action journals (default: as `neardup act`)");
  cmd->add_option("--thumbs", flags->thumbs_dir,
                  "Folder of the cached thumbnails (default: $XDG_CACHE_HOME/neardup/thumbs)");
  cmd->add_option("--workers", flags->workers, "Connection threads")
      ->check(WholeNumberIn(1, 1024))
      ->capture_default_str();
  cmd->add_option("--max-queue", flags->max_queue,
                  "Connections that may wait for a thread; beyond it, requests get 503")
      ->check(WholeNumberIn(0, 1 << 20))
      ->capture_default_str();
  cmd->add_option("--heavy", flags->heavy,
                  "Requests that may decode or describe images at once (0: one per core)")
      ->check(WholeNumberIn(0, 1024))
      ->capture_default_str();
  cmd->add_option("--max-body-mb", flags->max_body_mb, "Largest request body, MiB (else 413)")
      ->check(WholeNumberIn(1, 4096))
      ->capture_default_str();
  cmd->add_option("--max-upload-pixels", flags->max_pixels,
                  "Largest uploaded image in pixels (else 413)")
      ->check(WholeNumberIn(1, uint64_t(1) << 34))
      ->capture_default_str();
  cmd->add_option("--timeout", flags->timeout_s,
                  "Seconds a request may take to arrive, to be sent, or wait for a slot")
      ->check(WholeNumberIn(1, 3600))
      ->capture_default_str();
  out->push_back({cmd, [flags] { return RunServe(*flags); }});
}

}  // namespace neardup::cli
