// The review page's files (tools/neardup/web/), compiled into the binary (cmake/embed_assets.cmake).
#ifndef NEARDUP_TOOLS_SERVE_ASSETS_H_
#define NEARDUP_TOOLS_SERVE_ASSETS_H_

#include <string_view>
#include <vector>

namespace neardup::cli {

struct Asset {
  std::string_view name;  // "index.html", "review.js", "review.css"
  std::string_view data;
};
const std::vector<Asset>& Assets();

}  // namespace neardup::cli

#endif  // NEARDUP_TOOLS_SERVE_ASSETS_H_
