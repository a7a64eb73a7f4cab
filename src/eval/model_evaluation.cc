#include "eval/model_evaluation.h"

namespace keel {

Result<ModelEvaluation> EvaluateModel(const Model& model, const Predictor& predictor,
                                      const Table& table, const EvaluationOptions& options,
                                      const Context& ctx, const EncodeOptions& encode) {
  ModelEvaluation out;
  KEEL_ASSIGN_OR_RETURN(out.truth, ReadLabels(model, table));
  EncodeOptions eo = encode;
  eo.threads = ctx.threads();
  KEEL_ASSIGN_OR_RETURN(FeatureMatrix x, EncodeFeatures(model, table, eo, &out.encode));
  KEEL_ASSIGN_OR_RETURN(LabeledPredictions predictions,
                        PredictLabeled(predictor, x, out.truth, ctx.threads()));
  KEEL_ASSIGN_OR_RETURN(out.evaluation,
                        Evaluate(predictions.view(), EvaluationOptionsFor(model, options), ctx));
  return out;
}

}  // namespace keel
