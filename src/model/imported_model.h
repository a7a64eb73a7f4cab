// Steps shared by the XGBoost and LightGBM importers.
//
// Both peers describe a tree as parallel arrays indexed by node id and name features only by
// position (plus optional names). These helpers turn that into the IR: features and a schema
// for the imported model, and trees rebuilt by walking from the root, so nodes the peer
// keeps but no longer uses (pruned ones) are dropped and a cyclic or shared structure is an
// error rather than a hang.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "data/schema.h"
#include "keel/status.h"
#include "model/model.h"

namespace keel {

// Where an importer's feature names and kinds come from.
struct ImportOptions {
  // Optional user schema (`--schema`): when the file names no features, its feature-role
  // columns name them in order; a categorical column with categories gives a categorical
  // feature its dictionary (code i = categories[i]). Every model feature must be a column
  // of it. Borrowed for the call.
  const Schema* schema = nullptr;
};

// What the file says about one input feature.
struct ImportedFeature {
  std::string name;  // empty when the file has no names
  bool categorical = false;
};

// Fills model->features and model->schema from the file's features and `options`. Features
// without names are called f0, f1, ... (XGBoost's convention). Imported categorical features
// take integer codes, read from numeric columns, unless the user schema lists categories.
// Errors: InvalidArgument naming a feature missing from the user schema, a count mismatch,
// or duplicate feature names.
Status BuildImportedFeatures(const std::vector<ImportedFeature>& file_features,
                             const ImportOptions& options, std::string_view source, Model* model);

// One node as a peer describes it. Children are node ids (or, for the peer's own leaf
// numbering, whatever `Node` callback maps them to).
struct PeerNode {
  bool leaf = true;
  int64_t left = -1, right = -1;  // ids passed back to the callback
  TreeNode node;                  // split fields or leaf value; children are ignored
};

// Builds an IR tree by walking from `root`, asking `node_of(id, &out)` for each node. Only
// reachable nodes are kept, in depth-first order (root first). Errors: the callback's
// status, or Corrupt when a node is reached twice or the tree exceeds `max_nodes`.
Result<Tree> AssembleTree(int64_t root, size_t max_nodes,
                          const std::function<Status(int64_t, PeerNode*)>& node_of);

// Checks the imported model (ValidateModel) and names the source in the error.
Status CheckImportedModel(const Model& model, std::string_view source);

}  // namespace keel
