// libFuzzer target: the XGBoost JSON importer on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_target_support.h"
#include "model/xgboost_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto model = keel::ImportXGBoostJson(std::string_view(reinterpret_cast<const char*>(data), size),
                                       "fuzz.json");
  if (model.ok()) keel::fuzz::ExerciseModel(*model);
  return 0;
}
