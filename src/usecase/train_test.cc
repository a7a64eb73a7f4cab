#include "usecase/train.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace keel::usecase {
namespace {

// A CSV file of `rows` rows (a numeric, a categorical and a binary target) in the temp folder,
// removed at the end of the test.
class TrainingFile {
 public:
  explicit TrainingFile(int rows)
      : path_((std::filesystem::temp_directory_path() /
               ("train_usecase." + std::to_string(::getpid()) + ".csv"))
                  .string()) {
    std::ofstream out(path_);
    out << "x,plan,label\n";
    for (int i = 0; i < rows; ++i) {
      const double x = (i * 37 % 101) / 10.0;
      const char* plan = i % 3 == 0 ? "basic" : i % 3 == 1 ? "pro" : "team";
      out << x << ',' << plan << ',' << ((x > 5) != (i % 7 == 0) ? "yes" : "no") << '\n';
    }
  }
  ~TrainingFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The file as a table in memory, as ReadInput reads it.
TrainingTable ReadIntoMemory(const DataInput& input, std::string name, const Context& ctx) {
  Result<IngestResult> read = ReadInput(input, ctx);
  EXPECT_TRUE(read.ok());
  TrainingTable data;
  if (!read.ok()) return data;
  data.table = std::move(read->table);
  data.schema = std::move(read->schema);
  data.name = std::move(name);
  return data;
}

TEST(TrainUseCase, ATableInMemoryTrainsTheModelItsFileTrains) {
  TrainingFile file(300);
  const Context ctx = Context().Quiet();
  TrainRequest request;
  request.input.path = file.path();
  request.target = "label";
  request.params.num_trees = 10;
  Result<TrainModelResult> from_file = TrainModel(request, ctx);
  ASSERT_TRUE(from_file.ok()) << from_file.status().message();

  TrainingTable data = ReadIntoMemory(request.input, "the test's table", ctx);
  data.lineage = {{"source", "memory"}};
  TrainRequest in_memory = request;
  in_memory.input.path = "/nonexistent/not-read.csv";  // TrainModelOnTable does not read it
  Result<TrainModelResult> from_table = TrainModelOnTable(in_memory, std::move(data), ctx);
  ASSERT_TRUE(from_table.ok()) << from_table.status().message();

  // The metrics are recomputed from each model through the predictor: equal metrics of every
  // split and equal forests mean the same predictions.
  EXPECT_EQ(from_table->model.sections.at("metrics"), from_file->model.sections.at("metrics"));
  ASSERT_EQ(from_table->model.forest.trees.size(), from_file->model.forest.trees.size());
  EXPECT_EQ(from_table->ToJson()["splits"], from_file->ToJson()["splits"]);

  const nlohmann::json& file_data = from_file->model.sections.at("lineage")["data"];
  EXPECT_EQ(file_data["path"], file.path());
  EXPECT_EQ(file_data["sha256"].get<std::string>().size(), 64u);
  const nlohmann::json& table_data = from_table->model.sections.at("lineage")["data"];
  EXPECT_EQ(table_data, (nlohmann::json{{"source", "memory"}, {"rows", 300}}));
}

TEST(TrainUseCase, ErrorsNameTheTableInMemory) {
  TrainingFile file(50);
  const Context ctx = Context().Quiet();
  TrainRequest request;
  request.input.path = file.path();
  request.target = "label";
  TrainingTable data = ReadIntoMemory(request.input, "the DataFrame", ctx);
  request.sensitive = {"gender"};
  Result<TrainModelResult> r = TrainModelOnTable(request, std::move(data), ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'gender' is not in the DataFrame"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace keel::usecase
