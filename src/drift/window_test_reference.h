// The training profile of the window tests: one numeric column "x" of n uniform values in
// [0, 1) (seeded), with 10 quantile bins.
#pragma once

#include <memory>
#include <vector>

#include "core/random.h"
#include "drift/profile.h"

namespace keel::drift {

inline std::shared_ptr<Profile> Reference(size_t n, uint64_t seed) {
  auto layout = std::make_shared<ProfileLayout>();
  ColumnSpec x;
  x.name = "x";
  std::vector<double> vals;
  Rng rng(seed);
  for (size_t i = 0; i < n; ++i) vals.push_back(rng.Uniform());
  x.edges = QuantileEdges(vals, 10);
  layout->columns = {x};
  auto p = std::make_shared<Profile>(layout);
  for (double v : vals) p->AddNumber(0, v);
  p->AddRows(n);
  return p;
}

}  // namespace keel::drift
