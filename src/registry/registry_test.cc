#include "registry/registry.h"

#include <gtest/gtest.h>

#include <filesystem>
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
  m.target = m.schema.columns.back().name;
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

// The same bytes under the same name used to make a second, identical version silently.
TEST_P(RegistryTest, AddRefusesAnArtifactTheNameAlreadyHoldsNamingItsVersion) {
  Add("churn", 1.0);
  Add("churn", 2.0);
  auto again = reg_->Add("churn", Artifact(1.0), "copy.keel", {"bob", ""});
  ASSERT_EQ(again.status().code(), StatusCode::kAlreadyExists) << again.status().ToString();
  EXPECT_NE(again.status().message().find("churn@1 (stage none) already holds this artifact"),
            std::string::npos)
      << again.status().message();
  auto all = reg_->List("churn");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);  // nothing added
  auto events = reg_->Events("churn");
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 2u);
  EXPECT_EQ(Add("fraud", 1.0).version, 1);  // another name may hold the same bytes
}

// A gate as `keel compare --json` writes it, with the verdict's two forms.
nlohmann::json Gate(bool ship) {
  return {{"verdict",
           {{"ship", ship ? "candidate" : "baseline"},
            {"ship_candidate", ship},
            {"reason", ship ? "gain 0.02, p = 0.001: ship the candidate"
                            : "gain 0.001 is not significant (p = 0.4): keep the baseline"}}}};
}

// Promoting to production a version whose gate says keep the baseline used to succeed.
TEST_P(RegistryTest, ProductionNeedsAnOverrideWhenTheGateSaysKeepTheBaseline) {
  auto v = reg_->Add("churn", Artifact(1.0), "c.keel", {"alice", ""}, "", {{"gate", Gate(false)}});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  auto refused = reg_->Promote("churn", 1, Stage::kProduction, {"bob", "ship it"});
  ASSERT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("keep the baseline"), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("--override-gate"), std::string::npos);
  EXPECT_EQ(StageOf("churn", 1), Stage::kNone);
  // Staging is not shipping: no override needed, and one given there is refused.
  ASSERT_TRUE(reg_->Promote("churn", 1, Stage::kStaging, {"bob", ""}).ok());
  EXPECT_EQ(reg_->Promote("churn", 1, Stage::kProduction, {"bob", "", ""}).status().code(),
            StatusCode::kFailedPrecondition);
  auto t = reg_->Promote("churn", 1, Stage::kProduction,
                         {"bob", "launch", "the new fairness constraint outweighs the gain"});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->gate_override, "the new fairness constraint outweighs the gain");
  EXPECT_EQ(StageOf("churn", 1), Stage::kProduction);
  auto again = Registry::Open(location_, RegistryAccess::kRead);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto events = (*again)->Events("churn");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ(events->back().gate_override, "the new fairness constraint outweighs the gain");
  EXPECT_EQ(events->back().reason, "launch");
  EXPECT_EQ((*events)[1].gate_override, "");

  // A gate that says ship needs no override, and refuses one (it would record a false story).
  ASSERT_TRUE(
      reg_->Add("churn", Artifact(2.0), "c2.keel", {"alice", ""}, "", {{"gate", Gate(true)}}).ok());
  EXPECT_EQ(reg_->Promote("churn", 2, Stage::kProduction, {"bob", "", "because"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(reg_->Promote("churn", 2, Stage::kProduction, {"bob", ""}).ok());
  // A gate without a verdict is not a gate: refused at add.
  EXPECT_EQ(reg_->Add("churn", Artifact(3.0), "c3.keel", {"alice", ""}, "",
                      {{"gate", {{"decision", "ship"}}}})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST(AttachedGate, ReadsEitherFormOfTheVerdict) {
  EXPECT_FALSE(AttachedGate(nlohmann::json::object()).attached);
  EXPECT_FALSE(AttachedGate({{"gate", {{"p_value", 0.1}}}}).attached);
  const GateVerdict keep = AttachedGate({{"gate", {{"verdict", {{"ship", "baseline"}}}}}});
  EXPECT_TRUE(keep.attached);
  EXPECT_FALSE(keep.ship_candidate);
  const GateVerdict ship = AttachedGate({{"gate", Gate(true)}});
  EXPECT_TRUE(ship.ship_candidate);
  EXPECT_EQ(ship.reason, "gain 0.02, p = 0.001: ship the candidate");
}

INSTANTIATE_TEST_SUITE_P(Backends, RegistryTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         testing::BackendName);

// Opening for reading or changing never creates a registry (a typo in --db used to leave an
// empty registry behind and answer as if it were a real one).
class RegistryAccessTest : public BackendTest {};

TEST_P(RegistryAccessTest, ReadAndWriteNeverCreate) {
  for (RegistryAccess access : {RegistryAccess::kRead, RegistryAccess::kWrite}) {
    auto r = Registry::Open(location_, access);
    ASSERT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
    EXPECT_NE(r.status().message().find("no registry at"), std::string::npos)
        << r.status().message();
  }
  if (GetParam() == Backend::kSqlite) {
    EXPECT_FALSE(std::filesystem::exists(location_)) << "a read created " << location_;
  } else {
    // The database exists but holds no registry: still nothing was created in it.
    auto db = OpenDatabase(location_);
    ASSERT_TRUE(db.ok());
    auto tables = (*db)->Exec(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()");
    ASSERT_TRUE(tables.ok()) << tables.status().ToString();
    EXPECT_EQ(tables->Int(0, 0), 0);
  }
  auto created = Registry::Open(location_, RegistryAccess::kCreate);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_TRUE((*created)->Add("churn", Artifact(1.0), "c.keel", {"a", ""}).ok());
  auto read = Registry::Open(location_, RegistryAccess::kRead);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  auto list = (*read)->List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);
  EXPECT_EQ((*read)->Add("churn", Artifact(2.0), "d.keel", {"a", ""}).status().code(),
            StatusCode::kFailedPrecondition);  // read access never writes
}

// A registry written by the previous layout (no gate_override) is read as it is and gains
// the column when opened for a change.
TEST_P(RegistryAccessTest, VersionOneRegistryIsReadThenUpgraded) {
  {
    auto db = OpenDatabase(location_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    const bool pg = GetParam() == Backend::kPostgres;
    const std::string big = pg ? "BIGINT" : "INTEGER";
    const std::string ddl =
        "CREATE TABLE registry_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO registry_meta VALUES ('schema_version', '1');"
        "CREATE TABLE registry_versions (name TEXT NOT NULL, version " +
        big + " NOT NULL, stage TEXT NOT NULL, sha256 TEXT NOT NULL, size_bytes " + big +
        " NOT NULL, source_path TEXT NOT NULL, artifact " + (pg ? "BYTEA" : "BLOB") +
        " NOT NULL, metadata TEXT NOT NULL, parent_version " + big + ", created_us " + big +
        " NOT NULL, created_by TEXT NOT NULL, note TEXT NOT NULL, PRIMARY KEY (name, version));"
        "CREATE TABLE registry_events (id " +
        (pg ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY") +
        ", time_us " + big +
        " NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, name TEXT "
        "NOT NULL, version " +
        big +
        " NOT NULL, from_stage TEXT, to_stage TEXT NOT NULL, "
        "replaced_version " +
        big +
        ", reason TEXT NOT NULL);"
        "INSERT INTO registry_events (time_us, actor, action, name, version, to_stage, reason) "
        "VALUES (1, 'old', 'add', 'churn', 1, 'none', 'before');";
    ASSERT_TRUE((*db)->ExecScript(ddl).ok());
  }
  auto read = Registry::Open(location_, RegistryAccess::kRead);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  auto events = (*read)->Events();
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].reason, "before");
  EXPECT_EQ((*events)[0].gate_override, "");
  read->reset();

  auto write = Registry::Open(location_, RegistryAccess::kWrite);
  ASSERT_TRUE(write.ok()) << write.status().ToString();
  ASSERT_TRUE(
      (*write)->Add("churn", Artifact(1.0), "c.keel", {"a", ""}, "", {{"gate", Gate(false)}}).ok());
  ASSERT_TRUE((*write)->Promote("churn", 1, Stage::kProduction, {"a", "", "needed"}).ok());
  events = (*write)->Events();
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ(events->back().gate_override, "needed");
}

INSTANTIATE_TEST_SUITE_P(Backends, RegistryAccessTest,
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
