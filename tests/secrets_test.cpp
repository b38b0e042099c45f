// Issue 23, secrets at rest: `serve` never makes up the key that seals secrets (it refuses to
// start and says what to provide); the demo keeps its own; what ccteams creates on disk is
// private to its user.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "demo_fixture.hpp"

namespace ccteams::testing {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 07777;  // no such file: matches no expected mode
  return st.st_mode & 0777;
}

// A config whose key variable is surely unset in the test's environment.
fs::path write_config(const fs::path& dir, const std::string& secrets) {
  const auto cfg = dir / "ccteams.toml";
  std::ofstream f(cfg);
  f << "[server]\nport = 0\n"
    << "[store]\npath = \"" << (dir / "ccteams.db").string() << "\"\n"
    << "[secrets]\nkey_env = \"CCTEAMS_TEST_KEY_NOBODY_SETS\"\n"
    << secrets;
  return cfg;
}

TEST(Secrets, ServeWithoutAnyKeyRefusesToStartAndSaysWhatToProvide) {
  const auto dir = make_temp_dir("ccteams-nokey");
  const auto cfg = write_config(dir, "");
  ChildProcess p({CCTEAMS_BINARY, "serve", "--config", cfg.string()});
  const auto status = p.wait_exit(std::chrono::seconds(30));
  ASSERT_TRUE(status.has_value()) << p.output();
  EXPECT_NE(*status, 0);
  const std::string out = p.output();
  for (const char* needle : {"secrets.key_file", "CCTEAMS_TEST_KEY_NOBODY_SETS", "secrets.key",
                             "ccteams secret generate", "umask 077"}) {
    EXPECT_NE(out.find(needle), std::string::npos) << needle << " not in: " << out;
  }
  EXPECT_FALSE(fs::exists(dir / "ccteams.db")) << "nothing is created before the key is found";
  fs::remove_all(dir);
}

TEST(Secrets, ServeWithAMissingKeyFileRefusesAndDoesNotCreateIt) {
  const auto dir = make_temp_dir("ccteams-nokeyfile");
  const auto key = dir / "secret.key";
  const auto cfg = write_config(dir, "key_file = \"" + key.string() + "\"\n");
  ChildProcess p({CCTEAMS_BINARY, "serve", "--config", cfg.string()});
  const auto status = p.wait_exit(std::chrono::seconds(30));
  ASSERT_TRUE(status.has_value()) << p.output();
  EXPECT_NE(*status, 0);
  const std::string out = p.output();
  EXPECT_NE(out.find("secrets.key_file"), std::string::npos) << out;
  EXPECT_NE(out.find(key.string() + " does not exist"), std::string::npos) << out;
  EXPECT_NE(out.find("ccteams secret generate > " + key.string()), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(key));
  fs::remove_all(dir);
}

TEST(Secrets, ServeRefusesAKeyFileOthersCanRead) {
  const auto dir = make_temp_dir("ccteams-loosekey");
  const auto key = dir / "secret.key";
  {
    ChildProcess gen({CCTEAMS_BINARY, "secret", "generate"});
    ASSERT_EQ(gen.wait_exit(std::chrono::seconds(30)), 0);
    std::ofstream(key) << gen.output();
  }
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  const auto cfg = write_config(dir, "key_file = \"" + key.string() + "\"\n");
  ChildProcess p({CCTEAMS_BINARY, "serve", "--config", cfg.string()});
  const auto status = p.wait_exit(std::chrono::seconds(30));
  ASSERT_TRUE(status.has_value()) << p.output();
  EXPECT_NE(*status, 0);
  EXPECT_NE(p.output().find("chmod 600"), std::string::npos) << p.output();
  fs::remove_all(dir);
}

TEST(Secrets, DemoMakesItsDataFolderKeyAndDatabasePrivate) {
  const auto parent = make_temp_dir("ccteams-private");
  const auto data = parent / "data";  // the demo creates it
  {
    DemoProcess demo(data, false);
    ASSERT_NE(demo.port(), 0);
    // A write, so that the WAL and its index exist.
    ASSERT_FALSE(demo.login("admin").empty());
    EXPECT_EQ(mode_of(data), 0700u);
    for (const char* name : {"secret.key", "ccteams.db", "ccteams.db-wal", "ccteams.db-shm"}) {
      EXPECT_EQ(mode_of(data / name), 0600u) << name;
    }
  }
  fs::remove_all(parent);
}

}  // namespace
}  // namespace ccteams::testing
