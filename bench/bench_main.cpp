// imchat_bench: speed goals measured, printed as table rows "| name | value | unit | note |".
//  - wire mapping: encode/decode one chat message, decode a 500-message history page
//  - server: GET /api/health round trips over a loopback keep-alive connection
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "protocol/model_json.h"
#include "server/server.h"
#include "table_row.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace imchat;

using imchat::bench::row;

Message make_message(int i) {
  Message m;
  m.id = "msg_" + std::to_string(i);
  m.content = "This is message number " + std::to_string(i) +
              ", long enough to look like a real reply with **markdown** and `code`.";
  m.role = i % 2 ? MessageRole::kAssistant : MessageRole::kUser;
  m.conversation_id = "conv_1";
  if (i % 2) {
    MessageMetadata meta;
    meta.usage = Usage{120, 340, 460, 0.0012};
    meta.model = "gpt-4o-mini";
    meta.provider = "openai";
    meta.latency_ms = 900;
    meta.finish_reason = "stop";
    m.metadata = meta;
  }
  m.created_at = Timestamp{1763931600000 + i};
  return m;
}

template <typename F>
double seconds(F f) {
  const auto start = Clock::now();
  f();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void bench_wire() {
  constexpr int kCount = 20000;
  std::vector<std::string> encoded;
  encoded.reserve(kCount);
  const double enc = seconds([&] {
    for (int i = 0; i < kCount; ++i)
      encoded.push_back(protocol::dump_json(protocol::to_json(make_message(i))));
  });
  size_t ok = 0;
  const double dec = seconds([&] {
    for (const std::string& text : encoded) {
      auto json = protocol::parse_json(text);
      if (json && protocol::message_from_json(*json)) ++ok;
    }
  });
  row("message encode", enc / kCount * 1e6, "us", "to_json + dump, per message");
  row("message decode", dec / kCount * 1e6, "us",
      "parse + validate, per message (" + std::to_string(ok) + " ok)");

  std::string page = "{\"data\":[";
  for (int i = 0; i < 500; ++i)
    page += (i ? "," : "") + encoded[static_cast<size_t>(i)];
  page += "]}";
  double best = 1e9;
  for (int round = 0; round < 20; ++round) {
    best = std::min(best, seconds([&] {
                      auto json = protocol::parse_json(page);
                      for (const auto& item : (*json)["data"])
                        (void)protocol::message_from_json(item);
                    }));
  }
  row("decode 500-message page", best * 1e3, "ms",
      std::to_string(page.size() / 1024) + " KiB, best of 20");
}

void bench_server() {
  namespace http = boost::beast::http;
  server::Config config;
  config.port = 0;
  config.data_dir = std::filesystem::temp_directory_path() / "imchat-bench-data";
  server::Server srv(config);
  if (auto s = srv.start(); !s) {
    std::fprintf(stderr, "bench: %s\n", s.error().describe().c_str());
    return;
  }
  srv.run_in_background();
  boost::asio::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.connect(
      boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), srv.port()));
  boost::beast::flat_buffer buffer;
  constexpr int kRequests = 3000;
  std::vector<double> latencies;
  latencies.reserve(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    http::request<http::empty_body> req{http::verb::get, "/api/health", 11};
    req.set(http::field::host, "127.0.0.1");
    const auto start = Clock::now();
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    latencies.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::sort(latencies.begin(), latencies.end());
  row("GET /api/health p50", latencies[kRequests / 2], "us", "keep-alive, loopback, 3000 requests");
  row("GET /api/health p99", latencies[kRequests * 99 / 100], "us", "");
  srv.stop();
  std::filesystem::remove_all(config.data_dir);
}

}  // namespace

int main() {
  // The server logs a line per request on stderr; the table is what matters here.
  std::fflush(stdout);
  bench_wire();
  if (!std::freopen("/dev/null", "w", stderr)) return 1;
  bench_server();
  return 0;
}
