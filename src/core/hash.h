// Hashes: SHA-256 and HMAC-SHA256 (OpenSSL) for lineage and pseudonymization; XXH3 for fast
// in-memory hashing (dictionaries, duplicate detection), never for security.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "keel/status.h"

namespace keel {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(std::string_view data);
std::string ToHex(const uint8_t* data, size_t size);
inline std::string ToHex(const Sha256Digest& d) { return ToHex(d.data(), d.size()); }

// Incremental SHA-256 for streams and large files.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(std::string_view data);
  Sha256Digest Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// SHA-256 of a whole file, as lowercase hex.
Result<std::string> Sha256File(const std::string& path);

// HMAC-SHA256(key, data).
Sha256Digest HmacSha256(std::string_view key, std::string_view data);

// 64-bit XXH3 of bytes, with an optional seed.
uint64_t FastHash(std::string_view data, uint64_t seed = 0);

}  // namespace keel
