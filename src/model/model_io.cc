#include "model/model_io.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <set>

#include "core/file_io.h"
#include "core/hash.h"
#include "keel/version_info.h"
#include "model/byte_codec.h"
#include "model/model_json.h"

namespace keel {
namespace {

using nlohmann::json;

constexpr std::string_view kMagic("\x89KEEL\r\n\x1a", 8);
constexpr std::string_view kFooterMagic("KEELSHA2", 8);
constexpr size_t kHeaderSize = 16;
constexpr size_t kSectionHeaderSize = 24;
constexpr size_t kFooterSize = 8 + 32;
constexpr uint32_t kRequired = 1;

constexpr uint32_t Tag(const char (&s)[5]) {
  return static_cast<uint32_t>(static_cast<uint8_t>(s[0])) |
         static_cast<uint32_t>(static_cast<uint8_t>(s[1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[3])) << 24;
}
constexpr uint32_t kTagMeta = Tag("META");
constexpr uint32_t kTagTrees = Tag("TREE");
constexpr uint32_t kTagLinear = Tag("LINR");
constexpr uint32_t kTagSection = Tag("SECT");

std::string TagText(uint32_t tag) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>((tag >> (8 * i)) & 0xff);
    if (c >= 0x20 && c < 0x7f) {
      s.push_back(c);
    } else {
      s += fmt::format("\\x{:02x}", static_cast<uint8_t>(c));
    }
  }
  return s;
}

// Node flag bits in the TREE section.
constexpr uint8_t kLessEqual = 1;
constexpr uint8_t kDefaultLeft = 2;
constexpr uint8_t kCategorical = 4;
constexpr uint8_t kCategoriesLeft = 8;
constexpr uint8_t kKnownNodeFlags = kLessEqual | kDefaultLeft | kCategorical | kCategoriesLeft;
// left, right, feature, threshold, flags, missing rule, value, cover, gain, category count.
constexpr size_t kNodeBytes = 4 + 4 + 4 + 8 + 1 + 1 + 8 + 8 + 8 + 4;
constexpr size_t kTermBytes = 4 + 1 + 4 + 8 + 8;

std::string EncodeTrees(const Forest& forest) {
  std::string out;
  ByteWriter w(&out);
  w.U32(static_cast<uint32_t>(forest.trees.size()));
  for (const Tree& tree : forest.trees) {
    w.I32(tree.class_index);
    w.U32(static_cast<uint32_t>(tree.nodes.size()));
    for (const TreeNode& n : tree.nodes) {
      w.I32(n.left);
      w.I32(n.right);
      w.I32(n.feature);
      w.F64(n.threshold);
      w.U8(static_cast<uint8_t>(
          (n.less_equal ? kLessEqual : 0) | (n.default_left ? kDefaultLeft : 0) |
          (n.is_categorical ? kCategorical : 0) | (n.categories_left ? kCategoriesLeft : 0)));
      w.U8(static_cast<uint8_t>(n.missing_rule));
      w.F64(n.value);
      w.F64(n.cover);
      w.F64(n.gain);
      w.U32(static_cast<uint32_t>(n.categories.size()));
      for (int32_t c : n.categories) w.I32(c);
    }
  }
  return out;
}

Status DecodeTrees(std::string_view payload, Forest* forest) {
  ByteReader r(payload);
  const uint32_t num_trees = r.U32();
  if (r.failed() || num_trees > r.remaining() / 8) {
    return Status::Corrupt("TREE section: {} trees do not fit in {} bytes", num_trees,
                           payload.size());
  }
  forest->trees.resize(num_trees);
  for (uint32_t t = 0; t < num_trees; ++t) {
    Tree& tree = forest->trees[t];
    tree.class_index = r.I32();
    const uint32_t num_nodes = r.U32();
    if (r.failed() || num_nodes > r.remaining() / kNodeBytes) {
      return Status::Corrupt("TREE section: tree {} claims {} nodes, more than the {} bytes left",
                             t, num_nodes, r.remaining());
    }
    tree.nodes.resize(num_nodes);
    for (uint32_t i = 0; i < num_nodes; ++i) {
      TreeNode& n = tree.nodes[i];
      n.left = r.I32();
      n.right = r.I32();
      n.feature = r.I32();
      n.threshold = r.F64();
      const uint8_t flags = r.U8();
      const uint8_t rule = r.U8();
      n.value = r.F64();
      n.cover = r.F64();
      n.gain = r.F64();
      const uint32_t num_cats = r.U32();
      if (r.failed()) return Status::Corrupt("TREE section: tree {} node {} is truncated", t, i);
      if ((flags & ~kKnownNodeFlags) != 0 || rule > static_cast<uint8_t>(MissingRule::kNaNAsZero)) {
        return Status::Corrupt("TREE section: tree {} node {} has unknown flags {:#x}/{}", t, i,
                               flags, rule);
      }
      n.less_equal = (flags & kLessEqual) != 0;
      n.default_left = (flags & kDefaultLeft) != 0;
      n.is_categorical = (flags & kCategorical) != 0;
      n.categories_left = (flags & kCategoriesLeft) != 0;
      n.missing_rule = static_cast<MissingRule>(rule);
      if (num_cats > r.remaining() / 4) {
        return Status::Corrupt("TREE section: tree {} node {} claims {} categories, more than fit",
                               t, i, num_cats);
      }
      n.categories.resize(num_cats);
      for (uint32_t k = 0; k < num_cats; ++k) n.categories[k] = r.I32();
    }
  }
  if (r.failed()) return Status::Corrupt("TREE section is truncated");
  if (r.remaining() != 0) {
    return Status::Corrupt("TREE section has {} trailing bytes", r.remaining());
  }
  return Status::OK();
}

std::string EncodeLinear(const LinearModel& lin) {
  std::string out;
  ByteWriter w(&out);
  w.F64(lin.l2);
  w.U32(static_cast<uint32_t>(lin.terms.size()));
  for (const LinearTerm& t : lin.terms) {
    w.I32(t.feature);
    w.U8(static_cast<uint8_t>(t.kind));
    w.I32(t.category);
    w.F64(t.center);
    w.F64(t.scale);
  }
  w.U64(lin.weights.size());
  for (double v : lin.weights) w.F64(v);
  return out;
}

Status DecodeLinear(std::string_view payload, LinearModel* lin) {
  ByteReader r(payload);
  lin->l2 = r.F64();
  const uint32_t num_terms = r.U32();
  if (r.failed() || num_terms > r.remaining() / kTermBytes) {
    return Status::Corrupt("LINR section: {} terms do not fit in {} bytes", num_terms,
                           payload.size());
  }
  lin->terms.resize(num_terms);
  for (uint32_t i = 0; i < num_terms; ++i) {
    LinearTerm& t = lin->terms[i];
    t.feature = r.I32();
    const uint8_t kind = r.U8();
    if (kind > static_cast<uint8_t>(LinearTerm::Kind::kOtherCategory)) {
      return Status::Corrupt("LINR section: term {} has unknown kind {}", i, kind);
    }
    t.kind = static_cast<LinearTerm::Kind>(kind);
    t.category = r.I32();
    t.center = r.F64();
    t.scale = r.F64();
  }
  const uint64_t num_weights = r.U64();
  if (r.failed() || num_weights > r.remaining() / 8) {
    return Status::Corrupt("LINR section: {} weights do not fit", num_weights);
  }
  lin->weights.resize(num_weights);
  for (uint64_t i = 0; i < num_weights; ++i) lin->weights[i] = r.F64();
  if (r.failed()) return Status::Corrupt("LINR section is truncated");
  if (r.remaining() != 0)
    return Status::Corrupt("LINR section has {} trailing bytes", r.remaining());
  for (size_t i = 0; i < lin->terms.size(); ++i) {
    if (!std::isfinite(lin->terms[i].center) || !std::isfinite(lin->terms[i].scale)) {
      return Status::Corrupt("LINR section: term {} has a non-finite center or scale", i);
    }
  }
  for (size_t i = 0; i < lin->weights.size(); ++i) {
    if (!std::isfinite(lin->weights[i])) {
      return Status::Corrupt("LINR section: weight {} is not finite", i);
    }
  }
  return Status::OK();
}

std::string DumpJson(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

void AppendSection(std::string* out, uint32_t tag, uint32_t flags, std::string_view payload) {
  ByteWriter w(out);
  w.U32(tag);
  w.U32(flags);
  w.U64(payload.size());
  w.U64(FastHash(payload));
  w.Bytes(payload);
}

struct RawSection {
  uint32_t tag = 0;
  uint32_t flags = 0;
  uint64_t offset = 0;
  std::string_view payload;
};

struct Container {
  uint32_t version = 0;
  Sha256Digest digest{};
  std::vector<RawSection> sections;
};

// Checks the container and splits it into sections; decodes nothing inside them.
Result<Container> ReadContainer(std::string_view bytes, std::string_view name) {
  if (bytes.size() < kHeaderSize || bytes.substr(0, 8) != kMagic) {
    // A prefix of the signature, or the signature with the header cut off: a short file.
    const size_t n = std::min(bytes.size(), kMagic.size());
    if (bytes.substr(0, n) == kMagic.substr(0, n)) {
      return Status::Corrupt(
          "{}: truncated Keel model ({} bytes; the file is cut short or corrupt)", name,
          bytes.size());
    }
    return Status::Corrupt("{}: not a Keel model file (no .keel signature at its start)", name);
  }
  ByteReader header(bytes.substr(8, 8));
  Container c;
  c.version = header.U32();
  const uint32_t header_flags = header.U32();
  if (c.version == 0 || c.version > kModelFormatVersion) {
    return Status::Unsupported(
        "{}: model format version {} is not supported (this Keel reads versions 1 to {}); "
        "it was written by {} Keel",
        name, c.version, kModelFormatVersion, c.version == 0 ? "a broken" : "a newer");
  }
  if (header_flags != 0) {
    return Status::Corrupt("{}: unknown header flags {:#x}", name, header_flags);
  }
  if (bytes.size() < kHeaderSize + kFooterSize ||
      bytes.substr(bytes.size() - kFooterSize, 8) != kFooterMagic) {
    return Status::Corrupt(
        "{}: truncated Keel model ({} bytes, the end marker is missing; the file is cut short or "
        "corrupt)",
        name, bytes.size());
  }
  const size_t body_end = bytes.size() - kFooterSize;
  size_t pos = kHeaderSize;
  while (pos < body_end) {
    if (body_end - pos < kSectionHeaderSize) {
      return Status::Corrupt(
          "{}: section header at byte {} is cut short (the file is truncated or corrupt)", name,
          pos);
    }
    ByteReader r(bytes.substr(pos, kSectionHeaderSize));
    RawSection s;
    s.tag = r.U32();
    s.flags = r.U32();
    const uint64_t length = r.U64();
    const uint64_t checksum = r.U64();
    s.offset = pos + kSectionHeaderSize;
    if (length > body_end - s.offset) {
      return Status::Corrupt(
          "{}: section '{}' at byte {} claims {} bytes, but only {} remain (the file is "
          "truncated or corrupt)",
          name, TagText(s.tag), pos, length, body_end - s.offset);
    }
    s.payload = bytes.substr(s.offset, length);
    if (FastHash(s.payload) != checksum) {
      return Status::Corrupt("{}: section '{}' at byte {} fails its checksum (the file is corrupt)",
                             name, TagText(s.tag), pos);
    }
    c.sections.push_back(s);
    pos = s.offset + length;
  }
  const Sha256Digest want = Sha256(bytes.substr(0, body_end));
  if (std::memcmp(want.data(), bytes.data() + body_end + 8, 32) != 0) {
    return Status::Corrupt("{}: whole-file SHA-256 checksum mismatch (the file is corrupt)", name);
  }
  c.digest = want;
  return c;
}

}  // namespace

std::string SerializeModel(const Model& model) {
  std::string out;
  out.append(kMagic);
  ByteWriter w(&out);
  w.U32(kModelFormatVersion);
  w.U32(0);

  json meta = ModelMetadataToJson(model);
  meta["writer"] = std::string("keel ") + KEEL_VERSION + " (git " + KEEL_GIT_HASH + ")";
  AppendSection(&out, kTagMeta, kRequired, DumpJson(meta));
  if (model.kind == Model::Kind::kForest) {
    AppendSection(&out, kTagTrees, kRequired, EncodeTrees(model.forest));
  } else {
    AppendSection(&out, kTagLinear, kRequired, EncodeLinear(model.linear));
  }
  for (const auto& [name, value] : model.sections) {
    std::string payload;
    ByteWriter pw(&payload);
    pw.U32(static_cast<uint32_t>(name.size()));
    pw.Bytes(name);
    pw.Bytes(DumpJson(value));
    AppendSection(&out, kTagSection, 0, payload);
  }
  const Sha256Digest digest = Sha256(out);
  out.append(kFooterMagic);
  out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return out;
}

Result<ArtifactInfo> InspectArtifact(std::string_view bytes, std::string_view source_name) {
  KEEL_ASSIGN_OR_RETURN(Container c, ReadContainer(bytes, source_name));
  ArtifactInfo info;
  info.format_version = c.version;
  info.file_size = bytes.size();
  info.sha256 = ToHex(c.digest);
  for (const RawSection& s : c.sections) {
    info.sections.push_back(
        {TagText(s.tag), (s.flags & kRequired) != 0, s.offset, s.payload.size()});
  }
  return info;
}

Result<Model> DeserializeModel(std::string_view bytes, std::string_view source_name) {
  KEEL_ASSIGN_OR_RETURN(Container c, ReadContainer(bytes, source_name));
  Model model;
  bool have_meta = false, have_trees = false, have_linear = false;
  auto ctx = [&](const Status& s) { return s.WithContext(source_name); };
  for (const RawSection& s : c.sections) {
    if (s.tag == kTagMeta) {
      if (have_meta) return Status::Corrupt("{}: two META sections", source_name);
      have_meta = true;
      auto j = ParseJsonText(s.payload, "META section");
      if (!j.ok()) return ctx(j.status());
      Status st = ModelMetadataFromJson(*j, &model);
      if (!st.ok()) return ctx(st);
    } else if (s.tag == kTagTrees) {
      if (have_trees) return Status::Corrupt("{}: two TREE sections", source_name);
      have_trees = true;
      Status st = DecodeTrees(s.payload, &model.forest);
      if (!st.ok()) return ctx(st);
    } else if (s.tag == kTagLinear) {
      if (have_linear) return Status::Corrupt("{}: two LINR sections", source_name);
      have_linear = true;
      Status st = DecodeLinear(s.payload, &model.linear);
      if (!st.ok()) return ctx(st);
    } else if (s.tag == kTagSection) {
      ByteReader r(s.payload);
      const uint32_t name_size = r.U32();
      if (r.failed() || name_size > r.remaining()) {
        return Status::Corrupt("{}: SECT section at byte {} has a bad name length", source_name,
                               s.offset);
      }
      std::string name(r.Bytes(name_size));
      const std::string_view text = s.payload.substr(r.position());
      auto j = ParseJsonText(text, "section '" + name + "'");
      if (!j.ok()) return ctx(j.status());
      if (!model.sections.emplace(name, std::move(*j)).second) {
        return Status::Corrupt("{}: section '{}' appears twice", source_name, name);
      }
    } else if ((s.flags & kRequired) != 0) {
      return Status::Unsupported(
          "{}: the model needs section '{}', which this version of Keel does not know; "
          "use a newer Keel",
          source_name, TagText(s.tag));
    }
    // Unknown optional sections are skipped: newer writers may add them.
  }
  if (!have_meta) return Status::Corrupt("{}: no META section", source_name);
  if (model.kind == Model::Kind::kForest && !have_trees) {
    return Status::Corrupt("{}: forest model without a TREE section", source_name);
  }
  if (model.kind == Model::Kind::kLinear && !have_linear) {
    return Status::Corrupt("{}: linear model without a LINR section", source_name);
  }
  for (double b : model.base_margin) {
    if (!std::isfinite(b)) return Status::Corrupt("{}: a base margin is not finite", source_name);
  }
  Status st = ValidateModel(model);
  if (!st.ok()) return ctx(st);
  return model;
}

Status SaveModel(const Model& model, const std::string& path) {
  Status st = ValidateModel(model);
  if (!st.ok()) return st.WithContext("refusing to save an invalid model to " + path);
  for (double b : model.base_margin) {
    if (!std::isfinite(b)) {
      return Status::InvalidArgument("refusing to save a model with a non-finite base margin to {}",
                                     path);
    }
  }
  return WriteFileAtomic(path, SerializeModel(model));
}

Result<Model> LoadModel(const std::string& path) {
  KEEL_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  return DeserializeModel(bytes, path);
}

}  // namespace keel
