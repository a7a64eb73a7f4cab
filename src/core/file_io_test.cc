#include "core/file_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace keel {
namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (name + "." + std::to_string(::getpid())))
      .string();
}

TEST(FileIo, AtomicWriteThenReadBack) {
  const std::string p = TempPath("keel_file_io");
  ASSERT_TRUE(WriteFileAtomic(p, "hello\nworld").ok());
  auto r = ReadFile(p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "hello\nworld");
  auto m = MappedFile::Open(p);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->view(), "hello\nworld");
  std::filesystem::remove(p);
}

TEST(FileIo, MissingFileIsIoErrorNamingPath) {
  auto r = ReadFile("/nonexistent/keel/file.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
  EXPECT_NE(r.status().message().find("/nonexistent/keel/file.csv"), std::string::npos);
}

TEST(FileIo, AtomicWriteErrorsNameTheTargetNotTheTemporaryFile) {
  const std::string dir = TempPath("keel_no_such_folder");
  const std::string target = dir + "/model.keel";
  Status st = WriteFileAtomic(target, "x");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kIoError);
  EXPECT_NE(st.message().find(target), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("the folder " + dir + " does not exist"), std::string::npos)
      << st.message();
  EXPECT_EQ(st.message().find(".tmp."), std::string::npos) << st.message();
  // A target that is a folder: the rename fails, and the message still names the target.
  const std::string folder = TempPath("keel_target_is_a_folder");
  std::filesystem::create_directories(folder);
  st = WriteFileAtomic(folder, "x");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("cannot write " + folder + ":"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find(".tmp."), std::string::npos) << st.message();
  std::filesystem::remove_all(folder);
  EXPECT_EQ(WriteFileAtomic("", "x").code(), StatusCode::kInvalidArgument);
}

TEST(FileIo, EmptyFileMapsToEmptyView) {
  const std::string p = TempPath("keel_empty");
  ASSERT_TRUE(WriteFileAtomic(p, "").ok());
  auto m = MappedFile::Open(p);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->view().empty());
  std::filesystem::remove(p);
}

TEST(FileIo, DirectoryIsRefused) {
  EXPECT_FALSE(ReadFile("/tmp").ok());
  EXPECT_FALSE(MappedFile::Open("/tmp").ok());
}

}  // namespace
}  // namespace keel
