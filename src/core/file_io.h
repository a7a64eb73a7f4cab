// Whole-file reads, memory-mapped reads and crash-safe writes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "keel/status.h"

namespace keel {

// Reads a whole file. Errors name the path and the OS reason.
Result<std::string> ReadFile(const std::string& path);

// Writes `data` to `path` atomically: a temporary file in the same folder is written,
// flushed to disk and renamed over the target, so readers never see a partial file.
// Errors (IoError) name `path` as given, never the temporary file, and say when its folder
// does not exist; an empty path is InvalidArgument.
Status WriteFileAtomic(const std::string& path, std::string_view data);

// A read-only view of a whole file, memory-mapped. Move-only; unmaps on destruction.
// An empty file gives an empty view.
class MappedFile {
 public:
  static Result<MappedFile> Open(const std::string& path);
  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::string_view view() const { return {data_, size_}; }
  size_t size() const { return size_; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
};

// The OS error text for errno, e.g. "No such file or directory".
std::string ErrnoText(int err);

}  // namespace keel
