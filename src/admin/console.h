// The admin endpoint's web console (admin_server.h lists its paths): the page and its files,
// and the root-only JSON endpoints it reads (sessions, KILL, the slow-query log).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "admin/admin_server.h"

namespace httplib {
class Server;
}

namespace strata::admin {

// REQUIRES: options' console callbacks are set; `options` outlives `http`'s serving.
void ServeConsole(httplib::Server& http, const AdminOptions& options);

// An "Authorization: Basic base64(user:password)" header → (user, password); nullopt when
// it is anything else.
std::optional<std::pair<std::string, std::string>> ParseBasicAuth(std::string_view header);

}  // namespace strata::admin
