// The request contract check of hot reloads (request_contract.h) and how a slot applies it
// (ModelSlot::Replace / Reload in model_store.h).
#include "serve/request_contract.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "model/model_io.h"
#include "serve/model_store.h"
#include "serve/test_model.h"

namespace keel::serve {
namespace {

using nlohmann::json;

std::shared_ptr<const ServedModel> Served(Model m, const std::string& version = "v") {
  auto r = ServedModel::FromModel("tiny", std::move(m), version);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : nullptr;
}

json Changes(const Model& before, const Model& after) {
  return ContractChangesJson(CompareRequestContract(*Served(before), *Served(after)));
}

TEST(RequestContract, ANewArtifactOfTheSameShapeChangesNothing) {
  Model a = testing::TinyBinaryModel();
  Model b = testing::TinyBinaryModel();
  std::swap(b.forest.trees[0].nodes[1].value, b.forest.trees[0].nodes[2].value);
  b.features[1].categories.push_back("black");  // a new category keeps old requests valid
  EXPECT_EQ(Changes(a, b), json::array());
}

TEST(RequestContract, FeaturesAddedRemovedAndOfAnotherKindAreListed) {
  Model a = testing::TinyBinaryModel();
  Model b = testing::TinyBinaryModel();
  b.features[3].name = "joined";  // signup (unused by the trees) renamed
  b.schema.columns[5].name = "joined";
  b.features[2].source_kind = ColumnKind::kNumeric;       // active: boolean -> numeric
  b.features[1].categories = {"red", "green", "purple"};  // blue dropped
  EXPECT_EQ(Changes(a, b), json::parse(R"([
      {"kind": "categories_removed", "name": "color", "from": ["blue"]},
      {"kind": "feature_kind_changed", "name": "active", "from": "boolean", "to": "numeric"},
      {"kind": "feature_removed", "name": "signup", "from": "timestamp"},
      {"kind": "feature_added", "name": "joined", "to": "timestamp"}])"));
}

TEST(RequestContract, TaskClassesTargetIdAndFieldsAreListed) {
  const Model a = testing::TinyBinaryModel();
  EXPECT_EQ(Changes(a, testing::TinyRegressionModel()),
            json::parse(R"([{"kind": "task_changed", "from": "binary", "to": "regression"}])"));
  Model b = testing::TinyBinaryModel();
  b.labels.classes = {"stay", "leave"};
  b.schema.labels = b.labels;
  b.target = "left";
  b.schema.columns[6].name = "left";
  b.schema.columns.erase(b.schema.columns.begin());  // customer_id, the id column, is gone
  EXPECT_EQ(Changes(a, b), json::parse(R"([
      {"kind": "classes_changed", "from": ["no", "yes"], "to": ["stay", "leave"]},
      {"kind": "target_changed", "from": "churned", "to": "left"},
      {"kind": "id_column_changed", "from": "customer_id", "to": ""},
      {"kind": "field_removed", "name": "customer_id"},
      {"kind": "field_removed", "name": "churned"}])"));
  const std::string text = DescribeContractChanges(CompareRequestContract(*Served(a), *Served(b)));
  EXPECT_NE(text.find("classes [\"no\",\"yes\"] -> [\"stay\",\"leave\"]"), std::string::npos)
      << text;
  EXPECT_NE(text.find("field 'customer_id' no longer accepted"), std::string::npos) << text;
}

TEST(RequestContract, LongListsAreCutInTheDescription) {
  Model a = testing::TinyBinaryModel();
  for (int i = 0; i < 20; ++i) a.features[1].categories.push_back(fmt::format("c{}", i));
  Model b = testing::TinyBinaryModel();
  const auto changes = CompareRequestContract(*Served(a), *Served(b));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].from.size(), 20u);  // the JSON keeps every category
  EXPECT_NE(DescribeContractChanges(changes).find("... (12 more)]"), std::string::npos)
      << DescribeContractChanges(changes);
}

TEST(ModelSlotContract, ReplaceRefusesAContractChangeUnlessAllowed) {
  ModelSlot slot("tiny", "", Served(testing::TinyBinaryModel(), "1"));
  ModelSlot::ReloadResult r = slot.Replace(Served(testing::TinyRegressionModel(), "2"), false);
  EXPECT_FALSE(r.reloaded);
  EXPECT_EQ(r.previous_version, "1");
  EXPECT_EQ(r.version, "2");
  ASSERT_EQ(r.contract_changes.size(), 1u);
  EXPECT_EQ(r.contract_changes[0].kind, "task_changed");
  EXPECT_EQ(slot.Get()->version(), "1");  // the old model keeps serving
  EXPECT_EQ(slot.metrics().reloads_contract_refused.load(), 1u);
  EXPECT_EQ(slot.metrics().reloads_ok.load(), 0u);

  // The same shape goes through; so does a contract change when allowed.
  r = slot.Replace(Served(testing::TinyBinaryModel(), "3"), false);
  EXPECT_TRUE(r.reloaded);
  EXPECT_TRUE(r.contract_changes.empty());
  EXPECT_EQ(slot.Get()->version(), "3");
  r = slot.Replace(Served(testing::TinyRegressionModel(), "4"), true);
  EXPECT_TRUE(r.reloaded);
  EXPECT_EQ(r.contract_changes.size(), 1u);
  EXPECT_EQ(slot.Get()->version(), "4");
  EXPECT_EQ(slot.metrics().reloads_ok.load(), 2u);
  EXPECT_EQ(slot.metrics().reloads_contract_refused.load(), 1u);
}

TEST(ModelSlotContract, ReloadFromTheFileRefusesAContractChange) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("keel_contract_" + std::to_string(getpid())))
          .string();
  ASSERT_TRUE(SaveModel(testing::TinyBinaryModel(), path).ok());
  auto first = ServedModel::Load("tiny", path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ModelSlot slot("tiny", path, *first);
  ASSERT_TRUE(SaveModel(testing::TinyMulticlassModel(), path).ok());
  auto r = slot.Reload();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->reloaded);
  EXPECT_EQ(slot.Get()->model().task, Task::kBinary);
  r = slot.Reload(/*allow_contract_change=*/true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->reloaded);
  EXPECT_EQ(slot.Get()->model().task, Task::kMulticlass);
  std::filesystem::remove(path);

  // A slot without a file (a registry model) cannot be reloaded from one.
  ModelSlot registry_slot("tiny", "", *first);
  EXPECT_EQ(registry_slot.Reload().status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace keel::serve
