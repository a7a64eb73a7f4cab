#include "train/distributed.h"

#include <numeric>

namespace keel {

Status CheckDistributable(const TrainParams& params, Objective objective,
                          std::span<const RawFeature> features) {
  auto refuse = [](const std::string& what) {
    return Status::Unsupported("distributed training does not support {} yet", what);
  };
  if (params.algo != "gbdt") return refuse("algo " + params.algo);
  if (params.valid_size > 0) return refuse("a validation split (valid_size > 0)");
  if (params.subsample < 1) return refuse("row subsampling (subsample < 1)");
  if (params.calibrate != "none") return refuse("calibration (it needs validation rows)");
  if (params.class_weight == "balanced") return refuse("class_weight balanced");
  // Each rank would quantize with its own scales; the ranks would first have to agree on them.
  if (params.quantized_grad > 0) return refuse("quantized gradients (quantized_grad > 0)");
  if (RefitsLeaves(objective)) {
    return refuse(std::string("objective ") + std::string(ObjectiveName(objective)));
  }
  for (const RawFeature& f : features) {
    if (f.categorical) return refuse("categorical features (exclude them or make them numeric)");
  }
  return Status::OK();
}

Status CheckRanksAgree(const std::string& description, Collective& c) {
  std::string first = description;
  KEEL_RETURN_IF_ERROR(c.Broadcast(&first, 0));
  if (first != description) {
    return Status::InvalidArgument(
        "rank {} trains on {} but rank 0 on {}: every shard must give the same features and "
        "classes (a feature constant or missing in one shard is dropped there; pass --positive "
        "and --schema to fix the classes and kinds)",
        c.rank(), description, first);
  }
  return Status::OK();
}

Result<std::vector<BinMapper>> FitSharedMappers(std::span<const RawFeature> features,
                                                std::span<const uint32_t> rows, int max_bins,
                                                Collective& c) {
  std::vector<BinMapper> mappers;
  mappers.reserve(features.size());
  std::vector<float> mine(rows.size());
  for (const RawFeature& f : features) {
    for (size_t i = 0; i < rows.size(); ++i) mine[i] = f.values[rows[i]];
    RawFeature all;
    KEEL_ASSIGN_OR_RETURN(all.values, c.AllGather(std::span<const float>(mine)));
    std::vector<uint32_t> all_rows(all.values.size());
    std::iota(all_rows.begin(), all_rows.end(), 0u);
    mappers.push_back(BinMapper::FitNumeric(all, all_rows, max_bins));
  }
  return mappers;
}

Result<std::vector<double>> SharedBaseMargin(const ObjectiveConfig& config,
                                             std::span<const double> labels,
                                             std::span<const float> weights, Collective& c) {
  KEEL_ASSIGN_OR_RETURN(const std::vector<double> all_labels, c.AllGather(labels));
  KEEL_ASSIGN_OR_RETURN(const std::vector<float> all_weights, c.AllGather(weights));
  if (!all_weights.empty() && all_weights.size() != all_labels.size()) {
    return Status::InvalidArgument(
        "some ranks have sample weights and others not: every shard needs the weight column");
  }
  return BaseMargin(config, all_labels, all_weights);
}

}  // namespace keel
