#include "model/imported_model.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace keel {

namespace {

// The largest category code the model's categorical splits on `feature` use; -1 when none.
int64_t MaxSplitCode(const Forest& forest, size_t feature) {
  int64_t max_code = -1;
  for (const Tree& tree : forest.trees) {
    for (const TreeNode& node : tree.nodes) {
      if (node.is_leaf() || !node.is_categorical || static_cast<size_t>(node.feature) != feature) {
        continue;
      }
      for (int32_t c : node.categories) max_code = std::max<int64_t>(max_code, c);
    }
  }
  return max_code;
}

std::string Quoted(const std::vector<std::string>& items, size_t max_items = 12) {
  std::string out = "[";
  for (size_t i = 0; i < items.size() && i < max_items; ++i) {
    if (i > 0) out += ", ";
    out += "\"" + items[i] + "\"";
  }
  if (items.size() > max_items) out += fmt::format(", ... ({} in all)", items.size());
  return out + "]";
}

// How to name a categorical feature's codes from the file and the user's schema column.
struct Coding {
  std::string order;                    // see BuildImportedFeatures
  std::vector<std::string> categories;  // code i = categories[i]; empty = codes or booleans
};

Result<Coding> DecideCoding(const ImportedFeature& file, const ColumnSchema* col, int64_t max_code,
                            const ImportOptions& options, std::string_view source) {
  const std::string& name = col != nullptr ? col->name : file.name;
  const auto code_range = [&] {
    return fmt::format("its splits use category codes up to {}", max_code);
  };
  Coding coding;
  if (file.categories.has_value()) {
    coding = {"pandas_categorical", *file.categories};
    if (col != nullptr) {
      if (col->kind != ColumnKind::kCategorical && col->kind != ColumnKind::kNumeric &&
          col->kind != ColumnKind::kBoolean) {
        return Status::InvalidArgument(
            "{}: feature '{}' is categorical, with categories {} (pandas_categorical), but "
            "{} reads column '{}' as {}: give the column `kind: categorical`",
            source, name, Quoted(coding.categories), options.schema_name, name,
            ColumnKindName(col->kind));
      }
      if (col->kind == ColumnKind::kCategorical && col->category_order == CategoryOrder::kListed &&
          !col->categories.empty() && col->categories != coding.categories) {
        return Status::InvalidArgument(
            "{}: {} gives column '{}' the code order {} (category_order: listed), but the "
            "model's pandas_categorical says {}: remove `category_order: listed` or list the "
            "model's order",
            source, options.schema_name, name, Quoted(col->categories), Quoted(coding.categories));
      }
    }
  } else if (col == nullptr) {
    coding.order = "codes";
  } else if (col->kind == ColumnKind::kBoolean) {
    coding.order = "boolean";
    if (max_code > 1) {
      return Status::InvalidArgument(
          "{}: feature '{}' is categorical and {}, but {} reads column '{}' as boolean (codes "
          "0 and 1 only): give the column `kind: categorical` and its categories in the model's "
          "code order",
          source, name, code_range(), options.schema_name, name);
    }
  } else if (max_code < 0) {
    coding = {"unused",
              col->kind == ColumnKind::kCategorical ? col->categories : std::vector<std::string>{}};
  } else if (col->kind != ColumnKind::kCategorical) {
    return Status::InvalidArgument(
        "{}: feature '{}' is categorical and {}, but {} reads column '{}' as {}, so Keel cannot "
        "tell which code each value has. Give the column `kind: categorical` and its categories "
        "in the model's code order: pandas' default is sorted, which `keel schema infer DATA "
        "--kind {}=categorical` writes; if the data holds the codes themselves, list \"0\", "
        "\"1\", ... with `category_order: listed`",
        source, name, code_range(), options.schema_name, name, ColumnKindName(col->kind), name);
  } else if (col->categories.empty()) {
    return Status::InvalidArgument(
        "{}: feature '{}' is categorical and {}, but {} lists no categories for column '{}': "
        "list them in the model's code order (pandas' default is sorted, as `keel schema infer` "
        "writes them)",
        source, name, code_range(), options.schema_name, name);
  } else if (col->category_order == CategoryOrder::kListed) {
    coding = {"listed", col->categories};
  } else if (col->category_order == CategoryOrder::kUnknown) {
    // "None" is the one text pandas versions disagree on (a category before 2.0).
    const bool none =
        std::find(col->categories.begin(), col->categories.end(), "None") != col->categories.end();
    return Status::InvalidArgument(
        "{}: feature '{}' is categorical and {}, but {} marks the categories of column '{}' "
        "`category_order: unknown`{}: pandas would make other categories from that data (the "
        "comment `keel schema infer` wrote on that line says why), so the model's codes cannot "
        "be read from the list. List the model's categories in code order "
        "(list(frame['{}'].cat.categories) in the training script) and set "
        "`category_order: listed`{}",
        source, name, code_range(), options.schema_name, name,
        col->category_order_note.empty() ? "" : " (" + col->category_order_note + ")", name,
        none ? ". The list holds \"None\", a category to pandas before 2.0 and a missing value "
               "from 2.0 on: if the model was trained with pandas < 2.0 and nothing else is "
               "wrong, set `category_order: sorted`; with pandas >= 2.0, remove \"None\" from "
               "the list and set `category_order: listed`"
             : "");
  } else {
    std::string why;
    if (!IsPandasDefaultOrder(col->categories, &why)) {
      std::vector<std::string> sorted = col->categories;
      SortPandasDefault(&sorted);
      sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
      return Status::InvalidArgument(
          "{}: feature '{}' is categorical and {}, but {} lists the categories of column '{}' "
          "in an order that is not pandas' default (sorted) order ({}), and does not say it is "
          "the model's code order. If the model was trained from pandas with default "
          "categories, list them sorted: {} (as `keel schema infer` writes them); if the list "
          "is the model's code order (list(frame['{}'].cat.categories)), add "
          "`category_order: listed` to the column",
          source, name, code_range(), options.schema_name, name, why, Quoted(sorted, 30), name);
    }
    coding = {"sorted", col->categories};
  }
  if (!coding.categories.empty() && max_code >= static_cast<int64_t>(coding.categories.size())) {
    return Status::InvalidArgument(
        "{}: the splits on feature '{}' use category code {}, but {} {} categories for it "
        "(codes 0 to {}): list every category the model was trained with, in its code order",
        source, name, max_code,
        coding.order == "pandas_categorical" ? "the model's pandas_categorical lists"
                                             : options.schema_name + " lists",
        coding.categories.size(), coding.categories.size() - 1);
  }
  return coding;
}

}  // namespace

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
  nlohmann::json codings = nlohmann::json::array();
  for (size_t i = 0; i < names.size(); ++i) {
    FeatureSpec spec;
    spec.name = names[i];
    spec.kind = file_features[i].categorical ? FeatureSpec::Kind::kCategorical
                                             : FeatureSpec::Kind::kNumeric;
    spec.source_kind = ColumnKind::kNumeric;
    const ColumnSchema* col = nullptr;
    if (user != nullptr) {
      col = user->Find(names[i]);
      if (col == nullptr) {
        return Status::InvalidArgument("{} uses feature '{}', which the schema does not have",
                                       source, names[i]);
      }
      spec.source_kind = col->kind;
    }
    if (spec.kind == FeatureSpec::Kind::kCategorical) {
      ImportedFeature file = file_features[i];
      file.name = names[i];
      const int64_t max_code = MaxSplitCode(model->forest, i);
      KEEL_ASSIGN_OR_RETURN(Coding coding, DecideCoding(file, col, max_code, options, source));
      spec.categories = coding.categories;
      codings.push_back({{"feature", names[i]},
                         {"order", coding.order},
                         {"categories", coding.categories.size()},
                         {"max_code", max_code}});
    }
    if (user == nullptr) {
      // Without names for a categorical feature's codes, they arrive as numbers.
      const bool named_codes = !spec.categories.empty();
      model->schema.columns.push_back(
          {.name = names[i],
           .kind = named_codes ? ColumnKind::kCategorical : ColumnKind::kNumeric,
           .role = Role::kFeature,
           .categories = spec.categories});
      if (named_codes) spec.source_kind = ColumnKind::kCategorical;
    }
    model->features.push_back(std::move(spec));
  }
  model->sections["import"]["categorical"] = std::move(codings);
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
