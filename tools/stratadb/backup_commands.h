// `stratadb backup` and `stratadb restore` (docs/operations.md, "Backup and restore").
// Each returns the process's exit status: 0 on success, 1 with one `stratadb: error: …`
// line on stderr otherwise.
#pragma once

#include <string>

#include "progress.h"

namespace strata::tools {

int RunBackup(const std::string& admin_addr, const std::string& to_dir, ProgressStyle style);
int RunRestore(const std::string& from_dir, const std::string& data_dir, const std::string& root_password,
               ProgressStyle style);

}  // namespace strata::tools
