#include "serve/registry_watcher.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "model/model_io.h"
#include "serve/test_model.h"

namespace keel::serve {
namespace {

class RegistryWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "keel-watch-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    location_ = dir_ + "/registry.db";
    auto r = registry::Registry::Open(location_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    reg_ = std::move(*r);
    Model a = testing::TinyBinaryModel();
    Model b = testing::TinyBinaryModel();
    b.forest.trees[0].nodes[1].value = -2.0;  // a different artifact
    for (const Model* m : {&a, &b}) {
      ASSERT_TRUE(reg_->Add("churn", SerializeModel(*m), "churn.keel", {"t", ""}).ok());
    }
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string ServedVersion(ModelStore& store) {
    ModelSlot* slot = store.Find("churn");
    return slot == nullptr ? "" : slot->Get()->version();
  }
  std::string dir_, location_;
  std::unique_ptr<registry::Registry> reg_;
};

TEST_F(RegistryWatcherTest, RefusesARegistryWithoutProductionVersions) {
  ModelStore store;
  auto w = RegistryWatcher::Open({location_}, &store);
  EXPECT_EQ(w.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(RegistryWatcherTest, FollowsPromotionsAndRollbacks) {
  ASSERT_TRUE(reg_->Promote("churn", 1, registry::Stage::kProduction, {"t", ""}).ok());
  ModelStore store;
  auto w = RegistryWatcher::Open({location_}, &store);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(ServedVersion(store), "1");
  auto none = (*w)->PollOnce();
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);

  ASSERT_TRUE(reg_->Promote("churn", 2, registry::Stage::kProduction, {"t", ""}).ok());
  auto one = (*w)->PollOnce();
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(*one, 1);
  EXPECT_EQ(ServedVersion(store), "2");
  // The new model really is the other artifact.
  EXPECT_EQ(store.Find("churn")->Get()->model().forest.trees[0].nodes[1].value, -2.0);

  ASSERT_TRUE(reg_->Rollback("churn", {"t", "bad"}).ok());
  ASSERT_TRUE((*w)->PollOnce().ok());
  EXPECT_EQ(ServedVersion(store), "1");
  EXPECT_EQ((*w)->stats().switches.load(), 2u);
}

TEST_F(RegistryWatcherTest, PollingThreadSwitchesWithoutBeingAsked) {
  ASSERT_TRUE(reg_->Promote("churn", 1, registry::Stage::kProduction, {"t", ""}).ok());
  ModelStore store;
  RegistryWatcherOptions o{location_, std::chrono::milliseconds(20), {}};
  auto w = RegistryWatcher::Open(o, &store);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  (*w)->StartPolling();
  ASSERT_TRUE(reg_->Promote("churn", 2, registry::Stage::kProduction, {"t", ""}).ok());
  for (int i = 0; i < 250 && ServedVersion(store) != "2"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(ServedVersion(store), "2");
  (*w)->Stop();
}

TEST_F(RegistryWatcherTest, ServedVersionsReportTheArtifactSha256) {
  ASSERT_TRUE(reg_->Promote("churn", 1, registry::Stage::kProduction, {"t", ""}).ok());
  ModelStore store;
  auto w = RegistryWatcher::Open({location_}, &store);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto v = reg_->Show({"churn", 1});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->sha256.size(), 64u);
  EXPECT_EQ(store.Find("churn")->Get()->sha256(), v->sha256);  // was empty
}

// A promoted version that changes the request contract (here: the task) is not served: the
// old version keeps serving, the refusal is counted, and it is not retried until the
// registry changes again.
TEST_F(RegistryWatcherTest, RefusesAPromotionThatChangesTheRequestContract) {
  ASSERT_TRUE(
      reg_->Add("churn", SerializeModel(testing::TinyRegressionModel()), "reg.keel", {"t", ""})
          .ok());  // churn@3
  ASSERT_TRUE(reg_->Promote("churn", 1, registry::Stage::kProduction, {"t", ""}).ok());
  ModelStore store;
  auto w = RegistryWatcher::Open({location_}, &store);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE(reg_->Promote("churn", 3, registry::Stage::kProduction, {"t", ""}).ok());
  auto polled = (*w)->PollOnce();
  ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  EXPECT_EQ(*polled, 0);
  EXPECT_EQ(ServedVersion(store), "1");
  EXPECT_EQ((*w)->stats().contract_refusals.load(), 1u);
  EXPECT_EQ(store.Find("churn")->metrics().reloads_contract_refused.load(), 1u);
  ASSERT_TRUE((*w)->PollOnce().ok());  // nothing changed: not tried again
  EXPECT_EQ((*w)->stats().contract_refusals.load(), 1u);

  // A compatible version promoted next is served.
  ASSERT_TRUE(reg_->Promote("churn", 2, registry::Stage::kProduction, {"t", ""}).ok());
  polled = (*w)->PollOnce();
  ASSERT_TRUE(polled.ok());
  EXPECT_EQ(*polled, 1);
  EXPECT_EQ(ServedVersion(store), "2");
}

TEST_F(RegistryWatcherTest, AllowContractChangeServesTheChangedVersion) {
  ASSERT_TRUE(
      reg_->Add("churn", SerializeModel(testing::TinyRegressionModel()), "reg.keel", {"t", ""})
          .ok());  // churn@3
  ASSERT_TRUE(reg_->Promote("churn", 1, registry::Stage::kProduction, {"t", ""}).ok());
  ModelStore store;
  RegistryWatcherOptions o{location_, std::chrono::milliseconds(1000), {}};
  o.allow_contract_change = true;
  auto w = RegistryWatcher::Open(o, &store);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE(reg_->Promote("churn", 3, registry::Stage::kProduction, {"t", ""}).ok());
  auto polled = (*w)->PollOnce();
  ASSERT_TRUE(polled.ok());
  EXPECT_EQ(*polled, 1);
  EXPECT_EQ(store.Find("churn")->Get()->model().task, Task::kRegression);
}

}  // namespace
}  // namespace keel::serve
