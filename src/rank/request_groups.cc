#include "rank/request_groups.h"

#include <string>
#include <unordered_map>

#include "core/nearest_name.h"

namespace keel::rank {

Result<RequestGroups> GroupRows(const Table& table, std::string_view column) {
  const Column* c = table.Find(column);
  if (c == nullptr) {
    std::string names;
    for (const Column& col : table.columns()) {
      if (!names.empty()) names += ", ";
      names += col.name();
    }
    return Status::NotFound("no column '{}' to group requests by (columns: {}){}", column, names,
                            DidYouMean(column, table.columns(), &Column::name));
  }
  RequestGroups out;
  std::unordered_map<std::string, uint32_t> index;
  for (size_t r = 0; r < table.num_rows(); ++r) {
    std::string key = c->IsMissing(r) ? std::string() : c->CellText(r);
    auto [it, inserted] = index.try_emplace(key, static_cast<uint32_t>(out.rows.size()));
    if (inserted) {
      out.rows.emplace_back();
      out.ids.push_back(std::move(key));
    }
    out.rows[it->second].push_back(static_cast<uint32_t>(r));
  }
  return out;
}

RequestGroups SingleRequest(size_t rows) {
  RequestGroups out;
  out.rows.emplace_back(rows);
  for (size_t r = 0; r < rows; ++r) out.rows[0][r] = static_cast<uint32_t>(r);
  out.ids.push_back("1");
  return out;
}

Result<RequestGroups> ChunkRows(size_t rows, size_t size) {
  if (size == 0) return Status::InvalidArgument("a request size must be at least 1");
  RequestGroups out;
  for (size_t begin = 0; begin < rows; begin += size) {
    auto& g = out.rows.emplace_back();
    for (size_t r = begin; r < rows && r < begin + size; ++r) g.push_back(static_cast<uint32_t>(r));
    out.ids.push_back(std::to_string(out.rows.size()));
  }
  return out;
}

}  // namespace keel::rank
