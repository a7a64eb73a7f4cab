// Plain-text summaries of evaluations and comparisons, for terminals (`keel evaluate`,
// `keel compare` without --json). Numbers are rounded for reading; the JSON forms carry
// the exact values.
#pragma once

#include <string>

#include "eval/compare.h"
#include "eval/evaluation.h"

namespace keel {

// A table of the metrics with their intervals, then the confusion counts at the threshold
// (binary). Lines end in '\n'.
std::string FormatEvaluationText(const Evaluation& evaluation);

// The two models side by side (metrics with intervals, size, latency, throughput), the
// paired test and the verdict. Lines end in '\n'.
std::string FormatComparisonText(const Comparison& comparison);

// "812 B", "12.3 KiB", "4.1 MiB".
std::string FormatBytes(uint64_t bytes);

}  // namespace keel
