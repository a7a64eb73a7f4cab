#include "model/imported_model.h"

#include <set>
#include <unordered_map>
#include <unordered_set>

namespace keel {

Status BuildImportedFeatures(const std::vector<ImportedFeature>& file_features,
                             const ImportOptions& options, std::string_view source, Model* model) {
  const Schema* user = options.schema;
  const bool named = !file_features.empty() && !file_features[0].name.empty();
  std::vector<std::string> names;
  if (named) {
    for (const auto& f : file_features) names.push_back(f.name);
  } else if (user != nullptr) {
    for (const auto& c : user->columns) {
      if (c.role == Role::kFeature) names.push_back(c.name);
    }
    if (names.size() != file_features.size()) {
      return Status::InvalidArgument(
          "{} names no features and takes {} of them, but the schema has {} feature columns",
          source, file_features.size(), names.size());
    }
  } else {
    for (size_t i = 0; i < file_features.size(); ++i) names.push_back("f" + std::to_string(i));
  }
  std::unordered_set<std::string> seen;
  for (const auto& n : names) {
    if (!seen.insert(n).second) {
      return Status::InvalidArgument("{} names feature '{}' twice", source, n);
    }
  }

  model->features.clear();
  model->schema = Schema{};
  if (user != nullptr) model->schema = *user;
  for (size_t i = 0; i < names.size(); ++i) {
    FeatureSpec spec;
    spec.name = names[i];
    spec.kind = file_features[i].categorical ? FeatureSpec::Kind::kCategorical
                                             : FeatureSpec::Kind::kNumeric;
    spec.source_kind = ColumnKind::kNumeric;
    if (user != nullptr) {
      const ColumnSchema* col = user->Find(names[i]);
      if (col == nullptr) {
        return Status::InvalidArgument("{} uses feature '{}', which the schema does not have",
                                       source, names[i]);
      }
      spec.source_kind = col->kind;
      if (spec.kind == FeatureSpec::Kind::kCategorical && col->kind == ColumnKind::kCategorical) {
        spec.categories = col->categories;
      }
    } else {
      // Codes for categorical features arrive as numbers.
      model->schema.columns.push_back(
          {names[i], ColumnKind::kNumeric, Role::kFeature, {}, {}, {}, {}});
    }
    model->features.push_back(std::move(spec));
  }
  return Status::OK();
}

Result<Tree> AssembleTree(int64_t root, size_t max_nodes,
                          const std::function<Status(int64_t, PeerNode*)>& node_of) {
  Tree tree;
  std::unordered_map<int64_t, int32_t> index;  // peer id -> IR index
  // (peer id, IR index of the parent, whether it is the left child)
  struct Pending {
    int64_t id;
    int32_t parent;
    bool left;
  };
  std::vector<Pending> stack = {{root, -1, false}};
  while (!stack.empty()) {
    const Pending p = stack.back();
    stack.pop_back();
    if (index.count(p.id) != 0) {
      return Status::Corrupt("node {} is reached twice (the tree has a cycle or shared node)",
                             p.id);
    }
    PeerNode peer;
    KEEL_RETURN_IF_ERROR(node_of(p.id, &peer));
    if (tree.nodes.size() >= max_nodes) {
      return Status::Corrupt("tree has more than {} nodes", max_nodes);
    }
    const auto me = static_cast<int32_t>(tree.nodes.size());
    index.emplace(p.id, me);
    TreeNode node = peer.node;
    node.left = node.right = -1;
    if (peer.leaf) node.feature = -1;
    tree.nodes.push_back(std::move(node));
    if (p.parent >= 0) {
      TreeNode& parent = tree.nodes[static_cast<size_t>(p.parent)];
      (p.left ? parent.left : parent.right) = me;
    }
    if (!peer.leaf) {
      stack.push_back({peer.right, me, false});
      stack.push_back({peer.left, me, true});
    }
  }
  return tree;
}

Status CheckImportedModel(const Model& model, std::string_view source) {
  Status st = ValidateModel(model);
  if (!st.ok()) return st.WithContext(std::string(source) + ": the imported model is not valid");
  return Status::OK();
}

}  // namespace keel
