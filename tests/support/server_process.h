// ServerProcess: the real imchat-server binary as a child process on a free loopback port,
// for tests that must see what only a process shows — a kill -9 and a restart, exit codes —
// and for bench/server_load.
// The port is read from the "listening on" line it prints; waits use poll() on its pipe.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace imchat::testing {

// What else the child gets: a file for its log lines (stderr) instead of the test's, and a
// file-descriptor limit (RLIMIT_NOFILE, soft and hard) to run out of.
struct ProcessOptions {
  std::string log_file;
  int max_files = 0;
};

class ServerProcess {
 public:
  // args after the binary's name; the port is always 0 (a free one). quiet: its log lines
  // (stderr) go to /dev/null.
  ServerProcess(std::string binary, std::vector<std::string> args, bool quiet = false,
                ProcessOptions options = {}) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      if (quiet && !freopen("/dev/null", "w", stderr)) _exit(126);
      if (!options.log_file.empty() && !freopen(options.log_file.c_str(), "w", stderr)) _exit(126);
      if (options.max_files > 0) {
        rlimit files{static_cast<rlim_t>(options.max_files),
                     static_cast<rlim_t>(options.max_files)};
        if (setrlimit(RLIMIT_NOFILE, &files) != 0) _exit(125);
      }
      close(out[0]);
      close(out[1]);
      std::vector<std::string> all = {binary, "--port", "0"};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    stdout_ = out[0];
    read_url();
  }

  ~ServerProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_ >= 0) close(stdout_);
  }

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool started() const { return !url_.empty(); }
  pid_t pid() const { return pid_; }

  // From /proc: resident memory now and at its peak (KiB), and CPU time used (s).
  long rss_kib() const { return status_field("VmRSS:"); }
  long peak_rss_kib() const { return status_field("VmHWM:"); }
  double cpu_seconds() const {
    FILE* f = std::fopen(("/proc/" + std::to_string(pid_) + "/stat").c_str(), "r");
    if (!f) return -1;
    char buffer[1024] = {};
    const size_t n = std::fread(buffer, 1, sizeof buffer - 1, f);
    std::fclose(f);
    // After the command name in parentheses: state, then fields 4..; utime is 14, stime 15.
    const char* p = std::strrchr(buffer, ')');
    if (!p || n == 0) return -1;
    unsigned long utime = 0, stime = 0;
    if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) !=
        2)
      return -1;
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  const std::string& url() const { return url_; }
  uint16_t port() const {
    const auto colon = url_.rfind(':');
    return colon == std::string::npos ? 0
                                      : static_cast<uint16_t>(std::stoi(url_.substr(colon + 1)));
  }

  // Sends the signal and waits for the exit; the exit status (or -signal when killed).
  int stop(int signal) {
    if (pid_ <= 0 || exited_) return -1;
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return -1;
  }

 private:
  void read_url() {
    std::string seen;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{stdout_, POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (poll(&p, 1, static_cast<int>(std::max<int64_t>(1, left.count()))) <= 0) break;
      char buffer[512];
      const ssize_t n = read(stdout_, buffer, sizeof buffer);
      if (n <= 0) break;
      seen.append(buffer, static_cast<size_t>(n));
      const auto at = seen.find("listening on ");
      const auto end = at == std::string::npos ? at : seen.find('\n', at);
      if (end != std::string::npos) {
        url_ = seen.substr(at + 13, end - at - 13);
        return;
      }
    }
  }

  long status_field(const char* name) const {
    FILE* f = std::fopen(("/proc/" + std::to_string(pid_) + "/status").c_str(), "r");
    if (!f) return -1;
    char line[256];
    long value = -1;
    while (std::fgets(line, sizeof line, f)) {
      if (std::strncmp(line, name, std::strlen(name)) == 0)
        value = std::atol(line + std::strlen(name));
    }
    std::fclose(f);
    return value;
  }

  pid_t pid_ = -1;
  int stdout_ = -1;
  bool exited_ = false;
  std::string url_;
};

}  // namespace imchat::testing
