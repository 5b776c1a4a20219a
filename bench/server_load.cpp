// server_load: the realtime gateway under load. Starts the real imchat-server binary on a
// loopback port, opens N WebSocket clients subscribed to shared conversations, has a few
// sender connections post messages at a fixed rate over the WebSocket, and measures on
// the receiving side: connections held, deliveries per second, send→delivery latency
// (p50/p99) and the server's resident memory per connection. One scenario per line.
//
// usage: server_load SERVER_BIN [scenario…]   scenarios: latency-1k, fanout-1k, hold-10k,
//                                              login-flood
// Prints markdown table rows (| name | value | unit | note |), like bench/run.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "protocol/json.h"
#include "support/server_process.h"
#include "table_row.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using protocol_json = imchat::protocol::Json;

const Clock::time_point kEpoch = Clock::now();
int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - kEpoch).count();
}

struct Scenario {
  const char* name;
  int receivers;       // subscribed connections
  int conversations;   // receivers are spread over these
  double sends_per_s;  // messages posted per second, all conversations together
  double seconds;      // measured window (after a warm-up second)
};

// --- the server process ------------------------------------------------------------------

// The real binary (tests/support/server_process.h starts it), its data in a temporary
// directory, and what /proc says about it.
struct LoadServer {
  std::filesystem::path data_dir;
  std::unique_ptr<imchat::testing::ServerProcess> process;
  pid_t pid = -1;
  uint16_t port = 0;

  bool start(const std::string& binary, std::vector<std::string> extra = {}) {
    data_dir = std::filesystem::temp_directory_path() /
               ("imchat-load-" + std::to_string(getpid()) + "-" + std::to_string(now_us()));
    std::filesystem::create_directories(data_dir);
    // The load comes from one address with a few accounts: the limits against abuse (per
    // address, per user) would refuse it, and are not what is measured.
    std::vector<std::string> args = {"--data-dir",
                                     data_dir.string(),
                                     "--write-burst",
                                     "1000000",
                                     "--writes-per-second",
                                     "1000000",
                                     "--guest",
                                     "on",
                                     "--auth-burst",
                                     "1000000",
                                     "--guest-burst",
                                     "1000000",
                                     "--max-connections",
                                     "0",
                                     "--max-connections-per-address",
                                     "0",
                                     "--max-sockets-per-user",
                                     "0",
                                     "--max-sockets-per-address",
                                     "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    // quiet: one log line per connection event is thousands here, and not what is measured.
    process = std::make_unique<imchat::testing::ServerProcess>(binary, args, true);
    pid = process->pid();
    port = process->port();
    return process->started();
  }

  // Resident set size in KiB, from /proc.
  long rss_kib() const {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    }
    return 0;
  }

  // CPU seconds used so far (user + system), from /proc/<pid>/stat.
  double cpu_seconds() const {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 2));
    std::string skip;
    for (int i = 3; i < 14; ++i)
      fields >> skip;
    double utime = 0, stime = 0;
    fields >> utime >> stime;
    return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

  void stop() {
    if (!process) return;
    process->stop(SIGTERM);
    process.reset();
    std::error_code ec;
    std::filesystem::remove_all(data_dir, ec);
  }
};

// --- setup over plain HTTP (blocking; not measured) -----------------------------------------

protocol_json http_call(uint16_t port, http::verb verb, const std::string& target,
                        const std::string& token, const protocol_json& body) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.is_null()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body.dump();
  }
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  auto parsed = imchat::protocol::parse_json(res.body());
  return parsed ? *parsed : protocol_json();
}

// --- the load -------------------------------------------------------------------------------

struct Stats {
  int64_t deliveries = 0;
  int64_t sent = 0;
  int64_t acked = 0;
  int subscribed = 0;
  int connected = 0;
  int failed = 0;
  bool measuring = false;
  std::vector<uint32_t> latencies_us;  // measured window only
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, Stats& stats, bool receiver)
      : ws_(io), stats_(stats), receiver_(receiver) {}

  void open(uint16_t port, const std::string& token, std::string subscribe_frame,
            std::function<void()> on_ready) {
    on_ready_ = std::move(on_ready);
    subscribe_ = std::move(subscribe_frame);
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(ws_).async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
        [self = shared_from_this(), token](beast::error_code ec) {
          if (ec) return self->fail();
          beast::get_lowest_layer(self->ws_).expires_never();
          self->ws_.set_option(
              websocket::stream_base::timeout::suggested(beast::role_type::client));
          self->ws_.async_handshake("127.0.0.1", "/ws?token=" + token,
                                    [self](beast::error_code ec) {
                                      if (ec) return self->fail();
                                      ++self->stats_.connected;
                                      if (!self->subscribe_.empty()) {
                                        self->send(self->subscribe_);
                                      } else {
                                        self->ready();
                                      }
                                      self->read();
                                    });
        });
  }

  void send(std::string text) {
    outbox_.push_back(std::move(text));
    if (!writing_) write_next();
  }

  void close() {
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().close(ec);
  }

 private:
  void fail() {
    ++stats_.failed;
    ready();
  }

  void ready() {
    if (on_ready_) std::exchange(on_ready_, nullptr)();
  }

  void write_next() {
    writing_ = true;
    ws_.async_write(asio::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      self->outbox_.pop_front();
                      if (ec || self->outbox_.empty()) {
                        self->writing_ = false;
                        return;
                      }
                      self->write_next();
                    });
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;
      self->on_frame(std::string_view(static_cast<const char*>(self->buffer_.data().data()),
                                      self->buffer_.size()));
      self->buffer_.consume(self->buffer_.size());
      self->read();
    });
  }

  // No JSON parsing here: at 100k deliveries a second the generator must stay cheap. The
  // message content is "t=<µs>", so each delivery carries its own send time.
  void on_frame(std::string_view text) {
    if (!subscribed_ && text.find("\"type\":\"subscribed\"") != text.npos) {
      subscribed_ = true;
      ++stats_.subscribed;
      ready();
    }
    if (!receiver_) {
      for (size_t at = text.find("\"type\":\"ack\""); at != text.npos;
           at = text.find("\"type\":\"ack\"", at + 1))
        ++stats_.acked;
      return;
    }
    static constexpr std::string_view kMarker = "\"content\":\"t=";
    const int64_t now = now_us();
    for (size_t at = text.find(kMarker); at != text.npos; at = text.find(kMarker, at + 1)) {
      ++stats_.deliveries;
      if (stats_.measuring) {
        const int64_t sent = std::strtoll(text.data() + at + kMarker.size(), nullptr, 10);
        stats_.latencies_us.push_back(static_cast<uint32_t>(std::max<int64_t>(0, now - sent)));
      }
    }
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  Stats& stats_;
  bool receiver_;
  bool subscribed_ = false;
  bool writing_ = false;
  std::deque<std::string> outbox_;
  std::string subscribe_;
  std::function<void()> on_ready_;
};

using imchat::bench::row;

double percentile(std::vector<uint32_t>& values, double p) {
  if (values.empty()) return 0;
  const size_t k = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
  std::nth_element(values.begin(), values.begin() + static_cast<long>(k), values.end());
  return values[k] / 1000.0;
}

bool run(const std::string& binary, const Scenario& s) {
  LoadServer server;
  if (!server.start(binary)) {
    std::fprintf(stderr, "server_load: the server did not start\n");
    return false;
  }
  // 100 guest users share every conversation; connections reuse their tokens (one user in
  // many tabs), so setup stays quick while the fan-out is real.
  std::vector<std::string> tokens, ids;
  for (int i = 0; i < 100; ++i) {
    auto r = http_call(server.port, http::verb::post, "/api/auth/guest", "", nullptr);
    tokens.push_back(r["data"]["token"]);
    ids.push_back(r["data"]["user"]["id"]);
  }
  std::vector<std::string> conversations;
  for (int c = 0; c < s.conversations; ++c) {
    protocol_json others(std::vector<std::string>(ids.begin() + 1, ids.end()));
    auto r = http_call(
        server.port, http::verb::post, "/api/conversations", tokens[0],
        {{"title", "load " + std::to_string(c)}, {"type", "GROUP"}, {"participantIds", others}});
    conversations.push_back(r["data"]["id"]);
  }
  const long rss_before = server.rss_kib();

  asio::io_context io;
  Stats stats;
  std::vector<std::shared_ptr<Connection>> receivers, senders;
  // Connect in waves: thousands of simultaneous SYNs would overflow the listen backlog
  // and measure the kernel's retry timer instead of the server.
  int next = 0, pending = 0;
  const int total = s.receivers;
  std::function<void()> open_more = [&] {
    while (pending < 200 && next < total) {
      const int i = next++;
      ++pending;
      auto c = std::make_shared<Connection>(io, stats, true);
      receivers.push_back(c);
      protocol_json sub = {{"type", "subscribe"},
                           {"channel", "Message:list:" + conversations[i % s.conversations]}};
      c->open(server.port, tokens[i % tokens.size()], sub.dump(), [&] {
        --pending;
        open_more();
      });
    }
  };
  open_more();
  while (stats.subscribed + stats.failed < total && io.run_one()) {
  }
  for (int c = 0; c < s.conversations; ++c) {
    auto sender = std::make_shared<Connection>(io, stats, false);
    senders.push_back(sender);
    bool ready = false;
    sender->open(server.port, tokens[0], "", [&] { ready = true; });
    while (!ready && io.run_one()) {
    }
  }
  const long rss_after = server.rss_kib();
  const int held = stats.connected;

  // Open-loop sending on a 1 ms tick, round robin over the conversations.
  asio::steady_timer tick(io);
  const auto start = Clock::now();
  const auto warm_end = start + std::chrono::seconds(1);
  const auto end = warm_end + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(s.seconds));
  int64_t window_deliveries_start = 0;
  double server_cpu_start = 0, own_cpu_start = 0;
  auto own_cpu = [] {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
           (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  };
  int64_t request = 0;
  std::function<void()> on_tick = [&] {
    const auto now = Clock::now();
    if (!stats.measuring && now >= warm_end) {
      stats.measuring = true;
      window_deliveries_start = stats.deliveries;
      server_cpu_start = server.cpu_seconds();
      own_cpu_start = own_cpu();
    }
    if (now >= end) return;
    const double elapsed = std::chrono::duration<double>(now - start).count();
    const auto due = static_cast<int64_t>(elapsed * s.sends_per_s);
    while (stats.sent < due) {
      const size_t c = static_cast<size_t>(stats.sent % s.conversations);
      protocol_json frame = {{"type", "send-message"},
                             {"requestId", std::to_string(++request)},
                             {"conversationId", conversations[c]},
                             {"content", "t=" + std::to_string(now_us())},
                             {"clientId", "load-" + std::to_string(request)}};
      senders[c]->send(frame.dump());
      ++stats.sent;
    }
    tick.expires_after(std::chrono::milliseconds(1));
    tick.async_wait([&](beast::error_code) { on_tick(); });
  };
  on_tick();
  while (Clock::now() < end && io.run_one()) {
  }
  stats.measuring = false;
  const int64_t window_deliveries = stats.deliveries - window_deliveries_start;
  const double server_cpu = (server.cpu_seconds() - server_cpu_start) / s.seconds;
  const double generator_cpu = (own_cpu() - own_cpu_start) / s.seconds;
  // Drain: every message sent should reach every receiver of its conversation.
  const int64_t per_conversation = s.receivers / s.conversations;
  const int64_t expected = stats.sent * per_conversation;
  const auto drain_end = Clock::now() + std::chrono::seconds(10);
  while (stats.deliveries < expected && Clock::now() < drain_end) {
    io.run_for(std::chrono::milliseconds(50));
  }
  const int64_t missing = expected - stats.deliveries;
  for (auto& c : receivers)
    c->close();
  for (auto& c : senders)
    c->close();
  io.run_for(std::chrono::milliseconds(200));
  server.stop();

  const std::string tag = std::string(s.name) + ": ";
  row(tag + "connections held", held, "conns",
      std::to_string(stats.failed) + " failed; " + std::to_string(s.conversations) +
          " conversations, " + std::to_string(static_cast<int>(s.sends_per_s)) + " sends/s");
  row(tag + "deliveries/s", window_deliveries / s.seconds, "msg/s",
      std::to_string(expected) + " due, " + std::to_string(std::max<int64_t>(0, missing)) +
          " missing after drain");
  row(tag + "send->delivery p50", percentile(stats.latencies_us, 0.50), "ms",
      std::to_string(stats.latencies_us.size()) + " samples");
  row(tag + "send->delivery p99", percentile(stats.latencies_us, 0.99), "ms", "");
  row(tag + "server CPU", server_cpu * 100, "%core",
      "load generator: " + std::to_string(static_cast<int>(generator_cpu * 100)) +
          " %core (2 cores in all)");
  row(tag + "server memory per connection",
      held > 0 ? static_cast<double>(rss_after - rss_before) / held : 0, "KiB",
      "RSS " + std::to_string(rss_before / 1024) + " -> " + std::to_string(rss_after / 1024) +
          " MiB");
  return missing <= 0 && stats.failed == 0;
}

// login-flood: 32 clients send wrong passwords as fast as they are answered (the per-address
// throttle raised out of the way, so every one reaches the KDF at its real cost), while one
// signed-in client asks GET /api/auth/me every 10 ms. Goal: /me p99 under 20 ms — the KDF
// runs on its own pool and the chat's workers stay free.
bool login_flood(const std::string& binary) {
  LoadServer server;
  if (!server.start(binary, {"--auth-per-minute", "1000000"})) return false;
  const auto guest = http_call(server.port, http::verb::post, "/api/auth/guest", "", nullptr);
  const std::string token = guest["data"]["token"];
  std::atomic<bool> stop{false};
  std::atomic<int64_t> refused{0}, busy{0}, throttled{0}, other{0};
  std::vector<std::thread> flood;
  for (int i = 0; i < 32; ++i) {
    flood.emplace_back([&, i] {
      for (int n = 0; !stop; ++n) {
        asio::io_context io;
        beast::tcp_stream stream(io);
        beast::error_code ec;
        stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port), ec);
        if (ec) continue;
        http::request<http::string_body> req{http::verb::post, "/api/auth/login", 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::content_type, "application/json");
        req.body() = protocol_json{{"email", "flood" + std::to_string(i) + "-" + std::to_string(n) +
                                                 "@example.com"},
                                   {"password", "not the password"}}
                         .dump();
        req.prepare_payload();
        http::write(stream, req, ec);
        beast::flat_buffer buffer;
        http::response<http::string_body> res;
        if (!ec) http::read(stream, buffer, res, ec);
        const int status = ec ? 0 : res.result_int();
        (status == 401 ? refused : status == 503 ? busy : status == 429 ? throttled : other)++;
      }
    });
  }
  std::vector<uint32_t> me_us;
  const double cpu_before = server.cpu_seconds();
  const auto end = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < end) {
    const int64_t start = now_us();
    const auto me = http_call(server.port, http::verb::get, "/api/auth/me", token, nullptr);
    if (!me.contains("data")) other++;
    me_us.push_back(static_cast<uint32_t>(now_us() - start));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const double cpu = server.cpu_seconds() - cpu_before;
  stop = true;
  for (auto& t : flood)
    t.join();
  server.stop();
  std::vector<uint32_t> sorted = me_us;
  std::sort(sorted.begin(), sorted.end());
  const double p99 = percentile(me_us, 0.99);
  row("login-flood /api/auth/me p50", percentile(me_us, 0.50), "ms",
      "32 clients sending wrong passwords (600k PBKDF2), 5 s");
  row("login-flood /api/auth/me p99", p99, "ms",
      std::string("goal <= 20; max ") + std::to_string(sorted.back() / 1000.0).substr(0, 5) +
          " ms");
  row("login-flood logins answered", static_cast<double>(refused + busy) / 5.0, "req/s",
      std::to_string(refused.load()) + " hashed and refused, " + std::to_string(busy.load()) +
          " answered busy (503) at once, " + std::to_string(throttled.load()) +
          " backed off (429); server " + std::to_string(cpu / 5 * 100).substr(0, 4) + " %core");
  return other == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: server_load SERVER_BIN [latency-1k|fanout-1k|hold-10k|login-flood]…\n");
    return 2;
  }
  // 10,000 sockets and more: take the hard limit (the server child inherits it).
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);

  const std::vector<Scenario> all = {
      {"latency-1k", 1000, 10, 200, 5},  // 1,000 clients, 100 per conversation
      {"fanout-1k", 1000, 1, 120, 5},    // 1,000 clients in one conversation
      {"hold-10k", 10000, 10, 50, 5},    // 10,000 clients, 1,000 per conversation
  };
  std::vector<std::string> wanted(argv + 2, argv + argc);
  bool ok = true;
  for (const auto& s : all) {
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), s.name) == wanted.end())
      continue;
    ok = run(argv[1], s) && ok;
  }
  if (wanted.empty() || std::find(wanted.begin(), wanted.end(), "login-flood") != wanted.end())
    ok = login_flood(argv[1]) && ok;
  return ok ? 0 : 1;
}
