// imchat-server: REST, the WebSocket gateway and the web client's static files on one port.
#include <sys/resource.h>
#include <sys/stat.h>

#include <boost/asio/signal_set.hpp>

#include <cstdio>

#include "model/version.h"
#include "server/log.h"
#include "server/server.h"

int main(int argc, char** argv) {
  using namespace imchat::server;
  auto parsed = parse_args(argc, argv, process_env);
  if (!parsed) {
    std::fprintf(stderr, "imchat-server: %s\n%s", parsed.error().message.c_str(), help_text());
    return 2;
  }
  if (parsed->show_help) {
    std::fputs(help_text(), stdout);
    return 0;
  }
  // What the server creates (the database, its journal, the secret) is its user's alone.
  ::umask(0077);
  // Every connection is a file descriptor: take all the kernel allows this process (the
  // soft limit is often 1024), so the connection caps, not EMFILE, decide.
  if (rlimit files{}; ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &files);
  }
  Server server(parsed->config);
  if (auto started = server.start(); !started) {
    std::fprintf(stderr, "imchat-server: %s\n", started.error().describe().c_str());
    return 1;
  }
  // Signals are handled on a tiny io_context of their own so stop() runs outside a handler.
  boost::asio::io_context signals_io;
  boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    log_event("info", "shutdown", {{"signal", std::to_string(signal)}});
    server.stop();
  });
  std::thread signal_thread([&] { signals_io.run(); });

  log_event("info", "listening", {{"url", server.url()}, {"version", imchat::kVersion}});
  std::printf("imchat %s listening on %s\n", imchat::kVersion, server.url().c_str());
  std::fflush(stdout);
  server.run();

  signals_io.stop();
  signal_thread.join();
  log_event("info", "stopped");
  return 0;
}
