#include "core/file_io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace keel {

std::string ErrnoText(int err) {
  return std::strerror(err);
}

Result<std::string> ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open {}: {}", path, ErrnoText(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return Status::IoError("cannot stat {}: {}", path, ErrnoText(e));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::IoError("{} is a directory, not a file", path);
  }
  std::string out;
  out.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (true) {
    if (got == out.size()) out.resize(out.size() * 2 + 4096);  // file grew or is a pipe
    const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      return Status::IoError("read error on {}: {}", path, ErrnoText(e));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

namespace {

// The folder a path's file goes into, for messages ("." for a bare file name).
std::string FolderOf(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The error of a failed write of `path`. It names the path the caller gave, never the
// temporary file, and says which folder is missing when that is the reason.
Status WriteError(const std::string& path, int err) {
  if (err == ENOENT) {
    return Status::IoError("cannot write {}: the folder {} does not exist", path, FolderOf(path));
  }
  if (err == ENOTDIR) {
    return Status::IoError("cannot write {}: {} is not a folder", path, FolderOf(path));
  }
  return Status::IoError("cannot write {}: {}", path, ErrnoText(err));
}

}  // namespace

Status WriteFileAtomic(const std::string& path, std::string_view data) {
  if (path.empty()) return Status::InvalidArgument("cannot write a file with an empty path");
  std::random_device rd;
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rd());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return WriteError(path, errno);
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return WriteError(path, e);
    }
    done += static_cast<size_t>(n);
  }
  // Close even when fsync fails, so the descriptor never leaks.
  const int synced = ::fsync(fd) == 0 ? 0 : errno;
  const int closed = ::close(fd) == 0 ? 0 : errno;
  if (synced != 0 || closed != 0) {
    ::unlink(tmp.c_str());
    return WriteError(path, synced != 0 ? synced : closed);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return WriteError(path, e);
  }
  return Status::OK();
}

Result<MappedFile> MappedFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open {}: {}", path, ErrnoText(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return Status::IoError("cannot stat {}: {}", path, ErrnoText(e));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::IoError("{} is a directory, not a file", path);
  }
  MappedFile f;
  if (st.st_size == 0) {
    ::close(fd);
    return f;
  }
  void* p = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  const int e = errno;
  ::close(fd);
  if (p == MAP_FAILED) return Status::IoError("cannot map {}: {}", path, ErrnoText(e));
  ::madvise(p, static_cast<size_t>(st.st_size), MADV_SEQUENTIAL);
  f.data_ = static_cast<const char*>(p);
  f.size_ = static_cast<size_t>(st.st_size);
  f.mapped_ = true;
  return f;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(other.data_), size_(other.size_), mapped_(other.mapped_) {
  other.data_ = nullptr;
  other.size_ = 0;
  other.mapped_ = false;
}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (mapped_) ::munmap(const_cast<char*>(data_), size_);
    data_ = other.data_;
    size_ = other.size_;
    mapped_ = other.mapped_;
    other.data_ = nullptr;
    other.size_ = 0;
    other.mapped_ = false;
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (mapped_) ::munmap(const_cast<char*>(data_), size_);
}

}  // namespace keel
