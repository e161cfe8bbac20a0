// Shared by the `neardup index` subcommand files.
#ifndef NEARDUP_TOOLS_CMD_INDEX_H_
#define NEARDUP_TOOLS_CMD_INDEX_H_

#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "neardup/image_index.h"

namespace neardup::cli {

// Opens the index, or prints why not on stderr and returns null.
std::unique_ptr<ImageIndex> OpenIndexOrReport(const std::string& dir);

// `index query` and `index dups` (cmd_index_query.cc).
void AddIndexSearchCommands(CLI::App* index, std::vector<Command>* out);

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_CMD_INDEX_H_
