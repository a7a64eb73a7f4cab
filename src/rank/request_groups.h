// Splitting a table of candidates into requests.
//
// A candidates or log file holds many requests, one row per candidate; a column (e.g.
// request_id) says which request a row belongs to. Requests come out in order of first
// appearance and keep their rows in input order, so rows of one request need not be adjacent.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "keel/status.h"
#include "keel/table.h"

namespace keel::rank {

struct RequestGroups {
  // rows[g] = the row indices of request g, in input order.
  std::vector<std::vector<uint32_t>> rows;
  // The id of each request as text (the group column's cell text; "" for the missing group).
  std::vector<std::string> ids;
};

// Groups the rows of `table` by the value of `column` (any kind; missing values form one
// request of their own). Errors: NotFound naming the column and listing the columns.
Result<RequestGroups> GroupRows(const Table& table, std::string_view column);

// Every row in one request (id "1").
RequestGroups SingleRequest(size_t rows);

// Consecutive blocks of `size` rows (the last may be shorter), ids "1", "2", ... For logs
// that have no request column. Errors: InvalidArgument when size is 0.
Result<RequestGroups> ChunkRows(size_t rows, size_t size);

}  // namespace keel::rank
