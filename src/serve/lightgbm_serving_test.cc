// Imported LightGBM models served: the LightGBM 4.6.0 fixture rows (held-out and edge rows,
// values on thresholds written with 17 digits, model/lightgbm_fixture_cases.h) sent as JSON
// through the record route, the explain route and the Open Inference Protocol route answer
// LightGBM's own predictions within 1e-9 relative (and the explain route LightGBM's
// contributions within 1e-6). A float64 model must read the doubles
// sent, not their float rounding (which flips every split whose threshold lies within a
// float32 rounding of the value).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/lightgbm_fixture_cases.h"
#include "model/lightgbm_import.h"
#include "model/model_io.h"
#include "serve/http_exchange.h"
#include "serve/model_store.h"
#include "serve/service.h"

namespace keel::serve {
namespace {

namespace fx = lightgbm_fixtures;

class LightGBMServing : public ::testing::TestWithParam<fx::Case> {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() /
        ("keel_lightgbm_serving_test_" +
         std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" + GetParam().name);
    std::filesystem::create_directories(dir_);
    auto imported = ImportLightGBMFile(fx::Path(std::string(GetParam().name) + ".txt"));
    ASSERT_TRUE(imported.ok()) << imported.status().ToString();
    const std::string path = (dir_ / "lgb.keel").string();
    ASSERT_TRUE(SaveModel(*imported, path).ok());
    auto served = ServedModel::Load("lgb", path);
    ASSERT_TRUE(served.ok()) << served.status().ToString();
    model_ = *served;
    ASSERT_TRUE(model_->reads_doubles());
    ASSERT_TRUE(store_.Add("lgb", path, model_).ok());
    ServiceOptions o;
    o.max_instances = kChunk;
    service_ = std::make_unique<Service>(o, &store_, nullptr, &metrics_);
    service_->SetReady(true);
  }
  void TearDown() override {
    service_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // POSTs `body` to `target`; the reply's JSON (null on a non-200 answer, with a failure).
  nlohmann::json Post(std::string_view target, const std::string& body) {
    const std::string bytes = "POST " + std::string(target) +
                              " HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n" + body;
    nlohmann::json out;
    ServeConnectionBytes(bytes, HttpServerOptions{}, service_.get(), &metrics_,
                         [&](const ExchangedResponse& e) {
                           EXPECT_EQ(e.response->status, 200) << e.response->body;
                           if (e.response->status == 200) {
                             out = nlohmann::json::parse(e.response->body);
                           }
                         });
    return out;
  }

  // The value LightGBM gives as pred_o, from one instance's served values (ServedModel's
  // order: binary {1 - p, p}, multiclass per class, regression the value).
  double Served(const std::vector<double>& values, size_t o) const {
    return model_->model().task == Task::kBinary ? values[1] : values[o];
  }

  // Checks served values (rows x num_values) against LightGBM's, from row `first` on.
  void ExpectLightGBMs(const std::vector<std::vector<double>>& served, size_t first,
                       const char* route) {
    for (size_t r = 0; r < served.size(); ++r) {
      const std::vector<double>& w = want_[first + r];
      for (size_t o = 0; o < w.size(); ++o) {
        const double got = Served(served[r], o);
        EXPECT_LE(fx::RelativeError(got, w[o]), 1e-9)
            << route << " " << GetParam().name << " row " << first + r << " output " << o
            << ": keel " << got << " lightgbm " << w[o];
      }
    }
  }

  // The explain route's SHAP vectors against LightGBM's pred_contrib (1e-6 absolute, as
  // src/explain/lightgbm_fixture_test.cc), from row `first` on.
  void ExpectLightGBMContributions(const nlohmann::json& instances, size_t first) {
    const NumericCsv want =
        ReadNumericCsv(fx::Path(std::string(GetParam().name) + "_expected.csv"));
    const auto column = [&](const std::string& name) {
      const auto it = std::find(want.header.begin(), want.header.end(), name);
      EXPECT_NE(it, want.header.end()) << name;
      return static_cast<size_t>(it - want.header.begin());
    };
    const auto& features = model_->model().features;
    const size_t outputs = static_cast<size_t>(model_->model().num_outputs);
    for (size_t i = 0; i < instances.size(); ++i) {
      const nlohmann::json& shap = instances[i].at("shap");
      for (size_t o = 0; o < outputs; ++o) {
        const nlohmann::json& phi = outputs == 1 ? shap : shap.at(model_->class_names()[o]);
        for (size_t f = 0; f <= features.size(); ++f) {
          const bool bias = f == features.size();
          const double got = phi.at(bias ? std::string("bias") : features[f].name).get<double>();
          const std::string col = "contrib_" + std::to_string(o) + "_" +
                                  (bias ? std::string("bias") : std::to_string(f));
          const double w = want.rows[first + i][column(col)];
          EXPECT_LE(std::abs(got - w), 1e-6) << GetParam().name << " row " << first + i << " "
                                             << col << ": keel " << got << " lightgbm " << w;
        }
      }
    }
  }

  static constexpr size_t kChunk = 100;  // instances per request
  std::filesystem::path dir_;
  HttpMetrics metrics_;
  ModelStore store_;
  std::unique_ptr<Service> service_;
  std::shared_ptr<const ServedModel> model_;
  const TextCsv rows_ = fx::Rows(GetParam().name);
  const std::vector<std::vector<double>> want_ = fx::Predictions(GetParam().name);
};

TEST_P(LightGBMServing, RecordAndExplainRoutesAnswerLightGBMsPredictions) {
  const fx::Case c = GetParam();
  ASSERT_EQ(rows_.rows.size(), c.test_rows + c.edge_rows);
  ASSERT_EQ(want_.size(), rows_.rows.size());
  const auto& names = model_->value_names();
  for (size_t first = 0; first < rows_.rows.size(); first += kChunk) {
    const size_t n = std::min(kChunk, rows_.rows.size() - first);
    // Each value as the CSV writes it (17 significant digits), empty = null.
    std::string body = "{\"instances\":[";
    for (size_t r = first; r < first + n; ++r) {
      if (r > first) body += ',';
      body += '{';
      for (size_t j = 0; j < rows_.header.size(); ++j) {
        if (j > 0) body += ',';
        const std::string& cell = rows_.rows[r][j];
        body += "\"" + rows_.header[j] + "\":" + (cell.empty() ? "null" : cell);
      }
      body += '}';
    }
    body += "]}";
    for (const char* route : {"predict", "explain"}) {
      const nlohmann::json reply = Post(std::string("/v1/models/lgb/") + route, body);
      const nlohmann::json& instances =
          reply[std::string(route) == "predict" ? "predictions" : "explanations"];
      ASSERT_EQ(instances.size(), n) << reply.dump().substr(0, 500);
      std::vector<std::vector<double>> served;
      for (const auto& inst : instances) {
        std::vector<double> v;
        for (const std::string& name : names) v.push_back(inst.at(name).get<double>());
        served.push_back(std::move(v));
      }
      ExpectLightGBMs(served, first, route);
      if (std::string(route) == "explain") ExpectLightGBMContributions(instances, first);
    }
  }
}

TEST_P(LightGBMServing, InferenceProtocolMatrixAnswersLightGBMsPredictions) {
  const size_t nf = model_->num_features();
  // The metadata tells clients the model reads doubles: FP64 inputs.
  ServeConnectionBytes("GET /v2/models/lgb HTTP/1.1\r\n\r\n", HttpServerOptions{}, service_.get(),
                       &metrics_, [&](const ExchangedResponse& e) {
                         ASSERT_EQ(e.response->status, 200) << e.response->body;
                         const nlohmann::json meta = nlohmann::json::parse(e.response->body);
                         ASSERT_EQ(meta.at("inputs").size(), nf);
                         for (const auto& input : meta.at("inputs")) {
                           EXPECT_EQ(input.at("datatype"), "FP64") << input.dump();
                         }
                       });
  ASSERT_EQ(rows_.header.size(), nf);
  for (size_t first = 0; first < rows_.rows.size(); first += kChunk) {
    const size_t n = std::min(kChunk, rows_.rows.size() - first);
    std::string data;
    for (size_t r = first; r < first + n; ++r) {
      for (size_t j = 0; j < nf; ++j) {
        // Columns in the model's feature order (the metadata's).
        const std::string& name = model_->model().features[j].name;
        const size_t col = static_cast<size_t>(
            std::find(rows_.header.begin(), rows_.header.end(), name) - rows_.header.begin());
        ASSERT_LT(col, nf) << name;
        const std::string& cell = rows_.rows[r][col];
        if (!data.empty()) data += ',';
        data += cell.empty() ? "null" : cell;
      }
    }
    const std::string body = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP64\",\"shape\":[" +
                             std::to_string(n) + "," + std::to_string(nf) + "],\"data\":[" + data +
                             "]}]}";
    const nlohmann::json reply = Post("/v2/models/lgb/infer", body);
    const nlohmann::json* values = nullptr;
    for (const auto& out : reply.at("outputs")) {
      const std::string name = out.at("name");
      if (name == "probabilities" || name == "prediction") values = &out.at("data");
    }
    ASSERT_NE(values, nullptr) << reply.dump().substr(0, 500);
    const size_t nv = model_->num_values();
    ASSERT_EQ(values->size(), n * nv);
    std::vector<std::vector<double>> served(n);
    for (size_t i = 0; i < n * nv; ++i) served[i / nv].push_back((*values)[i].get<double>());
    ExpectLightGBMs(served, first, "infer");
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LightGBMServing, ::testing::ValuesIn(fx::Cases()),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace keel::serve
