#include "model/model_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>

#include "core/file_io.h"
#include "core/hash.h"
#include "model/byte_codec.h"
#include "model/random_model.h"

namespace keel {
namespace {

Model SmallModel() {
  RandomModelOptions o;
  o.num_trees = 3;
  o.max_depth = 3;
  o.num_features = 3;
  o.num_categorical = 1;
  RandomModelMaker maker(7);
  Model m = maker.Make(o);
  m.target = "churn";
  m.schema.columns.push_back({"id", ColumnKind::kString, Role::kId, {}, {}, {}, {}});
  m.schema.columns[0].min = -3.5;
  m.schema.columns[0].max_missing_rate = 0.25;
  m.schema.columns[0].description = "age in years";
  m.schema.columns[0].seen.count = 1000;
  m.schema.columns[0].seen.mean = 41.5;
  m.schema.labels.classes = {"no", "yes"};
  m.schema.labels.merge = {{"Y", "yes"}};
  m.schema.decimal = ',';
  m.features[2].categories = {"red", "green", "blue"};
  m.sections["lineage"] = {
      {"rows", 1200}, {"data_sha256", "ab12"}, {"created", "2024-05-01T00:00:00Z"}};
  m.sections["metrics"] = {{"auc", 0.8125}};
  return m;
}

// Field-by-field equality of everything the artifact stores.
void ExpectSameModel(const Model& a, const Model& b) {
  EXPECT_EQ(a.task, b.task);
  EXPECT_EQ(a.objective, b.objective);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.num_outputs, b.num_outputs);
  EXPECT_EQ(a.base_margin, b.base_margin);
  EXPECT_EQ(a.target, b.target);
  EXPECT_EQ(a.labels.classes, b.labels.classes);
  EXPECT_EQ(a.labels.merge, b.labels.merge);
  ASSERT_EQ(a.features.size(), b.features.size());
  for (size_t i = 0; i < a.features.size(); ++i) {
    EXPECT_EQ(a.features[i].name, b.features[i].name);
    EXPECT_EQ(a.features[i].kind, b.features[i].kind);
    EXPECT_EQ(a.features[i].categories, b.features[i].categories);
    EXPECT_EQ(a.features[i].source_kind, b.features[i].source_kind);
  }
  ASSERT_EQ(a.schema.columns.size(), b.schema.columns.size());
  for (size_t i = 0; i < a.schema.columns.size(); ++i) {
    const auto &x = a.schema.columns[i], &y = b.schema.columns[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.kind, y.kind);
    EXPECT_EQ(x.role, y.role);
    EXPECT_EQ(x.categories, y.categories);
    EXPECT_EQ(x.min, y.min);
    EXPECT_EQ(x.max, y.max);
    EXPECT_EQ(x.max_missing_rate, y.max_missing_rate);
    EXPECT_EQ(x.description, y.description);
    EXPECT_EQ(x.seen.count, y.seen.count);
    EXPECT_EQ(x.seen.distinct, y.seen.distinct);
    EXPECT_EQ(x.seen.missing_rate, y.seen.missing_rate);
    EXPECT_EQ(x.seen.mean, y.seen.mean);
  }
  EXPECT_EQ(a.schema.labels.classes, b.schema.labels.classes);
  EXPECT_EQ(a.schema.labels.merge, b.schema.labels.merge);
  EXPECT_EQ(a.schema.decimal, b.schema.decimal);
  ASSERT_EQ(a.forest.trees.size(), b.forest.trees.size());
  for (size_t t = 0; t < a.forest.trees.size(); ++t) {
    const Tree &x = a.forest.trees[t], &y = b.forest.trees[t];
    EXPECT_EQ(x.class_index, y.class_index);
    ASSERT_EQ(x.nodes.size(), y.nodes.size());
    for (size_t i = 0; i < x.nodes.size(); ++i) {
      const TreeNode &p = x.nodes[i], &q = y.nodes[i];
      EXPECT_EQ(p.left, q.left);
      EXPECT_EQ(p.right, q.right);
      EXPECT_EQ(p.feature, q.feature);
      EXPECT_EQ(std::memcmp(&p.threshold, &q.threshold, 8), 0);
      EXPECT_EQ(p.less_equal, q.less_equal);
      EXPECT_EQ(p.missing_rule, q.missing_rule);
      EXPECT_EQ(p.default_left, q.default_left);
      EXPECT_EQ(p.is_categorical, q.is_categorical);
      EXPECT_EQ(p.categories_left, q.categories_left);
      EXPECT_EQ(p.categories, q.categories);
      EXPECT_EQ(std::memcmp(&p.value, &q.value, 8), 0);
      EXPECT_EQ(p.cover, q.cover);
      EXPECT_EQ(p.gain, q.gain);
    }
  }
  EXPECT_EQ(a.sections, b.sections);
}

TEST(ModelIo, RoundTripKeepsEveryField) {
  const Model m = SmallModel();
  const std::string bytes = SerializeModel(m);
  auto back = DeserializeModel(bytes, "mem");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameModel(m, *back);
  // Writing it again gives the same bytes: the format is deterministic.
  EXPECT_EQ(SerializeModel(*back), bytes);
}

TEST(ModelIo, RoundTripLinearModel) {
  Model m;
  m.kind = Model::Kind::kLinear;
  m.objective = Objective::kMultiSoftmax;
  m.task = Task::kMulticlass;
  m.num_outputs = 2;
  m.base_margin = {0.1, -0.2};
  m.features.push_back({"a", FeatureSpec::Kind::kNumeric, {}, ColumnKind::kNumeric});
  m.linear.terms = {{0, LinearTerm::Kind::kNumeric, -1, 1.5, 2.0},
                    {0, LinearTerm::Kind::kMissingIndicator, -1, 0, 1}};
  m.linear.weights = {1, 2, 3, 4};
  m.linear.l2 = 0.01;
  auto back = DeserializeModel(SerializeModel(m), "mem");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->kind, Model::Kind::kLinear);
  EXPECT_EQ(back->linear.weights, m.linear.weights);
  EXPECT_EQ(back->linear.l2, 0.01);
  ASSERT_EQ(back->linear.terms.size(), 2u);
  EXPECT_EQ(back->linear.terms[0].center, 1.5);
  EXPECT_EQ(back->linear.terms[1].kind, LinearTerm::Kind::kMissingIndicator);
}

TEST(ModelIo, RoundTripKeepsTheLinkRegressionObjectives) {
  for (Objective o :
       {Objective::kRegLogistic, Objective::kPoisson, Objective::kGamma, Objective::kTweedie}) {
    Model m = SmallModel();
    m.objective = o;
    m.task = Task::kRegression;
    m.labels.classes.clear();
    m.base_margin = {std::log(1.5)};
    auto back = DeserializeModel(SerializeModel(m), "mem");
    ASSERT_TRUE(back.ok()) << ObjectiveName(o) << ": " << back.status().ToString();
    ExpectSameModel(m, *back);
  }
}

// The loss parameters survive a round trip; an alpha or power out of range is refused.
TEST(ModelIo, RoundTripKeepsQuantileAlphaAndTweediePower) {
  Model m = SmallModel();
  m.task = Task::kRegression;
  m.labels.classes.clear();
  m.objective = Objective::kQuantile;
  m.quantile_alpha = 0.9;
  auto back = DeserializeModel(SerializeModel(m), "mem");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->objective, Objective::kQuantile);
  EXPECT_EQ(back->quantile_alpha, 0.9);
  m.objective = Objective::kTweedie;
  m.tweedie_variance_power = 1.3;
  back = DeserializeModel(SerializeModel(m), "mem");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->tweedie_variance_power, 1.3);
  EXPECT_EQ(back->quantile_alpha, 0.5);  // not written for a tweedie model
  m.tweedie_variance_power = 2.5;
  EXPECT_FALSE(ValidateModel(m).ok());
  m.objective = Objective::kQuantile;
  m.quantile_alpha = 1;
  EXPECT_FALSE(ValidateModel(m).ok());
}

TEST(ModelIo, SaveAndLoadFile) {
  const std::string path =
      ::testing::TempDir() + "/model_io_test_" + std::to_string(getpid()) + ".keel";
  const Model m = SmallModel();
  ASSERT_TRUE(SaveModel(m, path).ok());
  auto back = LoadModel(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameModel(m, *back);
  std::remove(path.c_str());
  auto missing = LoadModel(path);
  EXPECT_EQ(missing.status().code(), StatusCode::kIoError);
}

TEST(ModelIo, SaveRefusesInvalidModel) {
  Model m = SmallModel();
  m.forest.trees[0].nodes[0].left = 99;
  const std::string path = ::testing::TempDir() + "/never_written.keel";
  EXPECT_FALSE(SaveModel(m, path).ok());
  EXPECT_FALSE(ReadFile(path).ok());
}

TEST(ModelIo, EveryTruncationIsRefusedWithAClearError) {
  const std::string bytes = SerializeModel(SmallModel());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = DeserializeModel(std::string_view(bytes).substr(0, n), "m.keel");
    ASSERT_FALSE(r.ok()) << "accepted a file cut to " << n << " bytes";
    EXPECT_NE(r.status().message().find("m.keel"), std::string::npos) << r.status().message();
    // The user is told the file is damaged, not that it is some other kind of file.
    EXPECT_NE(r.status().message().find("corrupt"), std::string::npos) << r.status().message();
    EXPECT_EQ(r.status().message().find("not a Keel model"), std::string::npos)
        << r.status().message();
  }
}

TEST(ModelIo, EveryFlippedBitIsRefused) {
  const std::string bytes = SerializeModel(SmallModel());
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ (1 << (i % 8)));
    auto r = DeserializeModel(bad, "m.keel");
    ASSERT_FALSE(r.ok()) << "accepted a flip at byte " << i;
  }
}

TEST(ModelIo, NotAModelFile) {
  auto r = DeserializeModel("tree,feature\n1,2\n", "data.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(r.status().message().find("not a Keel model"), std::string::npos);
}

// Builds artifacts section by section with correct checksums, to reach the decoders with
// hostile content.
class ArtifactBuilder {
 public:
  explicit ArtifactBuilder(uint32_t version = kModelFormatVersion) {
    out_.append("\x89KEEL\r\n\x1a", 8);
    ByteWriter w(&out_);
    w.U32(version);
    w.U32(0);
  }
  ArtifactBuilder& Add(const char* tag, uint32_t flags, std::string_view payload) {
    ByteWriter w(&out_);
    uint32_t t = 0;
    for (int i = 0; i < 4; ++i) t |= static_cast<uint32_t>(static_cast<uint8_t>(tag[i])) << (8 * i);
    w.U32(t);
    w.U32(flags);
    w.U64(payload.size());
    w.U64(FastHash(payload));
    w.Bytes(payload);
    return *this;
  }
  std::string Finish() const {
    std::string s = out_;
    const Sha256Digest d = Sha256(s);
    s.append("KEELSHA2", 8);
    s.append(reinterpret_cast<const char*>(d.data()), d.size());
    return s;
  }

 private:
  std::string out_;
};

// The sections of a real artifact, to reassemble with changes.
std::vector<std::pair<std::string, std::string>> SectionsOf(const std::string& bytes) {
  auto info = InspectArtifact(bytes, "mem");
  EXPECT_TRUE(info.ok());
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : info->sections) out.emplace_back(s.tag, bytes.substr(s.offset, s.length));
  return out;
}

TEST(ModelIo, UnknownOptionalSectionIsSkippedRequiredOneRefused) {
  const Model m = SmallModel();
  const auto sections = SectionsOf(SerializeModel(m));
  ArtifactBuilder ok;
  for (const auto& [tag, payload] : sections) ok.Add(tag.c_str(), tag == "SECT" ? 0 : 1, payload);
  ok.Add("FUTR", 0, "whatever a newer Keel writes");
  auto r = DeserializeModel(ok.Finish(), "m.keel");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectSameModel(m, *r);

  ArtifactBuilder bad;
  for (const auto& [tag, payload] : sections) bad.Add(tag.c_str(), 1, payload);
  bad.Add("FUTR", 1, "x");
  auto r2 = DeserializeModel(bad.Finish(), "m.keel");
  EXPECT_EQ(r2.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r2.status().message().find("FUTR"), std::string::npos);
}

TEST(ModelIo, NewerFormatVersionIsUnsupported) {
  auto r = DeserializeModel(ArtifactBuilder(kModelFormatVersion + 1).Finish(), "new.keel");
  EXPECT_EQ(r.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(r.status().message().find("newer"), std::string::npos);
}

TEST(ModelIo, HostileSectionsWithValidChecksumsAreRefused) {
  const auto sections = SectionsOf(SerializeModel(SmallModel()));
  std::string meta;
  for (const auto& [tag, payload] : sections) {
    if (tag == "META") meta = payload;
  }
  auto build = [&](std::string_view trees) {
    return ArtifactBuilder().Add("META", 1, meta).Add("TREE", 1, trees).Finish();
  };
  std::string huge;
  ByteWriter w(&huge);
  w.U32(0xffffffffu);  // four billion trees in a few bytes
  EXPECT_EQ(DeserializeModel(build(huge), "m").status().code(), StatusCode::kCorrupt);
  std::string nodes;
  ByteWriter w2(&nodes);
  w2.U32(1);
  w2.I32(0);
  w2.U32(0x10000000u);  // a tree claiming 268M nodes
  EXPECT_EQ(DeserializeModel(build(nodes), "m").status().code(), StatusCode::kCorrupt);
  std::string cyclic;
  ByteWriter w3(&cyclic);
  w3.U32(1);
  w3.I32(0);
  w3.U32(1);
  w3.I32(0);  // root's children are itself
  w3.I32(0);
  w3.I32(0);
  w3.F64(0.5);
  w3.U8(0);
  w3.U8(0);
  w3.F64(0);
  w3.F64(1);
  w3.F64(0);
  w3.U32(0);
  EXPECT_EQ(DeserializeModel(build(cyclic), "m").status().code(), StatusCode::kCorrupt);
  // Wrong JSON types in META.
  auto r = DeserializeModel(ArtifactBuilder().Add("META", 1, R"({"task": 3})").Finish(), "m");
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
  std::string deep(100000, '[');
  r = DeserializeModel(ArtifactBuilder().Add("META", 1, deep).Finish(), "m");
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(r.status().message().find("nested"), std::string::npos);
  // No META at all.
  r = DeserializeModel(ArtifactBuilder().Finish(), "m");
  EXPECT_EQ(r.status().code(), StatusCode::kCorrupt);
}

TEST(ModelIo, InspectListsSections) {
  const std::string bytes = SerializeModel(SmallModel());
  auto info = InspectArtifact(bytes, "m");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->format_version, kModelFormatVersion);
  EXPECT_EQ(info->file_size, bytes.size());
  EXPECT_EQ(info->sha256.size(), 64u);
  ASSERT_EQ(info->sections.size(), 4u);  // META, TREE, two SECT
  EXPECT_EQ(info->sections[0].tag, "META");
  EXPECT_TRUE(info->sections[0].required);
  EXPECT_EQ(info->sections[1].tag, "TREE");
  EXPECT_EQ(info->sections[2].tag, "SECT");
  EXPECT_FALSE(info->sections[2].required);
}

}  // namespace
}  // namespace keel
