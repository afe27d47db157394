// Global system variables that belong to the node rather than to SQL: the I/O rate limits
// today (compaction_rate_mb, ...). sql must not include node (DESIGN §2), so the node
// passes an implementation in through SqlEngineOptions::node_variables; SET GLOBAL,
// @@name and SHOW [GLOBAL] VARIABLES reach the node's settings through it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strata::sql {

// Thread-safety: implementations are called from every session's thread at once.
class NodeVariables {
 public:
  virtual ~NodeVariables() = default;
  // The variables' names, lower case.
  virtual std::vector<std::string> Names() const = 0;
  // The current value; nullopt when `name` (lower case) is not one of Names().
  virtual std::optional<int64_t> Get(std::string_view name) const = 0;
  // Applies `value` at once (SET GLOBAL). Errors carry their MySQL code (1231 for a
  // value out of range).
  virtual Status Set(std::string_view name, int64_t value) = 0;
};

}  // namespace strata::sql
