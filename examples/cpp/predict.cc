// Predicting with a Keel model from C++: the public API in include/keel/predictor.h.
//
// Build: part of the Keel build (target keel_example_predict); link against libkeel.
// Usage: keel_example_predict MODEL.keel [feature=value ...]
//   e.g. keel_example_predict churn.keel tenure=12 contract=Month-to-month
// Features not given are missing. Prints one line per output: name and value.
#include <cstdio>
#include <string>
#include <vector>

#include "keel/predictor.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL.keel [feature=value ...]\n", argv[0]);
    return 2;
  }
  // Load once (this verifies the file's checksums and compiles the trees); predict many times,
  // from any number of threads.
  auto model = keel::LoadedModel::Load(argv[1]);
  if (!model.ok()) {
    std::fprintf(stderr, "error: %s\n", model.status().ToString().c_str());
    return 1;
  }
  const keel::LoadedModel& m = **model;

  // A row by feature name: numbers, or category names for categorical features.
  keel::FeatureRow row = m.NewRow();
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "error: expected feature=value, got '%s'\n", argv[i]);
      return 2;
    }
    keel::Status st = row.Set(arg.substr(0, eq), std::string_view(arg).substr(eq + 1));
    if (!st.ok()) {
      std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  std::vector<double> out(m.num_outputs());
  keel::Status st = m.PredictRow(row, out);
  if (!st.ok()) {
    std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
    return 1;
  }
  for (size_t k = 0; k < out.size(); ++k) {
    std::printf("%s=%.17g\n", m.output_names()[k].c_str(), out[k]);
  }

  // The same row as a plain vector in feature order, predicted as a batch of one: batches
  // are rows x num_features() floats in, rows x num_outputs() doubles out.
  std::vector<float> batch(row.values().begin(), row.values().end());
  std::vector<double> batch_out(m.num_outputs());
  st = m.PredictBatch(batch, 1, batch_out);
  if (!st.ok() || batch_out != out) {
    std::fprintf(stderr, "error: batch and single-row predictions differ\n");
    return 1;
  }
  return 0;
}
