#include "data/jsonl_reader.h"

#include <simdjson.h>

#include <cstring>
#include <unordered_map>

#include "core/hash.h"
#include "core/number_format.h"
#include "core/parallel.h"
#include "data/cell_text.h"
#include "data/table_builder.h"

namespace keel {
namespace {

constexpr size_t kMinChunkBytes = 1 << 20;

// One chunk of lines before the columns are known: cells as (local key, span) pairs.
struct JsonChunk {
  RawChunk raw;
  std::vector<std::string> keys;  // local keys in order of first appearance
  std::unordered_map<std::string, uint32_t> key_index;
  std::vector<std::pair<uint32_t, CellSpan>> cells;
  std::vector<size_t> row_begin;  // per kOk record: first entry in `cells`; plus an end
};

CellSpan Append(std::string* arena, std::string_view text, uint32_t flags) {
  const auto offset = static_cast<uint32_t>(arena->size());
  arena->append(text);
  return {offset, static_cast<uint32_t>(text.size()) | flags};
}

void ParseChunk(std::string_view data, uint64_t begin, uint64_t end, JsonChunk* out) {
  simdjson::dom::parser parser;
  RawChunk& raw = out->raw;
  std::string& arena = raw.arena;
  uint64_t p = begin;
  uint32_t line = 0;
  while (p < end) {
    const void* nl = std::memchr(data.data() + p, '\n', end - p);
    const uint64_t line_end = nl ? static_cast<uint64_t>(static_cast<const char*>(nl) - data.data()) : end;
    const uint64_t next = nl ? line_end + 1 : end;
    std::string_view text = data.substr(p, line_end - p);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (TrimCell(text).empty()) {
      ++raw.blank_lines;
      if (nl) ++line;
      p = next;
      continue;
    }
    RawRecord rec;
    rec.begin = p;
    rec.size = static_cast<uint32_t>(std::min<uint64_t>(text.size(), 0xFFFFFFFFu));
    rec.line = line;
    if (nl) ++line;
    p = next;
    simdjson::dom::element doc;
    const auto error = parser.parse(text.data(), text.size()).get(doc);
    simdjson::dom::object object;
    if (error) {
      if (error == simdjson::UTF8_ERROR) {
        rec.status = RecordStatus::kInvalidUtf8;
        rec.aux = 0;
      } else {
        rec.status = RecordStatus::kInvalidJson;
        rec.aux = static_cast<uint32_t>(raw.notes.size());
        raw.notes.emplace_back(simdjson::error_message(error));
      }
    } else if (doc.get_object().get(object)) {
      rec.status = RecordStatus::kNotAnObject;
    }
    if (rec.status != RecordStatus::kOk) {
      raw.records.push_back(rec);
      continue;
    }
    const size_t mark = out->cells.size();
    const size_t arena_mark = arena.size();
    uint32_t field = 0;
    for (auto [key, value] : object) {
      auto it = out->key_index.find(std::string(key));
      uint32_t k;
      if (it == out->key_index.end()) {
        k = static_cast<uint32_t>(out->keys.size());
        out->keys.emplace_back(key);
        out->key_index.emplace(std::string(key), k);
      } else {
        k = it->second;
      }
      CellSpan span{0, kCellNull};
      switch (value.type()) {
        case simdjson::dom::element_type::STRING: {
          std::string_view s;
          if (value.get_string().get(s) != simdjson::SUCCESS) break;
          if (s.size() > kMaxCellBytes) {
            rec.status = RecordStatus::kFieldTooLarge;
            rec.aux = field;
            break;
          }
          span = Append(&arena, s, kCellQuoted);
          break;
        }
        case simdjson::dom::element_type::INT64: {
          int64_t v = 0;
          if (value.get_int64().get(v) != simdjson::SUCCESS) break;
          span = Append(&arena, std::to_string(v), 0);
          break;
        }
        case simdjson::dom::element_type::UINT64: {
          uint64_t v = 0;
          if (value.get_uint64().get(v) != simdjson::SUCCESS) break;
          span = Append(&arena, std::to_string(v), 0);
          break;
        }
        case simdjson::dom::element_type::DOUBLE: {
          double v = 0;
          if (value.get_double().get(v) != simdjson::SUCCESS) break;
          span = Append(&arena, FormatDouble(v), 0);
          break;
        }
        case simdjson::dom::element_type::BOOL: {
          bool v = false;
          if (value.get_bool().get(v) != simdjson::SUCCESS) break;
          span = Append(&arena, v ? "true" : "false", 0);
          break;
        }
        case simdjson::dom::element_type::NULL_VALUE: break;
        case simdjson::dom::element_type::ARRAY:
        case simdjson::dom::element_type::OBJECT:
          span = Append(&arena, simdjson::minify(value), kCellQuoted);
          break;
      }
      if (rec.status != RecordStatus::kOk) break;
      // A repeated key: the last value wins.
      bool replaced = false;
      for (size_t i = mark; i < out->cells.size(); ++i) {
        if (out->cells[i].first == k) {
          out->cells[i].second = span;
          replaced = true;
          break;
        }
      }
      if (!replaced) out->cells.emplace_back(k, span);
      ++field;
    }
    if (rec.status != RecordStatus::kOk || arena.size() > 0xFFFFFFFFu) {
      if (rec.status == RecordStatus::kOk) {
        rec.status = RecordStatus::kFieldTooLarge;
        rec.aux = 0;
      }
      out->cells.resize(mark);
      arena.resize(arena_mark);
      raw.records.push_back(rec);
      continue;
    }
    rec.row = static_cast<uint32_t>(out->row_begin.size());
    rec.hash = FastHash(text);
    out->row_begin.push_back(mark);
    raw.records.push_back(rec);
  }
  out->row_begin.push_back(out->cells.size());
  raw.rows = out->row_begin.size() - 1;
  raw.newlines = line;
}

}  // namespace

Result<IngestResult> ReadJsonLines(std::string_view data, std::string_view source,
                                   const ReadOptions& options, const Context& ctx) {
  const int threads = ctx.threads();
  uint64_t begin = 0;
  if (data.size() >= 3 && data.substr(0, 3) == "\xEF\xBB\xBF") begin = 3;
  IngestReport report;
  report.source = std::string(source);
  report.format = "jsonl";
  report.header = false;
  report.bom = begin == 3;
  report.bytes = data.size();

  // Records never span lines, so any line break is a chunk boundary.
  const uint64_t span = data.size() - begin;
  size_t target = options.chunk_bytes > 0 ? std::max<size_t>(1, span / options.chunk_bytes)
                                          : std::clamp<size_t>(span / kMinChunkBytes, 1,
                                                               static_cast<size_t>(threads) * 8);
  std::vector<uint64_t> starts = {begin};
  for (size_t k = 1; k < target; ++k) {
    const uint64_t nominal = begin + span * k / target;
    if (nominal <= starts.back()) continue;
    const void* nl = std::memchr(data.data() + nominal, '\n', data.size() - nominal);
    if (nl == nullptr) break;
    const uint64_t s = static_cast<uint64_t>(static_cast<const char*>(nl) - data.data()) + 1;
    if (s > starts.back() && s < data.size()) starts.push_back(s);
  }
  std::vector<JsonChunk> parts(starts.size());
  KEEL_RETURN_IF_ERROR(ParallelFor(threads, parts.size(), [&](size_t k) {
    const uint64_t end = k + 1 < starts.size() ? starts[k + 1] : data.size();
    ParseChunk(data, starts[k], end, &parts[k]);
  }));

  // Columns in order of first appearance across chunks (chunk order = file order).
  std::vector<std::string> names;
  std::unordered_map<std::string, uint32_t> global;
  std::vector<std::vector<uint32_t>> to_global(parts.size());
  for (size_t k = 0; k < parts.size(); ++k) {
    for (const auto& key : parts[k].keys) {
      auto [it, inserted] = global.emplace(key, static_cast<uint32_t>(names.size()));
      if (inserted) names.push_back(key);
      to_global[k].push_back(it->second);
    }
  }
  const size_t ncols = names.size();
  KEEL_RETURN_IF_ERROR(ParallelFor(threads, parts.size(), [&](size_t k) {
    JsonChunk& part = parts[k];
    RawChunk& raw = part.raw;
    raw.cells.assign(raw.rows * ncols, CellSpan{0, kCellNull});
    for (size_t r = 0; r < raw.rows; ++r) {
      for (size_t i = part.row_begin[r]; i < part.row_begin[r + 1]; ++i) {
        const auto& [local, cell] = part.cells[i];
        raw.cells[r * ncols + to_global[k][local]] = cell;
      }
    }
    std::vector<std::pair<uint32_t, CellSpan>>().swap(part.cells);
  }));
  TokenizedData td;
  td.source = data;
  td.first_line = 1;
  td.names = std::move(names);
  uint64_t line = 1;
  for (auto& part : parts) {
    part.raw.first_line = line;
    line += part.raw.newlines;
    td.chunks.push_back(std::move(part.raw));
  }
  // The arenas are in their final place only now (moving a short std::string moves its bytes).
  for (auto& ch : td.chunks) ch.base = ch.arena.data();
  report.lines = line - 1 + ((!data.empty() && data.back() != '\n') ? 1 : 0);
  if (td.names.empty()) {
    uint64_t bad = 0;
    for (const auto& ch : td.chunks) bad += ch.records.size();
    return Status::InvalidArgument(
        "{}: no JSON object with any key found ({} non-empty lines, none usable)", source, bad);
  }
  return BuildTable(std::move(td), options, std::move(report), ctx);
}

}  // namespace keel
