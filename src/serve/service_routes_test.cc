// The route table is the documentation's: docs/serving.md lists every route the service
// answers, with the method and the path pattern exactly as the table declares them.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "serve/service.h"

namespace keel::serve {
namespace {

TEST(ServiceRoutes, EveryRouteIsInServingMd) {
  std::ifstream f(std::string(KEEL_SOURCE_DIR) + "/docs/serving.md");
  ASSERT_TRUE(f.good());
  std::stringstream doc;
  doc << f.rdbuf();
  std::set<std::string_view> labels;
  for (const RouteInfo& r : Service::Routes()) {
    const std::string row = "| " + std::string(r.method) + " | `" + std::string(r.pattern) + "` |";
    EXPECT_NE(doc.str().find(row), std::string::npos) << row << " is not in docs/serving.md";
    EXPECT_TRUE(labels.insert(RouteName(r.route)).second) << "two rows for " << RouteName(r.route);
  }
  EXPECT_EQ(labels.size(), kNumRoutes - 1);  // every route but kOther has its row
}

}  // namespace
}  // namespace keel::serve
