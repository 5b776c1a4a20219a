// Blocking one-shot HTTP over loopback (Boost.Beast), for tests that need many requests at
// once from their own threads, or the raw headers of an answer.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <string>

namespace imchat::testing {

struct RawReply {
  int status = 0;  // 0: no answer
  std::string body;
  std::string retry_after;
  double ms = 0;  // from connect to the whole answer
};

inline RawReply raw_http(uint16_t port, boost::beast::http::verb method, const std::string& target,
                         const std::string& body = {}, const std::string& token = {}) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  const auto start = std::chrono::steady_clock::now();
  RawReply out;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(30));
  beast::error_code ec;
  stream.socket().connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return out;
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  http::write(stream, req, ec);
  if (ec) return out;
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) return out;
  out.status = res.result_int();
  out.body = res.body();
  out.retry_after = std::string(res[http::field::retry_after]);
  out.ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace imchat::testing
