// libFuzzer target: the .keel loader (DeserializeModel) on arbitrary bytes.
//
// Most random bytes fail the checksums, which says little about the decoders behind them.
// So when the input's first byte is odd, the target first repairs the container: it walks
// the sections by their declared lengths and rewrites each section checksum and the footer
// SHA-256, letting the fuzzer reach the META JSON, TREE and LINR decoders and ValidateModel.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/hash.h"
#include "fuzz_target_support.h"
#include "model/byte_codec.h"

namespace {

std::string RepairChecksums(std::string s) {
  constexpr size_t kHeader = 16, kSection = 24, kFooter = 40;
  if (s.size() < kHeader + kFooter) return s;
  const size_t body_end = s.size() - kFooter;
  size_t pos = kHeader;
  while (pos + kSection <= body_end) {
    keel::ByteReader r(std::string_view(s).substr(pos, kSection));
    r.U32();
    r.U32();
    const uint64_t length = r.U64();
    const size_t payload = pos + kSection;
    if (length > body_end - payload) break;
    std::string fixed;
    keel::ByteWriter w(&fixed);
    w.U64(keel::FastHash(std::string_view(s).substr(payload, length)));
    s.replace(pos + 16, 8, fixed);
    pos = payload + length;
  }
  s.replace(body_end, 8, "KEELSHA2");
  const keel::Sha256Digest d = keel::Sha256(std::string_view(s).substr(0, body_end));
  s.replace(body_end + 8, 32, reinterpret_cast<const char*>(d.data()), d.size());
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) bytes = RepairChecksums(std::move(bytes));
  auto model = keel::DeserializeModel(bytes, "fuzz.keel");
  if (model.ok()) keel::fuzz::ExerciseModel(*model);
  return 0;
}
