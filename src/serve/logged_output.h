// Reading the prediction log's `output` texts back: the probabilities or the value a model
// answered, and the class index of a label fed back. Shared by the challenger report's gate
// (challenger_report.h) and its traffic sections (challenger_traffic.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/model.h"

namespace keel::serve {

// What the logged outputs say about the model: its classes (from the prob_<class> keys, in
// the order they were written) or regression.
struct OutputShape {
  bool known = false;
  Task task = Task::kBinary;
  std::vector<std::string> classes;
};

// Reads one logged output into `p` (probabilities in class order, or {prediction}); the first
// output read sets `shape`. False when the text is no output or has other classes.
bool ReadLoggedOutput(const std::string& text, OutputShape* shape, std::vector<double>* p);

// The class index of a label text: exact, then ASCII case-insensitive; -1 when none.
int32_t ClassOfLabel(const std::string& label, const std::vector<std::string>& classes);

}  // namespace keel::serve
