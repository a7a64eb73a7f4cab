// The .keel model artifact: one self-contained, checksummed, versioned file per model.
//
// Layout (docs/model_format.md is the normative description):
//   header   8-byte magic "\x89KEEL\r\n\x1a", u32 format version, u32 flags (0)
//   sections u32 tag, u32 flags (bit 0: required), u64 length, u64 XXH3-64 of the payload,
//            payload. META (JSON metadata), TREE (binary trees) or LINR (binary linear
//            model), and one SECT per Model::sections entry. Unknown sections are skipped
//            unless flagged required.
//   footer   8-byte magic "KEELSHA2" and the SHA-256 of every byte before it.
// All integers and floats are little-endian; doubles are IEEE 754 binary64.
//
// Thread-safety: all functions are reentrant; none keeps state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "keel/status.h"
#include "model/model.h"

namespace keel {

// The artifact format version this build writes; it reads versions 1..kModelFormatVersion.
inline constexpr uint32_t kModelFormatVersion = 1;

// The artifact bytes of `model`. The model should pass ValidateModel (SaveModel checks).
std::string SerializeModel(const Model& model);

// Decodes artifact bytes. Verifies magic, version, section checksums and the whole-file
// SHA-256, decodes every section with bounds checks, then runs ValidateModel, so a returned
// model is safe for every consumer. `source_name` (usually the path) prefixes error messages.
// Errors: Corrupt (truncated, bit-flipped, malformed), Unsupported (newer format version or
// an unknown required section).
Result<Model> DeserializeModel(std::string_view bytes, std::string_view source_name);

// Validates `model` and writes it to `path` atomically (readers never see a partial file).
// Errors: the ValidateModel status (nothing is written), IoError.
Status SaveModel(const Model& model, const std::string& path);

// Reads and decodes the artifact at `path`. Errors: IoError, and those of DeserializeModel.
Result<Model> LoadModel(const std::string& path);

// One section of an artifact as found on disk, for `keel inspect` and tests.
struct ArtifactSection {
  std::string tag;  // four ASCII characters, e.g. "TREE"
  bool required = false;
  uint64_t offset = 0;  // of the payload, from the start of the file
  uint64_t length = 0;  // of the payload
};

struct ArtifactInfo {
  uint32_t format_version = 0;
  uint64_t file_size = 0;
  std::string sha256;  // lowercase hex of the whole-file checksum
  std::vector<ArtifactSection> sections;
};

// Verifies the container (magic, version, checksums) of artifact bytes and lists its
// sections without decoding them. Errors as for DeserializeModel.
Result<ArtifactInfo> InspectArtifact(std::string_view bytes, std::string_view source_name);

}  // namespace keel
