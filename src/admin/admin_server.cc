#include "admin/admin_server.h"

#include <httplib.h>

#include <sys/socket.h>

#include <thread>

#include <fmt/format.h>

#include "common/check.h"
#include "obs/json.h"
#include "obs/log.h"
#include "obs/metrics.h"

namespace strata::admin {

struct AdminServer::Impl {
  AdminOptions options;
  httplib::Server http;
  std::thread thread;
  obs::Family<obs::Counter>* requests = nullptr;
};

AdminServer::AdminServer(AdminOptions options) : impl_(std::make_unique<Impl>()) {
  STRATA_CHECK(options.registry != nullptr);
  impl_->options = std::move(options);
  impl_->requests = &impl_->options.registry->AddCounterFamily(
      "stratadb_admin_requests_total", "Admin HTTP requests by path and status code.",
      {"path", "code"});
}

AdminServer::~AdminServer() { Stop(); }

Status AdminServer::Start() {
  Impl& im = *impl_;
  STRATA_CHECK_MSG(!im.thread.joinable(), "AdminServer::Start called twice");
  im.http.Get("/metrics", [&im](const httplib::Request&, httplib::Response& res) {
    res.set_content(im.options.registry->RenderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
  });
  im.http.Get("/health", [&im](const httplib::Request&, httplib::Response& res) {
    bool serving = !im.options.is_serving || im.options.is_serving();
    res.status = serving ? 200 : 503;
    res.set_content(serving ? "ok\n" : "not serving\n", "text/plain");
  });
  im.http.Get("/status", [&im](const httplib::Request&, httplib::Response& res) {
    res.set_content(im.options.status_json ? im.options.status_json() : "{}", "application/json");
  });
  if (im.options.io_config_json && im.options.apply_io_config) {
    im.http.Get("/config/io", [&im](const httplib::Request&, httplib::Response& res) {
      res.set_content(im.options.io_config_json(), "application/json");
    });
    im.http.Post("/config/io", [&im](const httplib::Request& req, httplib::Response& res) {
      std::vector<std::pair<std::string, std::string>> params(req.params.begin(), req.params.end());
      Status s = im.options.apply_io_config(params);
      if (!s.ok()) {
        res.status = 400;
        res.set_content(obs::JsonObject().Add("error", s.message()).Finish() + "\n", "application/json");
        return;
      }
      res.set_content(im.options.io_config_json(), "application/json");
    });
  }
  im.http.set_logger([&im](const httplib::Request& req, const httplib::Response& res) {
    // Unknown paths are folded into one label value so a scanner cannot grow the registry.
    bool known = req.path == "/metrics" || req.path == "/health" || req.path == "/status" ||
                 req.path == "/config/io";
    im.requests->With({known ? req.path : "other", std::to_string(res.status)}).Inc();
  });

  // httplib's default also sets SO_REUSEPORT, which would let a second node bind the same
  // port silently; SO_REUSEADDR alone keeps restarts quick and a busy port an error.
  im.http.set_socket_options([](int sock) {
    int one = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  });
  if (!im.http.bind_to_port(im.options.listen_addr, im.options.port)) {
    return Status::Busy(fmt::format("cannot listen on {}:{} for the admin endpoint (port in use "
                                    "or address unavailable)",
                                    im.options.listen_addr, im.options.port));
  }
  bound_port_ = im.options.port;
  im.thread = std::thread([&im] { im.http.listen_after_bind(); });
  while (!im.http.is_running()) std::this_thread::yield();
  obs::Info("admin", "admin endpoint listening",
            {{"addr", im.options.listen_addr}, {"port", int64_t{bound_port_}}});
  return Status::OK();
}

void AdminServer::Stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->http.stop();
  impl_->thread.join();
}

}  // namespace strata::admin
