// libFuzzer target: the LightGBM text-model importer on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_target_support.h"
#include "model/lightgbm_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto model = keel::ImportLightGBMText(std::string_view(reinterpret_cast<const char*>(data), size),
                                        "fuzz.txt");
  if (model.ok()) keel::fuzz::ExerciseModel(*model);
  return 0;
}
