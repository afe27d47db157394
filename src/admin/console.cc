#include "admin/console.h"

#include <httplib.h>
#include <openssl/evp.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <fmt/format.h>

#include "admin/console_assets.h"
#include "obs/json.h"
#include "obs/log.h"

namespace strata::admin {

namespace {

constexpr std::string_view kBasic = "Basic ";
constexpr size_t kMaxAuthHeader = 1024;
// Password guessing: after kMaxFailures wrong sign-ins from one address within kWindow, that
// address gets 429 until the window ends (and no more log lines).
constexpr int kMaxFailures = 5;
constexpr auto kWindow = std::chrono::seconds(60);
constexpr size_t kMaxTrackedAddresses = 4096;

class FailureThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  // Seconds the address must still wait, 0 when it may try.
  int64_t WaitSeconds(const std::string& address) {
    std::lock_guard lock(mu_);
    auto it = failures_.find(address);
    if (it == failures_.end()) return 0;
    auto left = it->second.since + kWindow - Clock::now();
    if (left <= Clock::duration::zero()) {
      failures_.erase(it);
      return 0;
    }
    return it->second.count >= kMaxFailures ? std::chrono::ceil<std::chrono::seconds>(left).count() : 0;
  }
  // Records a failure; true while the address is under the limit (worth a log line).
  bool Failed(const std::string& address) {
    std::lock_guard lock(mu_);
    if (failures_.size() >= kMaxTrackedAddresses) failures_.clear();  // a flood of addresses: start over
    Entry& e = failures_[address];
    if (e.count == 0) e.since = Clock::now();
    return ++e.count <= kMaxFailures;
  }

 private:
  struct Entry {
    int count = 0;
    Clock::time_point since;
  };
  std::mutex mu_;
  std::map<std::string, Entry> failures_;
};

void ReplyJson(httplib::Response& res, int status, std::string json) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(std::move(json), "application/json");
}

void ReplyError(httplib::Response& res, int status, std::string_view message) {
  ReplyJson(res, status, obs::JsonObject().Add("error", message).Finish() + "\n");
}

// True when the request carries root's credentials; otherwise answers 401 (without a
// WWW-Authenticate challenge: the console asks for the password itself) and logs it.
bool Authorized(const AdminOptions& options, FailureThrottle& throttle, const httplib::Request& req,
                httplib::Response& res) {
  if (int64_t wait = throttle.WaitSeconds(req.remote_addr); wait > 0) {
    res.set_header("Retry-After", std::to_string(wait));
    ReplyError(res, 429, fmt::format("too many failed sign-ins from this address; try again in {} s", wait));
    return false;
  }
  std::optional<std::pair<std::string, std::string>> credentials =
      ParseBasicAuth(req.get_header_value("Authorization"));
  if (credentials && options.check_root(credentials->first, credentials->second)) return true;
  if (credentials && throttle.Failed(req.remote_addr)) {
    obs::Warn("admin", "console authentication failed",
              {{"user", credentials->first}, {"remote_addr", req.remote_addr}, {"path", req.path}});
  }
  ReplyError(res, 401,
             !options.root_has_password ? "root has no password, and the console admits root only with one"
             : credentials              ? "access denied: wrong user or password (the console admits root only)"
                                        : "authentication required: sign in as root");
  return false;
}

}  // namespace

std::optional<std::pair<std::string, std::string>> ParseBasicAuth(std::string_view header) {
  if (header.size() > kMaxAuthHeader || !header.starts_with(kBasic)) return std::nullopt;
  std::string_view encoded = header.substr(kBasic.size());
  while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
  if (encoded.empty() || encoded.size() % 4 != 0) return std::nullopt;
  std::string decoded(encoded.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                          reinterpret_cast<const unsigned char*>(encoded.data()), static_cast<int>(encoded.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the bytes that the '=' padding stands for.
  size_t padding = encoded.ends_with("==") ? 2 : encoded.ends_with("=") ? 1 : 0;
  decoded.resize(static_cast<size_t>(n) - padding);
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::pair<std::string, std::string>(decoded.substr(0, colon), decoded.substr(colon + 1));
}

void ServeConsole(httplib::Server& http, const AdminOptions& options) {
  auto throttle = std::make_shared<FailureThrottle>();  // lives as long as the handlers
  auto authorized = [throttle, &options](const httplib::Request& req, httplib::Response& res) {
    return Authorized(options, *throttle, req, res);
  };
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    http.Get(std::string(asset.path), [&asset](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-cache");
      res.set_content(std::string(asset.body), fmt::format("{}; charset=utf-8", asset.content_type));
    });
  }
  http.Get("/", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/console"); });
  http.Get("/sessions", [&options, authorized](const httplib::Request& req, httplib::Response& res) {
    if (authorized(req, res)) ReplyJson(res, 200, options.sessions_json());
  });
  http.Get("/slow-queries", [&options, authorized](const httplib::Request& req, httplib::Response& res) {
    if (authorized(req, res)) ReplyJson(res, 200, options.slow_queries_json());
  });
  http.Post("/sessions/kill", [&options, authorized](const httplib::Request& req, httplib::Response& res) {
    if (!authorized(req, res)) return;
    const std::string id_text = req.get_param_value("id");
    const std::string scope = req.has_param("scope") ? req.get_param_value("scope") : "connection";
    char* end = nullptr;
    unsigned long long id = std::strtoull(id_text.c_str(), &end, 10);
    if (id_text.empty() || *end != '\0' || id > UINT32_MAX) return ReplyError(res, 400, "id must be a session id");
    if (scope != "connection" && scope != "query")
      return ReplyError(res, 400, "scope must be connection or query");
    if (!options.kill_session(static_cast<uint32_t>(id), scope == "query"))
      return ReplyError(res, 404, fmt::format("Unknown thread id: {}", id));
    obs::Info("admin", "console KILL", {{"id", static_cast<uint64_t>(id)}, {"scope", scope},
                                         {"remote_addr", req.remote_addr}});
    ReplyJson(res, 200, obs::JsonObject().Add("killed", static_cast<uint64_t>(id)).Add("scope", scope).Finish() + "\n");
  });
}

}  // namespace strata::admin
