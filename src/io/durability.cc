// DurabilityTracker: file data tracking and the power loss itself (see durability.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "common/check.h"
#include "io/durability_impl.h"

namespace strata::io {
namespace {

std::atomic<DurabilityTracker*> g_tracker{nullptr};

void Complain(DurabilityTracker::RollbackSummary* sum, const std::string& what) {
  sum->errors++;
  std::fprintf(stderr, "stratadb: power-loss rollback: %s\n", what.c_str());
}

// pread until n bytes or EOF; returns the bytes read.
size_t ReadFully(int fd, char* buf, size_t n, uint64_t offset) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, buf + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

bool WriteFully(int fd, const char* buf, size_t n, uint64_t offset) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pwrite(fd, buf + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

}  // namespace

std::string DurabilityTracker::RollbackSummary::ToString() const {
  return fmt::format("{} files rolled back ({} bytes restored), {} namespace operations undone, {} errors",
                     files, bytes_restored, namespace_ops, errors);
}

DurabilityTracker::DurabilityTracker(Options options) : impl_(std::make_unique<Impl>(options)) {}

DurabilityTracker::~DurabilityTracker() {
  STRATA_CHECK(Get() != this);
  std::lock_guard lock(impl_->mu);
  impl_->ResetLocked();
}

DurabilityTracker* DurabilityTracker::Get() { return g_tracker.load(std::memory_order_acquire); }
void DurabilityTracker::Install(DurabilityTracker* tracker) { g_tracker.store(tracker, std::memory_order_release); }
bool DurabilityTracker::skip_sync() const { return impl_->options.skip_sync; }

void DurabilityTracker::ParkForever() {
  while (true) std::this_thread::sleep_for(std::chrono::hours(1));
}

void DurabilityTracker::Impl::ParkIfFrozen(std::unique_lock<std::mutex>& lock) {
  if (!frozen) return;
  lock.unlock();
  ParkForever();
}

// ------------------------------------------------------------------ files

TrackedFile* DurabilityTracker::Impl::AttachLocked(int fd, bool writable, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
  auto key = std::make_pair(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
  auto it = files.find(key);
  if (it != files.end()) {
    it->second->refs++;
    return it->second.get();
  }
  if (!writable) return nullptr;  // nothing to undo, and no write can come through it
  // Our own descriptor, without O_DIRECT (capture and restore need no alignment), that
  // stays valid whatever happens to the names.
  int own = ::open(fmt::format("/proc/self/fd/{}", fd).c_str(), O_RDWR | O_CLOEXEC);
  STRATA_CHECK_MSG(own >= 0, "durability tracker: cannot reopen a file through /proc/self/fd");
  auto f = std::make_unique<TrackedFile>();
  f->dev = key.first;
  f->ino = key.second;
  f->fd = own;
  f->path = path;
  f->refs = 1;
  // What is there when first seen is taken as durable: written before the tracker ran,
  // or by this process and synced (a clean file's state is forgotten on its last close).
  f->durable_len = f->logical_len = static_cast<uint64_t>(st.st_size);
  TrackedFile* raw = f.get();
  files.emplace(key, std::move(f));
  return raw;
}

void DurabilityTracker::Impl::MaybeForgetLocked(TrackedFile* f) {
  if (f->refs > 0) return;
  struct stat st;
  bool gone = ::fstat(f->fd, &st) == 0 && st.st_nlink == 0;  // deleted for good: nothing to undo
  if (!f->clean() && !gone) return;
  ::close(f->fd);
  files.erase({f->dev, f->ino});
}

// Saves the durable bytes of every page of [offset, offset+len) that has no open capture
// yet (an open capture — in flight, or completed in the current epoch — already holds the
// page's durable bytes: nothing that changed the page since the last sync predates it).
void DurabilityTracker::Impl::CaptureLocked(TrackedFile* f, uint64_t offset, uint64_t len, uint64_t token) {
  uint64_t end = std::min(offset + len, f->durable_len);
  if (len == 0 || offset >= end) return;
  for (uint64_t page = offset / kUndoPage; page <= (end - 1) / kUndoPage; page++) {
    std::vector<UndoPage>& caps = f->undo[page];
    bool open = std::any_of(caps.begin(), caps.end(),
                            [&](const UndoPage& u) { return u.token != 0 || u.epoch == f->epoch; });
    if (open) continue;
    uint64_t start = page * kUndoPage;
    UndoPage u{token, f->epoch, std::string(std::min(kUndoPage, f->durable_len - start), '\0')};
    u.bytes.resize(ReadFully(f->fd, u.bytes.data(), u.bytes.size(), start));
    caps.push_back(std::move(u));
  }
}

int DurabilityTracker::Open(const std::string& path, int flags, TrackedFile** tracked) {
  Impl& im = *impl_;
  std::unique_lock lock(im.mu);
  im.ParkIfFrozen(lock);
  *tracked = nullptr;
  struct stat st;
  bool existed = ::stat(path.c_str(), &st) == 0;
  bool truncate = (flags & O_TRUNC) && existed;
  int fd;
  do {
    fd = ::open(path.c_str(), truncate ? flags & ~O_TRUNC : flags, 0644);
  } while (fd < 0 && errno == EINTR);
  int err = errno;
  // Journaled even when open failed after creating the file (O_DIRECT refused with
  // EINVAL creates it first): the name exists now either way.
  if ((flags & O_CREAT) && !existed && ::stat(path.c_str(), &st) == 0) {
    std::string name;
    Result<DirRef*> dir = im.DirOfLocked(path, &name);
    if (!dir.ok()) {
      if (fd >= 0) ::close(fd);
      errno = EIO;
      return -1;
    }
    im.JournalLocked(NsEntry{.kind = NsEntry::Kind::kCreate, .dir = *dir, .name = name});
  }
  if (fd < 0) {
    errno = err;
    return -1;
  }
  *tracked = im.AttachLocked(fd, (flags & O_ACCMODE) != O_RDONLY, path);
  if (truncate && *tracked) {
    TrackedFile* f = *tracked;
    im.CaptureLocked(f, 0, f->durable_len, 0);
    if (::ftruncate(fd, 0) != 0) {
      int e = errno;
      f->refs--;
      im.MaybeForgetLocked(f);
      ::close(fd);
      *tracked = nullptr;
      errno = e;
      return -1;
    }
    f->logical_len = 0;
  }
  return fd;
}

void DurabilityTracker::Detach(TrackedFile* f) {
  if (f == nullptr) return;
  std::lock_guard lock(impl_->mu);
  STRATA_CHECK(f->refs > 0);
  f->refs--;
  impl_->MaybeForgetLocked(f);
}

DurabilityTracker::Verdict DurabilityTracker::BeforeWrite(TrackedFile* f, uint64_t offset, size_t len,
                                                          uint64_t* token) {
  Impl& im = *impl_;
  std::lock_guard lock(im.mu);
  if (im.frozen) {
    // A later attempt of a request whose earlier attempt completed: that request ends
    // here, so it no longer holds the power loss back.
    if (*token != 0 && f != nullptr) {
      f->inflight--;
      im.inflight--;
      im.inflight_cv.notify_all();
    }
    return Verdict::kPark;
  }
  if (f == nullptr) return Verdict::kProceed;
  if (*token == 0) {
    *token = im.next_token++;
    f->inflight++;
    im.inflight++;
  }
  im.CaptureLocked(f, offset, len, *token);
  return Verdict::kProceed;
}

void DurabilityTracker::AfterWrite(TrackedFile* f, uint64_t token, uint64_t offset, size_t len, size_t written) {
  if (f == nullptr || token == 0) return;
  Impl& im = *impl_;
  std::lock_guard lock(im.mu);
  if (len > 0) {
    for (auto it = f->undo.lower_bound(offset / kUndoPage); it != f->undo.end() && it->first <= (offset + len - 1) / kUndoPage; ++it) {
      for (UndoPage& u : it->second) {
        if (u.token != token) continue;
        u.token = 0;
        u.epoch = f->epoch;
      }
    }
  }
  f->logical_len = std::max<uint64_t>(f->logical_len, offset + written);
  STRATA_CHECK(f->inflight > 0 && im.inflight > 0);
  f->inflight--;
  im.inflight--;
  im.inflight_cv.notify_all();
}

DurabilityTracker::Verdict DurabilityTracker::BeforeSync(TrackedFile* f, uint64_t* token) {
  Impl& im = *impl_;
  std::lock_guard lock(im.mu);
  if (im.frozen) return Verdict::kPark;
  if (im.options.skip_sync) return Verdict::kSkip;
  if (f == nullptr || *token != 0) return Verdict::kProceed;  // *token set: a retried attempt
  *token = f->epoch++;
  f->sync_len[*token] = f->logical_len;
  return Verdict::kProceed;
}

void DurabilityTracker::AfterSync(TrackedFile* f, uint64_t token, bool ok) {
  if (f == nullptr || token == 0) return;
  std::lock_guard lock(impl_->mu);
  auto it = f->sync_len.find(token);
  STRATA_CHECK(it != f->sync_len.end());
  uint64_t len = it->second;
  f->sync_len.erase(it);
  // A failed sync makes nothing durable; an older sync finishing after a newer one has
  // nothing left to add.
  if (!ok || token <= f->last_sync_applied) return;
  f->last_sync_applied = token;
  f->durable_len = len;
  for (auto p = f->undo.begin(); p != f->undo.end();) {
    auto& caps = p->second;
    caps.erase(std::remove_if(caps.begin(), caps.end(),
                              [&](const UndoPage& u) { return u.token == 0 && u.epoch <= token; }),
               caps.end());
    p = caps.empty() ? f->undo.erase(p) : std::next(p);
  }
}

DurabilityTracker::Verdict DurabilityTracker::BeforeResize(TrackedFile* f, std::optional<uint64_t> shrink_to) {
  Impl& im = *impl_;
  std::lock_guard lock(im.mu);
  if (im.frozen) return Verdict::kPark;
  if (f == nullptr) return Verdict::kProceed;
  f->inflight++;
  im.inflight++;
  // A truncation's lost tail is captured as completed at once (token 0, this epoch):
  // ftruncate is synchronous, and until the next sync the durable bytes are still wanted.
  if (shrink_to && *shrink_to < f->durable_len) im.CaptureLocked(f, *shrink_to, f->durable_len - *shrink_to, 0);
  return Verdict::kProceed;
}

void DurabilityTracker::AfterResize(TrackedFile* f) {
  if (f == nullptr) return;
  Impl& im = *impl_;
  std::lock_guard lock(im.mu);
  struct stat st;
  if (::fstat(f->fd, &st) == 0) f->logical_len = static_cast<uint64_t>(st.st_size);
  STRATA_CHECK(f->inflight > 0 && im.inflight > 0);
  f->inflight--;
  im.inflight--;
  im.inflight_cv.notify_all();
}

// ------------------------------------------------------------------ power loss

void DurabilityTracker::Impl::RollBackFilesLocked(RollbackSummary* sum) {
  for (auto& [key, f] : files) {
    struct stat st;
    bool changed = !f->undo.empty() || (::fstat(f->fd, &st) == 0 && static_cast<uint64_t>(st.st_size) != f->durable_len);
    if (!changed) continue;
    sum->files++;
    if (::ftruncate(f->fd, static_cast<off_t>(f->durable_len)) != 0)
      Complain(sum, fmt::format("ftruncate {}: {}", f->path, std::strerror(errno)));
    for (const auto& [page, caps] : f->undo) {
      const UndoPage& oldest = caps.front();  // the page's durable bytes
      uint64_t start = page * kUndoPage;
      if (start >= f->durable_len) continue;
      size_t n = std::min<uint64_t>(oldest.bytes.size(), f->durable_len - start);
      if (!WriteFully(f->fd, oldest.bytes.data(), n, start)) {
        Complain(sum, fmt::format("restore {} at {}: {}", f->path, start, std::strerror(errno)));
      }
      sum->bytes_restored += n;
    }
    if (::fsync(f->fd) != 0) Complain(sum, fmt::format("fsync {}: {}", f->path, std::strerror(errno)));
  }
}

// Stop the world, wait out the writes in flight, roll back. Returns with `lock` held and
// `frozen` set, so every other thread that reaches the tracker parks.
static DurabilityTracker::RollbackSummary RollBack(DurabilityTracker::Impl& im, std::unique_lock<std::mutex>& lock) {
  im.frozen = true;
  // Writes already handed to the kernel (an io_uring SQE, a pool thread's pwrite) must
  // land before their pages are restored, or they would land on top of the restore.
  // Their completions take the lock, so wait without holding it.
  im.inflight_cv.wait(lock, [&] { return im.inflight == 0; });
  DurabilityTracker::RollbackSummary sum;
  im.RollBackFilesLocked(&sum);
  im.UndoJournalLocked(&sum);
  // Every rolled-back file and journaled directory was fsynced above; no global sync(),
  // which would wait for every other process's dirty data on a shared machine.
  return sum;
}

void DurabilityTracker::PowerLossAndExit(int status) {
  std::unique_lock lock(impl_->mu);
  RollbackSummary sum = RollBack(*impl_, lock);
  std::fprintf(stderr, "stratadb: simulated power loss: %s; exiting with status %d\n", sum.ToString().c_str(), status);
  std::fflush(stderr);
  ::_exit(status);
}

DurabilityTracker::RollbackSummary DurabilityTracker::PowerLossForTesting() {
  std::unique_lock lock(impl_->mu);
  RollbackSummary sum = RollBack(*impl_, lock);
  impl_->ResetLocked();
  impl_->frozen = false;
  return sum;
}

void DurabilityTracker::Impl::ResetLocked() {
  for (auto& [key, f] : files) ::close(f->fd);
  files.clear();
  journal.clear();
  for (auto& [key, d] : dirs) ::close(d->fd);
  dirs.clear();
  inflight = 0;
}

}  // namespace strata::io
