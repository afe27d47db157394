#include "server/mysql/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <list>
#include <system_error>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "obs/log.h"
#include "obs/metrics.h"
#include "server/mysql/connection.h"
#include "server/mysql/protocol.h"
#include "server/mysql/result_writer.h"
#include "server/mysql/tls.h"

namespace strata::server::mysql {

class Server::Impl {
 public:
  ServerContext ctx;
  int listen_fd = -1;
  uint16_t port = 0;
  std::thread accept_thread;
  std::atomic<bool> stopping{false};
  std::atomic<uint32_t> next_connection_id{1};

  // A connection's thread and socket. The socket is closed only after the thread is
  // joined, so Stop() can never shut down a reused descriptor.
  struct Slot {
    int fd = -1;
    uint32_t id = 0;  // the connection id
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::mutex mu;
  std::list<Slot> slots;  // guarded by mu

  Status Listen();
  void AcceptLoop();
  void Spawn(int fd, std::string peer_host);
  void ReapFinished();
  void StopAll();
};

namespace {

std::string PeerHost(const sockaddr_storage& addr) {
  char buf[INET6_ADDRSTRLEN] = "unknown";
  if (addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, buf, sizeof(buf));
  } else if (addr.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr, buf, sizeof(buf));
  }
  return buf;
}

// Sends one ERR packet (sequence 0, before any handshake) and closes `fd`.
void RefuseConnection(int fd, uint16_t mysql_errno, std::string_view sqlstate,
                             std::string_view message) {
  std::string err = EncodeErr(mysql_errno, sqlstate, message);
  std::string packet{static_cast<char>(err.size()), 0, 0, 0};
  packet += err;
  SetSocketTimeouts(fd, std::chrono::seconds(1), std::chrono::seconds(1));
  (void)!::send(fd, packet.data(), packet.size(), MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
}

ServerMetrics RegisterMetrics(obs::Registry& r) {
  ServerMetrics m;
  m.connections_open = &r.AddGauge("stratadb_mysql_connections_open",
                                   "MySQL client connections currently open");
  m.connections_total = &r.AddCounter("stratadb_mysql_connections_total",
                                      "MySQL client connections accepted");
  m.aborted_connects = &r.AddCounter(
      "stratadb_mysql_aborted_connects_total",
      "MySQL connection attempts that failed (bad handshake, access denied)");
  m.refused_max_connections = &r.AddCounter(
      "stratadb_mysql_refused_connections_total",
      "MySQL connections refused with ERR 1040 because max_connections were open");
  m.bytes_received = &r.AddCounter("stratadb_mysql_received_bytes_total",
                                   "Bytes received from MySQL clients");
  m.bytes_sent = &r.AddCounter("stratadb_mysql_sent_bytes_total", "Bytes sent to MySQL clients");
  m.commands = &r.AddCounterFamily("stratadb_mysql_commands_total",
                                   "MySQL protocol commands received, by command", {"command"});
  return m;
}

}  // namespace

Status Server::Impl::Listen() {
  const ServerOptions& o = ctx.options;
  sockaddr_storage addr{};
  socklen_t addr_len;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, o.listen_addr.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(o.port);
    addr_len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, o.listen_addr.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(o.port);
    addr_len = sizeof(sockaddr_in6);
  } else {
    return Status::InvalidArgument("listen_addr is not an IP address: " + o.listen_addr);
  }
  listen_fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd < 0) return Status::FromErrno(errno, "socket");
  int one = 1;
  ::setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(listen_fd, reinterpret_cast<sockaddr*>(&addr), addr_len) != 0) {
    return Status::FromErrno(errno, fmt::format("bind {}:{}", o.listen_addr, o.port));
  }
  if (::listen(listen_fd, 128) != 0) return Status::FromErrno(errno, "listen");
  socklen_t len = sizeof(addr);
  ::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
  return Status::OK();
}

void Server::Impl::AcceptLoop() {
  while (!stopping.load()) {
    pollfd p{listen_fd, POLLIN, 0};
    int ready = ::poll(&p, 1, 1000);  // wake up now and then to reap finished threads
    ReapFinished();
    if (ready <= 0) continue;
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
    if (fd < 0) {
      if (stopping.load()) return;
      if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN) continue;
      obs::Warn("mysql", "accept failed", {{"errno", errno}});
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // EMFILE: back off
      continue;
    }
    if (stopping.load()) {
      ::close(fd);
      return;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    const uint32_t limit = ctx.options.max_connections_now ? ctx.options.max_connections_now() : ctx.options.max_connections;
    if (ctx.open_connections.load() >= limit) {
      ctx.metrics.refused_max_connections->Inc();
      RefuseConnection(fd, er::kConCount, "08004", "Too many connections");
      continue;
    }
    Spawn(fd, PeerHost(addr));
  }
}

void Server::Impl::Spawn(int fd, std::string peer_host) {
  uint32_t id = next_connection_id.fetch_add(1);
  std::lock_guard<std::mutex> lock(mu);
  Slot& slot = slots.emplace_back();
  slot.fd = fd;
  slot.id = id;
  ctx.open_connections.fetch_add(1);
  try {
    slot.thread = std::thread([this, &slot, id, host = std::move(peer_host)]() mutable {
      // A peer that resets the connection must not kill the process through SIGPIPE from
      // OpenSSL's write(); blocked here, the write fails with EPIPE instead.
      sigset_t pipe;
      sigemptyset(&pipe);
      sigaddset(&pipe, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
      {
        Connection conn(&ctx, slot.fd, id, std::move(host));
        conn.Run();
      }
      ::shutdown(slot.fd, SHUT_RDWR);  // the client sees the close now, not at reap time
      ctx.open_connections.fetch_sub(1);
      ctx.metrics.connections_open->Add(-1);
      slot.done.store(true);
    });
  } catch (const std::system_error& e) {  // out of threads: refuse, keep serving
    ctx.open_connections.fetch_sub(1);
    slots.pop_back();
    obs::Warn("mysql", "cannot create connection thread", {{"error", e.what()}});
    RefuseConnection(fd, er::kCantCreateThread, "HY000",
                     "Can't create a new thread; if you are not out of available memory, "
                     "you can consult the manual for a possible OS-dependent bug");
    return;
  }
  ctx.metrics.connections_open->Add(1);
  ctx.metrics.connections_total->Inc();
}

void Server::Impl::ReapFinished() {
  std::list<Slot> finished;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (auto it = slots.begin(); it != slots.end();) {
      auto next = std::next(it);
      if (it->done.load()) finished.splice(finished.end(), slots, it);
      it = next;
    }
  }
  for (Slot& s : finished) {
    s.thread.join();
    ::close(s.fd);
  }
}

void Server::Impl::StopAll() {
  if (stopping.exchange(true)) return;
  if (listen_fd >= 0) ::shutdown(listen_fd, SHUT_RDWR);
  if (accept_thread.joinable()) accept_thread.join();
  if (listen_fd >= 0) ::close(listen_fd);
  listen_fd = -1;
  std::list<Slot> all;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (Slot& s : slots) ::shutdown(s.fd, SHUT_RDWR);
    all.splice(all.end(), slots);
  }
  for (Slot& s : all) {
    s.thread.join();
    ::close(s.fd);
  }
}

Result<std::unique_ptr<Server>> Server::Start(ServerOptions options, SessionFactory* factory) {
  STRATA_CHECK(factory != nullptr);
  if (options.max_connections == 0) return Status::InvalidArgument("max_connections is 0");
  auto impl = std::make_unique<Impl>();
  impl->ctx.factory = factory;
  impl->ctx.start_time = std::chrono::steady_clock::now();
  obs::Registry& registry = options.registry ? *options.registry : obs::Registry::Default();
  impl->ctx.metrics = RegisterMetrics(registry);
  STRATA_ASSIGN_OR_RETURN(impl->ctx.tls,
                          TlsContext::Create(options.tls_cert_file, options.tls_key_file,
                                             options.rsa_private_key_file));
  impl->ctx.options = std::move(options);
  Status s = impl->Listen();
  if (!s.ok()) {
    if (impl->listen_fd >= 0) ::close(impl->listen_fd);
    return s;
  }
  Impl* raw = impl.get();
  impl->accept_thread = std::thread([raw] { raw->AcceptLoop(); });
  obs::Info("mysql", "listening",
            {{"addr", raw->ctx.options.listen_addr}, {"port", uint64_t{raw->port}},
             {"version", raw->ctx.options.server_version}});
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { Stop(); }
uint16_t Server::port() const { return impl_->port; }
void Server::Stop() { impl_->StopAll(); }
size_t Server::open_connections() const { return impl_->ctx.open_connections.load(); }

bool Server::CloseConnection(uint32_t connection_id) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (Impl::Slot& s : impl_->slots) {
    if (s.id != connection_id || s.done.load()) continue;
    ::shutdown(s.fd, SHUT_RDWR);  // safe: the descriptor is closed only after the slot leaves `slots`
    return true;
  }
  return false;
}

}  // namespace strata::server::mysql
