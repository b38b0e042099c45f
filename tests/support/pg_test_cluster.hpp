#pragma once
// A throw-away PostgreSQL cluster of one's own (scripts/pg-test-cluster.sh), for runs that take
// the server down and up again (the shared cluster of scripts/test.sh serves other tests at the
// same time) and for benches that need one without a test runner. No GoogleTest here.
//
// start() prints nothing and keeps the folder and DSN; down() stops the server (clients see
// their connections end and new ones refused), up() starts it again on the same socket;
// the destructor stops it and removes the folder.

#include <cstdio>
#include <regex>
#include <string>

#include "support/process.hpp"

namespace ccteams::testing {

class PgTestCluster {
 public:
  // script: the path of scripts/pg-test-cluster.sh.
  explicit PgTestCluster(std::string script) : script_(std::move(script)) {}
  ~PgTestCluster() {
    if (!dir_.empty()) (void)run("stop");
  }
  PgTestCluster(const PgTestCluster&) = delete;
  PgTestCluster& operator=(const PgTestCluster&) = delete;

  // "" when it runs; otherwise what the script said.
  std::string start() {
    ChildProcess p({"/bin/bash", script_, "start"});
    const auto status = p.wait_exit(std::chrono::seconds(120));
    const std::string out = p.output();
    std::smatch m;
    if (status != 0 || !std::regex_search(out, m, std::regex("CCTEAMS_TEST_PG_DIR=(\\S+)"))) {
      return "pg-test-cluster.sh start failed: " + out;
    }
    dir_ = m[1];
    if (!std::regex_search(out, m, std::regex("CCTEAMS_TEST_PG_DSN='([^']+)'"))) {
      return "no DSN in: " + out;
    }
    dsn_ = m[1];
    return {};
  }
  bool down() { return run("down"); }
  bool up() { return run("up"); }

  const std::string& dsn() const { return dsn_; }
  const std::string& dir() const { return dir_; }

 private:
  bool run(const char* what) {
    ChildProcess p({"/bin/bash", script_, what, dir_});
    return p.wait_exit(std::chrono::seconds(60)) == 0;
  }

  std::string script_;
  std::string dir_;
  std::string dsn_;
};

}  // namespace ccteams::testing
