// The web console's files (src/admin/console/), compiled in by cmake/EmbedFiles.cmake so
// that the node serves them itself: no CDN, nothing to install next to the binary.
#pragma once

#include <string_view>
#include <vector>

namespace strata::admin {

struct ConsoleAsset {
  std::string_view path;          // e.g. "/console/console.js"
  std::string_view content_type;
  std::string_view body;
};

const std::vector<ConsoleAsset>& ConsoleAssets();

}  // namespace strata::admin
