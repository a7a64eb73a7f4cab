#include "serve/test_model_profile.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/context.h"
#include "drift/model_profile.h"
#include "keel/table.h"

namespace keel::serve::testing {

double TinyRedProb(int age, double shift) {
  return 1 / (1 + std::exp(-(shift + (age < 40 ? -1.0 : 1.0) + 0.5)));
}

Model WithTrainingProfile(Model m, double shift) {
  std::vector<double> age, pred;
  for (int a = 20; a < 80; ++a) {
    age.push_back(a);
    pred.push_back(TinyRedProb(a, shift));
  }
  const size_t n = age.size();
  Table t;
  Status st = t.AddColumn(Column::Numeric("age", age));
  if (st.ok()) {
    st = t.AddColumn(
        Column::Categorical("color", std::vector<int32_t>(n, 0), {"red", "green", "blue"}));
  }
  if (st.ok()) st = t.AddColumn(Column::Boolean("active", std::vector<int8_t>(n, 1)));
  if (st.ok()) st = t.AddColumn(Column::Timestamp("signup", std::vector<int64_t>(n, 0)));
  if (st.ok()) st = drift::AttachReferenceProfile(&m, t, {}, pred, {}, Context{1, false, nullptr});
  if (!st.ok()) {
    std::fprintf(stderr, "WithTrainingProfile: %s\n", st.ToString().c_str());
    std::abort();
  }
  return m;
}

}  // namespace keel::serve::testing
