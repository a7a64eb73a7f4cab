#include "registry/registry.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/hash.h"
#include "model/model_io.h"
#include "registry/registry_test_backends.h"

namespace keel::registry {
namespace {

using testing::Backend;
using testing::BackendTest;

// A one-split binary model; `leaf` makes artifacts of different versions differ.
std::string Artifact(double leaf) {
  Model m;
  m.features.push_back({"x", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
  m.schema.columns.push_back({.name = "x"});
  m.schema.columns.push_back({.name = "y", .role = Role::kTarget});
  m.target = "y";
  Tree t;
  t.nodes.resize(3);
  t.nodes[0].left = 1;
  t.nodes[0].right = 2;
  t.nodes[0].feature = 0;
  t.nodes[0].threshold = 0.5;
  t.nodes[0].cover = 2;
  t.nodes[1].value = -leaf;
  t.nodes[1].cover = 1;
  t.nodes[2].value = leaf;
  t.nodes[2].cover = 1;
  m.forest.trees.push_back(t);
  m.sections["lineage"] = {{"data", {{"sha256", "abc123"}, {"rows", 10}}},
                           {"parameters", {{"max_depth", 3}}}};
  m.sections["metrics"] = {{"test", {{"auc", 0.75}}}};
  return SerializeModel(m);
}

class RegistryTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto r = Registry::Open(location_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    reg_ = std::move(*r);
  }
  ModelVersion Add(const std::string& name, double leaf) {
    auto v = reg_->Add(name, Artifact(leaf), "/models/" + name + ".keel", {"alice", "new"});
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : ModelVersion{};
  }
  Stage StageOf(const std::string& name, int64_t version) {
    auto v = reg_->Show({name, version});
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? v->stage : Stage::kNone;
  }
  std::unique_ptr<Registry> reg_;
};

TEST_P(RegistryTest, AddNumbersVersionsPerNameAndStoresSha256) {
  const std::string bytes = Artifact(1.0);
  auto v1 = reg_->Add("churn", bytes, "churn.keel", {"alice", "first"});
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->sha256, ToHex(Sha256(bytes)));
  EXPECT_EQ(v1->stage, Stage::kNone);
  EXPECT_EQ(Add("churn", 2.0).version, 2);
  EXPECT_EQ(Add("fraud", 1.0).version, 1);
  auto all = reg_->List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].name, "churn");
  EXPECT_EQ((*all)[2].name, "fraud");
  auto art = reg_->Artifact("churn", 1);
  ASSERT_TRUE(art.ok()) << art.status().ToString();
  EXPECT_EQ(*art, bytes);  // byte-exact round trip through BLOB / BYTEA
}

TEST_P(RegistryTest, AddRefusesCorruptArtifactAndBadName) {
  std::string bytes = Artifact(1.0);
  bytes[bytes.size() / 2] ^= 0x5a;
  EXPECT_EQ(reg_->Add("m", bytes, "m.keel", {"a", ""}).status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(reg_->Add("m", "short", "m.keel", {"a", ""}).status().code(), StatusCode::kCorrupt);
  EXPECT_EQ(reg_->Add("bad name/../x", Artifact(1), "m.keel", {"a", ""}).status().code(),
            StatusCode::kInvalidArgument);
  auto all = reg_->List();
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->empty());
}

TEST_P(RegistryTest, ShowCarriesLineageMetricsAndSchema) {
  Add("churn", 1.0);
  auto v = reg_->Show({"churn", std::nullopt});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->metadata["lineage"]["data"]["sha256"], "abc123");
  EXPECT_EQ(v->metadata["lineage"]["parameters"]["max_depth"], 3);
  EXPECT_EQ(v->metadata["metrics"]["test"]["auc"], 0.75);
  EXPECT_EQ(v->metadata["target"], "y");
  EXPECT_TRUE(v->metadata["schema"].is_object() || v->metadata["schema"].is_array());
  EXPECT_EQ(reg_->Show({"nope", std::nullopt}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(reg_->Show({"churn", 7}).status().code(), StatusCode::kNotFound);
}

TEST_P(RegistryTest, PromoteToProductionArchivesTheReplacedVersionAndRecordsParent) {
  Add("churn", 1.0);
  Add("churn", 2.0);
  auto t1 = reg_->Promote("churn", 1, Stage::kProduction, {"alice", "launch"});
  ASSERT_TRUE(t1.ok()) << t1.status().ToString();
  EXPECT_FALSE(t1->replaced_version.has_value());
  auto t2 = reg_->Promote("churn", 2, Stage::kProduction, {"bob", "better auc"});
  ASSERT_TRUE(t2.ok()) << t2.status().ToString();
  EXPECT_EQ(t2->replaced_version, 1);
  EXPECT_EQ(StageOf("churn", 1), Stage::kArchived);
  EXPECT_EQ(StageOf("churn", 2), Stage::kProduction);
  auto shown = reg_->Show({"churn", std::nullopt});  // no version: the production one
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->version, 2);
  EXPECT_EQ(shown->parent_version, 1);
  auto prod = reg_->ProductionVersions();
  ASSERT_TRUE(prod.ok());
  ASSERT_EQ(prod->size(), 1u);
  EXPECT_EQ((*prod)[0].version, 2);
}

TEST_P(RegistryTest, PromoteRefusesNoOpsAndUnknownVersions) {
  Add("churn", 1.0);
  ASSERT_TRUE(reg_->Promote("churn", 1, Stage::kStaging, {"a", ""}).ok());
  EXPECT_EQ(reg_->Promote("churn", 1, Stage::kStaging, {"a", ""}).status().code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(reg_->Promote("churn", 1, Stage::kProduction, {"a", ""}).ok());
  EXPECT_EQ(reg_->Promote("churn", 1, Stage::kStaging, {"a", ""}).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(reg_->Promote("churn", 9, Stage::kProduction, {"a", ""}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(reg_->Promote("churn", 1, Stage::kArchived, {"a", ""}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(RegistryTest, RollbackRestoresTheReplacedVersionRepeatedly) {
  for (int i = 1; i <= 3; ++i) Add("churn", i);
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(reg_->Promote("churn", i, Stage::kProduction, {"a", "v"}).ok());
  }
  auto r1 = reg_->Rollback("churn", {"carol", "latency regression"});
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  EXPECT_EQ(r1->version, 2);
  EXPECT_EQ(r1->replaced_version, 3);
  EXPECT_EQ(StageOf("churn", 3), Stage::kArchived);
  EXPECT_EQ(StageOf("churn", 2), Stage::kProduction);
  auto r2 = reg_->Rollback("churn", {"carol", "again"});
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  EXPECT_EQ(r2->version, 1);
  // Version 1 replaced nothing.
  EXPECT_EQ(reg_->Rollback("churn", {"carol", ""}).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(reg_->Rollback("ghost", {"carol", ""}).status().code(), StatusCode::kNotFound);
}

TEST_P(RegistryTest, ArchiveRefusesTheProductionVersion) {
  Add("churn", 1.0);
  Add("churn", 2.0);
  ASSERT_TRUE(reg_->Promote("churn", 1, Stage::kProduction, {"a", ""}).ok());
  EXPECT_EQ(reg_->Archive("churn", 1, {"a", ""}).status().code(), StatusCode::kFailedPrecondition);
  auto t = reg_->Archive("churn", 2, {"a", "abandoned"});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->from, Stage::kNone);
  EXPECT_EQ(StageOf("churn", 2), Stage::kArchived);
  EXPECT_EQ(reg_->Archive("churn", 2, {"a", ""}).status().code(), StatusCode::kFailedPrecondition);
}

TEST_P(RegistryTest, EventsRecordWhoWhenWhyInOrder) {
  const int64_t before = NowMicros();
  Add("churn", 1.0);
  Add("churn", 2.0);
  ASSERT_TRUE(reg_->Promote("churn", 1, Stage::kProduction, {"alice", "launch"}).ok());
  ASSERT_TRUE(reg_->Promote("churn", 2, Stage::kProduction, {"bob", "retrained"}).ok());
  ASSERT_TRUE(reg_->Rollback("churn", {"carol", "complaints"}).ok());
  auto events = reg_->Events("churn");
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 5u);
  const auto& e = *events;
  EXPECT_EQ(e[0].action, "add");
  EXPECT_EQ(e[2].action, "promote");
  EXPECT_EQ(e[2].actor, "alice");
  EXPECT_EQ(e[2].reason, "launch");
  EXPECT_EQ(e[3].replaced_version, 1);
  EXPECT_EQ(e[3].from_stage, "none");
  EXPECT_EQ(e[4].action, "rollback");
  EXPECT_EQ(e[4].actor, "carol");
  EXPECT_EQ(e[4].version, 1);
  EXPECT_EQ(e[4].from_stage, "archived");
  EXPECT_EQ(e[4].replaced_version, 2);
  for (size_t i = 0; i < e.size(); ++i) {
    EXPECT_GE(e[i].time_us, before);
    if (i > 0) {
      EXPECT_GT(e[i].id, e[i - 1].id);
    }
  }
  auto last = reg_->LastEventId();
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, e.back().id);
}

TEST_P(RegistryTest, EventTableIsAppendOnly) {
  Add("churn", 1.0);
  SqlDatabase& db = reg_->database();
  auto upd = db.Exec("UPDATE registry_events SET actor = 'mallory'");
  EXPECT_FALSE(upd.ok());
  EXPECT_NE(upd.status().message().find("append-only"), std::string::npos)
      << upd.status().ToString();
  auto del = db.Exec("DELETE FROM registry_events");
  EXPECT_FALSE(del.ok());
  auto events = reg_->Events();
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].actor, "alice");
}

TEST_P(RegistryTest, ReopenKeepsEverything) {
  Add("churn", 1.0);
  ASSERT_TRUE(reg_->Promote("churn", 1, Stage::kProduction, {"a", ""}).ok());
  reg_.reset();
  auto again = Registry::Open(location_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto prod = (*again)->ProductionVersions();
  ASSERT_TRUE(prod.ok());
  ASSERT_EQ(prod->size(), 1u);
  EXPECT_EQ((*prod)[0].name, "churn");
}

TEST_P(RegistryTest, ConcurrentPromotionsLeaveOneProductionVersion) {
  for (int i = 1; i <= 6; ++i) Add("churn", i);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 1; i <= 6; ++i) {
    threads.emplace_back([&, i] {
      auto r = Registry::Open(location_);  // one connection per writer, as separate servers
      if (!r.ok() || !(*r)->Promote("churn", i, Stage::kProduction, {"t", ""}).ok()) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto all = reg_->List("churn");
  ASSERT_TRUE(all.ok());
  int production = 0;
  for (const auto& v : *all) production += v.stage == Stage::kProduction;
  EXPECT_EQ(production, 1);
  // The promotions form one chain: rolling back 5 times walks every version once.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(reg_->Rollback("churn", {"t", ""}).ok()) << i;
  EXPECT_FALSE(reg_->Rollback("churn", {"t", ""}).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, RegistryTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendName);

TEST(ModelRef, ParsesNameAndVersion) {
  auto a = ParseModelRef("churn@12");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "churn");
  EXPECT_EQ(a->version, 12);
  auto b = ParseModelRef("churn");
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->version.has_value());
  for (const char* bad : {"churn@", "churn@0", "churn@-1", "churn@1x", "@3", "a b", ""}) {
    EXPECT_FALSE(ParseModelRef(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace keel::registry
