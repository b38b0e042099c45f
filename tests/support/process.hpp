#pragma once
// Runs the real ccteams binary as a child process for end-to-end tests. Its output is read
// continuously by a thread of ours: a child whose pipe filled up (64 KiB unread) would block
// in its next log line and look hung to the test.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace ccteams::testing {

class ChildProcess {
 public:
  // Starts program with args; stdout and stderr are captured (merged), stdin gets stdin_text.
  explicit ChildProcess(const std::vector<std::string>& argv, const std::string& stdin_text = {}) {
    int out[2], in[2];
    if (::pipe(out) != 0 || ::pipe(in) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, out[1], 2);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) {
      throw std::runtime_error("cannot start " + argv[0]);
    }
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(in[0]);
    out_fd_ = out[0];
    ::fcntl(out_fd_, F_SETFL, O_NONBLOCK);
    if (!stdin_text.empty()) {
      (void)!::write(in[1], stdin_text.data(), stdin_text.size());
    }
    ::close(in[1]);
    reader_ = std::thread([this] { read_loop(); });
  }
  ~ChildProcess() {
    if (pid_ > 0 && !exit_status_) {
      ::kill(pid_, SIGKILL);
      int st = 0;
      ::waitpid(pid_, &st, 0);
    }
    stop_ = true;
    if (reader_.joinable()) reader_.join();
    if (out_fd_ >= 0) ::close(out_fd_);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Waits until the output contains needle (true), or timeout or end of output (false).
  bool wait_for_output(const std::string& needle, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return changed_.wait_for(lock, timeout, [&] {
      return output_.find(needle) != std::string::npos || eof_;
    }) && output_.find(needle) != std::string::npos;
  }

  // Waits for the process to end; nullopt on timeout. The value is the exit status, or
  // 128+signal when killed by a signal.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_status_) {
      int st = 0;
      const pid_t r = ::waitpid(pid_, &st, WNOHANG);
      if (r == pid_) {
        exit_status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        std::unique_lock lock(mu_);  // what it wrote before it ended is all read
        changed_.wait_for(lock, std::chrono::seconds(5), [&] { return eof_; });
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
      ::usleep(20000);
    }
    return exit_status_;
  }

  void signal(int sig) { ::kill(pid_, sig); }
  pid_t pid() const { return pid_; }
  std::string output() {
    std::lock_guard lock(mu_);
    return output_;
  }

 private:
  void read_loop() {
    char buf[4096];
    while (!stop_) {
      pollfd p{out_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const auto n = ::read(out_fd_, buf, sizeof buf);
      if (n < 0) continue;  // EAGAIN or EINTR
      std::lock_guard lock(mu_);
      if (n == 0) {
        eof_ = true;
        changed_.notify_all();
        return;
      }
      output_.append(buf, static_cast<std::size_t>(n));
      changed_.notify_all();
    }
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::optional<int> exit_status_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::string output_;  // guarded by mu_
  bool eof_ = false;    // guarded by mu_
  std::atomic<bool> stop_{false};
  std::thread reader_;  // last: started when everything above exists
};

}  // namespace ccteams::testing
