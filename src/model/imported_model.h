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
#include <optional>
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
  // feature its dictionary (code i = categories[i]) when its order is known (below). Every
  // model feature must be a column of it. Borrowed for the call.
  const Schema* schema = nullptr;
  // How messages name the schema (its path).
  std::string schema_name = "the schema";
};

// What the file says about one input feature.
struct ImportedFeature {
  std::string name;  // empty when the file has no names
  bool categorical = false;
  // The file's own category names in code order (LightGBM's pandas_categorical), if any.
  std::optional<std::vector<std::string>> categories;
};

// Fills model->features and model->schema from the file's features and `options`, after the
// importer has put the trees into model->forest. Features without names are called f0, f1,
// ... (XGBoost's convention).
//
// A categorical feature takes category names only where Keel knows which code each name has
// (docs/model_format.md, "Category codes of imported models"); how each one was decided goes
// to model->sections["import"]["categorical"] as {feature, order, categories, max_code}:
//   pandas_categorical  the file's own list (ImportedFeature::categories)
//   codes               no schema: the data holds the integer codes
//   sorted              the schema's list is in pandas' default order (category_order.h)
//                       and does not say otherwise
//   listed              the schema's list has `category_order: listed`
//   boolean             a boolean column: false = code 0, true = code 1 (pandas' order)
//   unused              no split uses the feature, so its codes do not matter
// Errors (InvalidArgument, naming the feature, the column and what to pass): a feature
// missing from the user schema, a count mismatch, duplicate names; a used categorical
// feature whose schema column lists its categories in an order that is not known to be the
// model's (unsorted without `listed`, or `unknown`), lists none, or is not categorical or
// boolean; a split using a code beyond the names given; a schema list contradicting the
// file's own list while claiming to be the code order.
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
