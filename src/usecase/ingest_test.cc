#include "usecase/ingest.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "usecase/schema_infer.h"

namespace keel::usecase {
namespace {

// A file in the temp folder, removed at the end of the test.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& text)
      : path_((std::filesystem::temp_directory_path() / (name + "." + std::to_string(::getpid())))
                  .string()) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

constexpr const char* kData =
    "id,plan,churn\n1,basic,no\n2,pro,yes\n3,basic,no\n4,pro,maybe\n5,basic,\n6,basic,x,y\n";

Context Quiet() {
  return Context().Quiet();
}

TEST(IngestUseCase, ReportsLabelsOfTheTargetAndFailsOnRejectsOnlyWhenAsked) {
  TempFile data("ingest_usecase.csv", kData);
  IngestRequest request;
  request.input.path = data.path();
  request.labels.target = "churn";
  request.labels.classes = "no,yes";
  auto r = Ingest(request, Quiet());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->data.report.rows_rejected, 1u);  // the record with a field too many
  EXPECT_FALSE(r->failed());
  ASSERT_TRUE(r->labels.has_value());
  const nlohmann::json labels = r->ToJson()["labels"];
  EXPECT_EQ(labels["class_rows"]["no"], 2);
  EXPECT_EQ(labels["class_rows"]["yes"], 1);
  EXPECT_EQ(labels["unseen_rows"], 1);
  EXPECT_EQ(labels["missing_rows"], 1);
  EXPECT_NE(r->ToText().find("labels of 'churn'"), std::string::npos) << r->ToText();

  request.fail_on_errors = true;
  auto failing = Ingest(request, Quiet());
  ASSERT_TRUE(failing.ok());
  EXPECT_TRUE(failing->failed());

  request.labels.target = "chrun";
  auto typo = Ingest(request, Quiet());
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("churn"), std::string::npos) << typo.status().message();
}

TEST(IngestUseCase, TheSchemasTargetAndLabelsAreTheDefault) {
  TempFile data("ingest_usecase_schema.csv", kData);
  TempFile schema("ingest_usecase_schema.yaml",
                  "version: 1\ncolumns:\n  - name: churn\n    kind: categorical\n"
                  "    role: target\n    labels: {classes: [no, yes, maybe]}\n");
  IngestRequest request;
  request.input.path = data.path();
  request.input.schema_path = schema.path();
  auto r = Ingest(request, Quiet());
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_TRUE(r->labels.has_value());
  EXPECT_EQ(r->labels->target, "churn");
  EXPECT_EQ(r->labels->mapping.classes, (std::vector<std::string>{"no", "yes", "maybe"}));
  // Classes given in the request win over the schema's.
  request.labels.classes = "no,yes";
  auto given = Ingest(request, Quiet());
  ASSERT_TRUE(given.ok()) << given.status().message();
  EXPECT_EQ(given->labels->mapping.classes, (std::vector<std::string>{"no", "yes"}));
}

TEST(IngestUseCase, LabelMappingComesFromTheRequestThenTheFallbackThenTheData) {
  const Column target = Column::Categorical("y", {0, 1, 1, 1}, {"a", "b"});
  LabelMapping fallback;
  fallback.classes = {"b", "a"};
  LabelRequest labels;
  auto inferred = ResolveLabelMapping(labels, target, nullptr);
  ASSERT_TRUE(inferred.ok());
  EXPECT_EQ(inferred->classes, (std::vector<std::string>{"b", "a"}));  // minority positive
  labels.positive = "b";
  EXPECT_EQ(ResolveLabelMapping(labels, target, nullptr)->classes,
            (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ResolveLabelMapping(labels, target, &fallback)->classes, fallback.classes);
  labels.classes = "a,b,c";
  EXPECT_EQ(ResolveLabelMapping(labels, target, &fallback)->classes,
            (std::vector<std::string>{"a", "b", "c"}));
}

TEST(SchemaInferUseCase, RolesTargetAndLabels) {
  TempFile data("schema_infer_usecase.csv", "id,flag,score\na,0,1.5\nb,1,2\nc,0,3\nd,0,4\n");
  SchemaInferRequest request;
  request.input.path = data.path();
  request.roles = {{"score", Role::kWeight}};
  request.labels.target = "flag";
  request.labels.positive = "1";
  auto r = InferSchema(request, Quiet());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->schema.Find("score")->role, Role::kWeight);
  EXPECT_EQ(r->schema.Find("flag")->role, Role::kTarget);
  EXPECT_EQ(r->schema.Find("flag")->kind, ColumnKind::kCategorical);  // labels, even 0/1
  EXPECT_EQ(r->schema.labels.classes, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(r->ToText(), r->yaml);
  request.roles = {{"nope", Role::kId}};
  EXPECT_EQ(InferSchema(request, Quiet()).status().code(), StatusCode::kNotFound);
  request.input.path = "-";
  EXPECT_EQ(InferSchema(request, Quiet()).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace keel::usecase
