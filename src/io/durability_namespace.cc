// DurabilityTracker: the journal of namespace operations not yet made durable by a
// directory fsync, and their undo (see durability.h).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "common/check.h"
#include "io/durability_impl.h"

namespace strata::io {
namespace {

void Complain(DurabilityTracker::RollbackSummary* sum, const std::string& what) {
  sum->errors++;
  std::fprintf(stderr, "stratadb: power-loss rollback: %s\n", what.c_str());
}

// Parent directory and last component of `path`, lexically ("a" -> ".", "a").
std::pair<std::string, std::string> SplitPath(const std::string& path) {
  std::filesystem::path p(path);
  if (!p.has_filename()) p = p.parent_path();  // "dir/" names "dir"
  std::string parent = p.parent_path().string();
  return {parent.empty() ? "." : parent, p.filename().string()};
}

}  // namespace

Status RemoveTreeAt(int dirfd, const std::string& name) {
  struct stat st;
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return errno == ENOENT ? Status::OK() : Status::FromErrno(errno, "stat " + name);
  }
  if (S_ISDIR(st.st_mode)) {
    int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, "open directory " + name);
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
      ::close(fd);
      return Status::FromErrno(errno, "read directory " + name);
    }
    std::vector<std::string> children;
    while (dirent* e = ::readdir(d)) {
      std::string child = e->d_name;
      if (child != "." && child != "..") children.push_back(std::move(child));
    }
    Status s = Status::OK();
    for (const std::string& child : children) {
      if (s.ok()) s = RemoveTreeAt(::dirfd(d), child);
    }
    ::closedir(d);
    STRATA_RETURN_IF_ERROR(s);
    if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0) return Status::FromErrno(errno, "remove directory " + name);
    return Status::OK();
  }
  if (::unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT) return Status::FromErrno(errno, "remove " + name);
  return Status::OK();
}

Result<DirRef*> DurabilityTracker::Impl::DirOfLocked(const std::string& path, std::string* name) {
  auto [parent, leaf] = SplitPath(path);
  *name = leaf;
  int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open directory " + parent);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::FromErrno(err, "stat directory " + parent);
  }
  auto key = std::make_pair(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
  auto it = dirs.find(key);
  if (it != dirs.end()) {
    ::close(fd);
    return it->second.get();
  }
  auto d = std::make_unique<DirRef>();
  d->dev = key.first;
  d->ino = key.second;
  d->fd = fd;
  d->path = parent;
  DirRef* raw = d.get();
  dirs.emplace(key, std::move(d));
  return raw;
}

void DurabilityTracker::Impl::ReleaseDirLocked(DirRef* d) {
  if (d == nullptr) return;
  if (d->refs > 0) d->refs--;
  if (d->refs > 0) return;
  ::close(d->fd);
  dirs.erase({d->dev, d->ino});
}

void DurabilityTracker::Impl::JournalLocked(NsEntry e) {
  e.seq = next_seq++;
  e.dir->refs++;
  if (e.src_dir) e.src_dir->refs++;
  journal.push_back(std::move(e));
}

std::string DurabilityTracker::Impl::HiddenNameLocked() {
  return fmt::format("{}{}-{}", kHiddenPrefix, ::getpid(), next_seq);
}

// Every entry of directory (dev, ino) up to `up_to_seq` is durable on that side; an entry
// durable on every side it touches leaves the journal, and its hidden leftover goes.
void DurabilityTracker::Impl::MarkDirSyncedLocked(uint64_t dev, uint64_t ino, uint64_t up_to_seq) {
  auto is = [&](const DirRef* d) { return d != nullptr && d->dev == dev && d->ino == ino; };
  bool removed_any = false;
  std::vector<NsEntry> keep;
  keep.reserve(journal.size());
  for (NsEntry& e : journal) {
    if (e.seq <= up_to_seq) {
      if (is(e.dir)) e.dir_synced = true;
      if (is(e.src_dir)) e.src_synced = true;
    }
    if (!e.dir_synced || (e.src_dir != nullptr && !e.src_synced)) {
      keep.push_back(std::move(e));
      continue;
    }
    if (!e.hidden.empty()) {
      Status s = RemoveTreeAt(e.dir->fd, e.hidden);
      if (!s.ok()) std::fprintf(stderr, "stratadb: durability tracker: %s\n", s.ToString().c_str());
      removed_any = true;
    }
    ReleaseDirLocked(e.dir);
    ReleaseDirLocked(e.src_dir);
  }
  journal.swap(keep);
  if (!removed_any) return;
  // A deletion became final: files it took with it need no undo any more.
  std::vector<TrackedFile*> idle;
  for (auto& [key, f] : files) {
    if (f->refs == 0) idle.push_back(f.get());
  }
  for (TrackedFile* f : idle) MaybeForgetLocked(f);
}

void DurabilityTracker::Impl::UndoJournalLocked(RollbackSummary* sum) {
  for (auto e = journal.rbegin(); e != journal.rend(); ++e) {
    sum->namespace_ops++;
    const char* dname = e->name.c_str();
    switch (e->kind) {
      case NsEntry::Kind::kCreate: {
        Status s = RemoveTreeAt(e->dir->fd, e->name);
        if (!s.ok()) Complain(sum, fmt::format("undo creation of {}/{}: {}", e->dir->path, e->name, s.ToString()));
        break;
      }
      case NsEntry::Kind::kRename:
        if (::renameat(e->dir->fd, dname, e->src_dir->fd, e->src_name.c_str()) != 0) {
          Complain(sum, fmt::format("undo rename {}/{} -> {}/{}: {}", e->src_dir->path, e->src_name, e->dir->path,
                                    e->name, std::strerror(errno)));
        }
        if (!e->hidden.empty() && ::renameat(e->dir->fd, e->hidden.c_str(), e->dir->fd, dname) != 0) {
          Complain(sum, fmt::format("restore {}/{} replaced by a rename: {}", e->dir->path, e->name, std::strerror(errno)));
        }
        break;
      case NsEntry::Kind::kRemove:
        if (::renameat(e->dir->fd, e->hidden.c_str(), e->dir->fd, dname) != 0) {
          Complain(sum, fmt::format("undo removal of {}/{}: {}", e->dir->path, e->name, std::strerror(errno)));
        }
        break;
    }
  }
  for (auto& [key, d] : dirs) {
    if (::fsync(d->fd) != 0) Complain(sum, fmt::format("fsync directory {}: {}", d->path, std::strerror(errno)));
  }
}

// ------------------------------------------------------------------ operations

Status DurabilityTracker::MakeDir(const std::string& path) {
  Impl& im = *impl_;
  std::unique_lock lock(im.mu);
  im.ParkIfFrozen(lock);
  std::string name;
  STRATA_ASSIGN_OR_RETURN(DirRef * dir, im.DirOfLocked(path, &name));
  if (::mkdir(path.c_str(), 0755) != 0) {
    int err = errno;
    if (dir->refs == 0) im.ReleaseDirLocked(dir);
    if (err == EEXIST) return Status::AlreadyExists("directory exists: " + path);
    return Status::FromErrno(err, "create directory " + path);
  }
  im.JournalLocked(NsEntry{.kind = NsEntry::Kind::kCreate, .dir = dir, .name = name});
  return Status::OK();
}

Status DurabilityTracker::Rename(const std::string& from, const std::string& to) {
  Impl& im = *impl_;
  std::unique_lock lock(im.mu);
  im.ParkIfFrozen(lock);
  std::string src_name, dst_name;
  STRATA_ASSIGN_OR_RETURN(DirRef * src, im.DirOfLocked(from, &src_name));
  Result<DirRef*> dst_or = im.DirOfLocked(to, &dst_name);
  auto drop_unused = [&] {
    if (src->refs == 0) im.ReleaseDirLocked(src);
    if (dst_or.ok() && *dst_or != src && (*dst_or)->refs == 0) im.ReleaseDirLocked(*dst_or);
  };
  if (!dst_or.ok()) {
    drop_unused();
    return dst_or.status();
  }
  DirRef* dst = *dst_or;
  // Keep a replaced target so the rename can be undone: a hard link for a file (the
  // target stays in place: readers never miss it), moved aside for a directory.
  std::string hidden;
  bool moved_aside = false;
  struct stat st;
  if (::fstatat(dst->fd, dst_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    hidden = im.HiddenNameLocked();
    if (S_ISDIR(st.st_mode) || ::linkat(dst->fd, dst_name.c_str(), dst->fd, hidden.c_str(), 0) != 0) {
      if (::renameat(dst->fd, dst_name.c_str(), dst->fd, hidden.c_str()) != 0) {
        int err = errno;
        drop_unused();
        return Status::FromErrno(err, fmt::format("rename {} aside", to));
      }
      moved_aside = true;
    }
  }
  if (::renameat(src->fd, src_name.c_str(), dst->fd, dst_name.c_str()) != 0) {
    int err = errno;
    if (moved_aside) {
      (void)::renameat(dst->fd, hidden.c_str(), dst->fd, dst_name.c_str());
    } else if (!hidden.empty()) {
      (void)::unlinkat(dst->fd, hidden.c_str(), 0);
    }
    drop_unused();
    return Status::FromErrno(err, fmt::format("rename {} to {}", from, to));
  }
  im.JournalLocked(NsEntry{.kind = NsEntry::Kind::kRename, .dir = dst, .name = dst_name, .src_dir = src,
                           .src_name = src_name, .hidden = hidden});
  return Status::OK();
}

Status DurabilityTracker::Remove(const std::string& path) {
  Impl& im = *impl_;
  std::unique_lock lock(im.mu);
  im.ParkIfFrozen(lock);
  std::string name;
  STRATA_ASSIGN_OR_RETURN(DirRef * dir, im.DirOfLocked(path, &name));
  // Removed for real only once the directory is synced; until then it waits under a
  // hidden name, whole (a directory with everything in it).
  std::string hidden = im.HiddenNameLocked();
  if (::renameat(dir->fd, name.c_str(), dir->fd, hidden.c_str()) != 0) {
    int err = errno;
    if (dir->refs == 0) im.ReleaseDirLocked(dir);
    return Status::FromErrno(err, "remove " + path);
  }
  im.JournalLocked(NsEntry{.kind = NsEntry::Kind::kRemove, .dir = dir, .name = name, .hidden = hidden});
  return Status::OK();
}

Status DurabilityTracker::Link(const std::string& from, const std::string& to) {
  Impl& im = *impl_;
  std::unique_lock lock(im.mu);
  im.ParkIfFrozen(lock);
  std::string name;
  STRATA_ASSIGN_OR_RETURN(DirRef * dir, im.DirOfLocked(to, &name));
  if (::link(from.c_str(), to.c_str()) != 0) {
    int err = errno;
    if (dir->refs == 0) im.ReleaseDirLocked(dir);
    return Status::FromErrno(err, fmt::format("hard link {} to {}", from, to));
  }
  im.JournalLocked(NsEntry{.kind = NsEntry::Kind::kCreate, .dir = dir, .name = name});
  return Status::OK();
}

Status DurabilityTracker::SyncDir(const std::string& dir) {
  Impl& im = *impl_;
  uint64_t up_to;
  {
    std::unique_lock lock(im.mu);
    im.ParkIfFrozen(lock);
    if (im.options.skip_sync) return Status::OK();
    up_to = im.next_seq - 1;  // what completed before this fsync starts
  }
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open directory " + dir);
  struct stat st;
  int rc = ::fsync(fd);
  int err = errno;
  if (rc == 0 && ::fstat(fd, &st) != 0) {
    rc = -1;
    err = errno;
  }
  ::close(fd);
  if (rc != 0) return Status::FromErrno(err, "fsync directory " + dir);
  std::unique_lock lock(im.mu);
  im.ParkIfFrozen(lock);
  im.MarkDirSyncedLocked(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino), up_to);
  return Status::OK();
}

}  // namespace strata::io
