#include "train/split.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <unordered_map>

#include "core/hash.h"
#include "core/nearest_name.h"
#include "core/parallel.h"
#include "core/random.h"

namespace keel {
namespace {

size_t RoundShare(size_t n, double fraction) {
  return static_cast<size_t>(std::llround(static_cast<double>(n) * fraction));
}

void SortAll(SplitRows* s) {
  std::sort(s->train.begin(), s->train.end());
  std::sort(s->valid.begin(), s->valid.end());
  std::sort(s->test.begin(), s->test.end());
}

// Cuts `order` into test (first), validation (next) and train (rest) for random splits.
void CutShuffled(const std::vector<uint32_t>& order, double test, double valid, SplitRows* out) {
  const size_t n = order.size();
  const size_t n_test = std::min(n, RoundShare(n, test));
  const size_t n_valid = std::min(n - n_test, RoundShare(n, valid));
  out->test.insert(out->test.end(), order.begin(), order.begin() + n_test);
  out->valid.insert(out->valid.end(), order.begin() + n_test, order.begin() + n_test + n_valid);
  out->train.insert(out->train.end(), order.begin() + n_test + n_valid, order.end());
}

uint64_t CellHash(const Column& col, size_t r) {
  switch (col.kind()) {
    case ColumnKind::kNumeric: {
      double v = col.numeric()[r];
      if (std::isnan(v)) return 0x6e616eULL;  // every NaN is one "missing" value
      if (v == 0.0) v = 0.0;
      uint64_t bits = 0;
      std::memcpy(&bits, &v, sizeof bits);
      return Rng::SplitMix64(&bits);
    }
    case ColumnKind::kCategorical: {
      uint64_t x = static_cast<uint64_t>(static_cast<int64_t>(col.codes()[r])) + 17;
      return Rng::SplitMix64(&x);
    }
    case ColumnKind::kBoolean: {
      uint64_t x = static_cast<uint64_t>(static_cast<int64_t>(col.booleans()[r])) + 31;
      return Rng::SplitMix64(&x);
    }
    case ColumnKind::kTimestamp: {
      uint64_t x = static_cast<uint64_t>(col.timestamps()[r]);
      return Rng::SplitMix64(&x);
    }
    case ColumnKind::kString:
      return col.IsMissing(r) ? 0x6d697373ULL : FastHash(col.strings()[r]);
  }
  return 0;
}

bool CellsEqual(const Column& col, size_t a, size_t b) {
  switch (col.kind()) {
    case ColumnKind::kNumeric: {
      const double x = col.numeric()[a];
      const double y = col.numeric()[b];
      return x == y || (std::isnan(x) && std::isnan(y));
    }
    case ColumnKind::kCategorical:
      return col.codes()[a] == col.codes()[b];
    case ColumnKind::kBoolean:
      return col.booleans()[a] == col.booleans()[b];
    case ColumnKind::kTimestamp:
      return col.timestamps()[a] == col.timestamps()[b];
    case ColumnKind::kString:
      if (col.IsMissing(a) || col.IsMissing(b)) return col.IsMissing(a) == col.IsMissing(b);
      return col.strings()[a] == col.strings()[b];
  }
  return false;
}

}  // namespace

Result<SplitSpec> ParseSplitSpec(std::string_view text) {
  SplitSpec s;
  if (text == "random") {
    s.kind = SplitSpec::Kind::kRandom;
  } else if (text == "stratified") {
    s.kind = SplitSpec::Kind::kStratified;
  } else if (text.starts_with("time:") && text.size() > 5) {
    s.kind = SplitSpec::Kind::kTime;
    s.column = std::string(text.substr(5));
  } else if (text.starts_with("group:") && text.size() > 6) {
    s.kind = SplitSpec::Kind::kGroup;
    s.column = std::string(text.substr(6));
  } else {
    return Status::InvalidArgument(
        "split '{}' is not one of random, stratified, time:COLUMN, group:COLUMN", text);
  }
  return s;
}

Result<std::vector<uint32_t>> GroupOfRows(const Table& table, const std::string& column,
                                          std::span<const uint32_t> rows) {
  const Column* col = table.Find(column);
  if (col == nullptr) {
    return Status::NotFound("group split column '{}' is not in the data{}", column,
                            DidYouMean(column, table.columns(), &Column::name));
  }
  // Group ids in first-seen order; missing values form one group of their own.
  const size_t n = rows.size();
  std::unordered_map<uint64_t, std::vector<uint32_t>> index;  // hash -> group ids
  std::vector<uint32_t> first_row;
  std::vector<uint32_t> group_of(n);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t r = rows[i];
    const bool missing = col->IsMissing(r);
    const uint64_t h = missing ? 0x6d697373ULL : CellHash(*col, r);
    auto& cands = index[h];
    int64_t found = -1;
    for (uint32_t g : cands) {
      const uint32_t fr = first_row[g];
      const bool fm = col->IsMissing(fr);
      if ((missing && fm) || (!missing && !fm && CellsEqual(*col, fr, r))) {
        found = g;
        break;
      }
    }
    if (found < 0) {
      found = static_cast<int64_t>(first_row.size());
      first_row.push_back(r);
      cands.push_back(static_cast<uint32_t>(found));
    }
    group_of[i] = static_cast<uint32_t>(found);
  }
  return group_of;
}

Result<SplitRows> SplitTableRows(const Table& table, std::span<const uint32_t> rows,
                                 std::span<const double> strata, const SplitSpec& spec) {
  SplitRows out;
  const size_t n = rows.size();
  Rng rng(spec.seed);
  switch (spec.kind) {
    case SplitSpec::Kind::kRandom: {
      std::vector<uint32_t> order(rows.begin(), rows.end());
      rng.Shuffle(order.data(), order.size());
      CutShuffled(order, spec.test_size, spec.valid_size, &out);
      break;
    }
    case SplitSpec::Kind::kStratified: {
      // Classes in a fixed order (NaN last) so a seed always gives the same split.
      std::map<double, std::vector<uint32_t>> by_class;
      std::vector<uint32_t> no_class;
      for (uint32_t r : rows) {
        const double c = r < strata.size() ? strata[r] : std::nan("");
        if (std::isnan(c)) {
          no_class.push_back(r);
        } else {
          by_class[c].push_back(r);
        }
      }
      for (auto& [c, members] : by_class) {
        rng.Shuffle(members.data(), members.size());
        CutShuffled(members, spec.test_size, spec.valid_size, &out);
      }
      rng.Shuffle(no_class.data(), no_class.size());
      CutShuffled(no_class, spec.test_size, spec.valid_size, &out);
      break;
    }
    case SplitSpec::Kind::kTime: {
      const Column* col = table.Find(spec.column);
      if (col == nullptr) {
        return Status::NotFound("time split column '{}' is not in the data{}", spec.column,
                                DidYouMean(spec.column, table.columns(), &Column::name));
      }
      if (col->kind() != ColumnKind::kTimestamp && col->kind() != ColumnKind::kNumeric) {
        return Status::InvalidArgument(
            "time split column '{}' is {}; it must hold timestamps or numbers", spec.column,
            ColumnKindName(col->kind()));
      }
      std::vector<double> t(n);
      for (size_t i = 0; i < n; ++i) {
        t[i] = col->AsDouble(rows[i]);
        if (std::isnan(t[i])) {
          return Status::InvalidArgument(
              "time split column '{}' is missing on line {}: every row needs a time", spec.column,
              table.SourceLine(rows[i]));
        }
      }
      // Timestamps as double seconds keep microseconds exactly up to ~2^53 us (year 2255).
      if (col->kind() == ColumnKind::kTimestamp) {
        const auto ts = col->timestamps();
        for (size_t i = 0; i < n; ++i) t[i] = static_cast<double>(ts[rows[i]]);
      }
      std::vector<uint32_t> order(n);
      std::iota(order.begin(), order.end(), 0u);
      std::stable_sort(order.begin(), order.end(),
                       [&](uint32_t a, uint32_t b) { return t[a] < t[b]; });
      const size_t n_test = std::min(n, RoundShare(n, spec.test_size));
      const size_t n_valid = std::min(n - n_test, RoundShare(n, spec.valid_size));
      size_t train_end = n - n_test - n_valid;
      // Rows at the same time as the last training row are the past too.
      while (train_end > 0 && train_end < n && t[order[train_end]] == t[order[train_end - 1]]) {
        ++train_end;
      }
      size_t valid_end = std::max(train_end, n - n_test);
      while (valid_end > train_end && valid_end < n &&
             t[order[valid_end]] == t[order[valid_end - 1]]) {
        ++valid_end;
      }
      for (size_t i = 0; i < n; ++i) {
        const uint32_t r = rows[order[i]];
        if (i < train_end) {
          out.train.push_back(r);
        } else if (i < valid_end) {
          out.valid.push_back(r);
        } else {
          out.test.push_back(r);
        }
      }
      break;
    }
    case SplitSpec::Kind::kGroup: {
      KEEL_ASSIGN_OR_RETURN(const std::vector<uint32_t> group_of,
                            GroupOfRows(table, spec.column, rows));
      const size_t groups =
          group_of.empty() ? 0 : *std::max_element(group_of.begin(), group_of.end()) + 1;
      std::vector<size_t> size(groups, 0);
      for (uint32_t g : group_of) ++size[g];
      std::vector<uint32_t> order(groups);
      std::iota(order.begin(), order.end(), 0u);
      rng.Shuffle(order.data(), groups);
      const size_t want_test = RoundShare(n, spec.test_size);
      const size_t want_valid = RoundShare(n, spec.valid_size);
      std::vector<uint8_t> dest(groups, 0);  // 0 train, 1 valid, 2 test
      size_t got_test = 0, got_valid = 0;
      for (uint32_t g : order) {
        if (got_test < want_test) {
          dest[g] = 2;
          got_test += size[g];
        } else if (got_valid < want_valid) {
          dest[g] = 1;
          got_valid += size[g];
        }
      }
      for (size_t i = 0; i < n; ++i) {
        const uint8_t d = dest[group_of[i]];
        (d == 2 ? out.test : d == 1 ? out.valid : out.train).push_back(rows[i]);
      }
      break;
    }
  }
  SortAll(&out);
  if (out.train.empty()) {
    return Status::InvalidArgument(
        "the split leaves no training rows ({} eligible rows, test_size {}, valid_size {})", n,
        spec.test_size, spec.valid_size);
  }
  return out;
}

LeakageReport FindLeakage(const Table& table, std::span<const size_t> columns,
                          const SplitRows& split, int threads) {
  LeakageReport rep;
  auto row_hash = [&](uint32_t r) {
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t c : columns) {
      h ^= CellHash(table.column(c), r) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    }
    return h;
  };
  auto hashes_of = [&](const std::vector<uint32_t>& rows) {
    std::vector<uint64_t> h(rows.size());
    Status st = ParallelFor(
        threads, rows.size(), [&](size_t i) { h[i] = row_hash(rows[i]); }, 4096);
    st.IgnoreError();  // the body cannot fail
    return h;
  };
  const std::vector<uint64_t> train_h = hashes_of(split.train);
  std::unordered_map<uint64_t, uint32_t> train_index;
  train_index.reserve(split.train.size());
  for (size_t i = 0; i < split.train.size(); ++i) train_index.emplace(train_h[i], split.train[i]);
  auto count = [&](const std::vector<uint32_t>& rows, uint64_t* out) {
    const std::vector<uint64_t> h = hashes_of(rows);
    for (size_t i = 0; i < rows.size(); ++i) {
      auto it = train_index.find(h[i]);
      if (it == train_index.end()) continue;
      bool same = true;
      for (size_t c : columns) {
        if (!CellsEqual(table.column(c), rows[i], it->second)) {
          same = false;
          break;
        }
      }
      if (!same) continue;
      ++*out;
      if (rep.examples.size() < 5) {
        rep.examples.emplace_back(table.SourceLine(rows[i]), table.SourceLine(it->second));
      }
    }
  };
  count(split.test, &rep.test_rows_in_train);
  count(split.valid, &rep.valid_rows_in_train);
  return rep;
}

LeakageReport FindLeakageByHash(const SplitRows& split, std::span<const uint64_t> train_hashes,
                                std::span<const uint64_t> valid_hashes,
                                std::span<const uint64_t> test_hashes, const Table& lines) {
  LeakageReport rep;
  // Train rows by hash; equal hashes keep split order, so a match names the first train row.
  std::vector<uint32_t> order(train_hashes.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return train_hashes[a] < train_hashes[b]; });
  auto count = [&](const std::vector<uint32_t>& rows, std::span<const uint64_t> hashes,
                   uint64_t* out) {
    for (size_t i = 0; i < rows.size(); ++i) {
      auto it = std::lower_bound(order.begin(), order.end(), hashes[i],
                                 [&](uint32_t t, uint64_t h) { return train_hashes[t] < h; });
      if (it == order.end() || train_hashes[*it] != hashes[i]) continue;
      ++*out;
      if (rep.examples.size() < 5) {
        rep.examples.emplace_back(lines.SourceLine(rows[i]), lines.SourceLine(split.train[*it]));
      }
    }
  };
  count(split.test, test_hashes, &rep.test_rows_in_train);
  count(split.valid, valid_hashes, &rep.valid_rows_in_train);
  return rep;
}

void AddLeakageWarning(const LeakageReport& leakage, std::vector<std::string>* warnings) {
  if (leakage.test_rows_in_train > 0) {
    warnings->push_back(std::to_string(leakage.test_rows_in_train) +
                        " test rows have an identical feature row in the training split");
  }
}

}  // namespace keel
