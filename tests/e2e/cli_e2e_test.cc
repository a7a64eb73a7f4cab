// The command-line contract every subcommand keeps (DESIGN.md).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "keel_process.h"

namespace keel::e2e {
namespace {

TEST(Cli, VersionPrintsVersionAndGitHash) {
  auto r = RunKeel({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("keel 0."), std::string::npos);
  EXPECT_NE(r.out.find("git "), std::string::npos);
}

TEST(Cli, VersionJsonIsOneObjectOnStdout) {
  auto r = RunKeel({"version", "--json"});
  ASSERT_EQ(r.exit_code, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j.contains("version"));
  EXPECT_TRUE(j.contains("git"));
}

TEST(Cli, HelpListsCommands) {
  auto r = RunKeel({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("version"), std::string::npos);
}

TEST(Cli, UnknownCommandIsUsageError) {
  auto r = RunKeel({"no-such-command"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty());
}

TEST(Cli, NoCommandIsUsageError) {
  auto r = RunKeel({});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace keel::e2e
