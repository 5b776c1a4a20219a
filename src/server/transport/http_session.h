// HttpSession: one object per TCP connection (Boost.Beast's session pattern). Reads a
// request, asks the Router, writes the response, repeats while keep-alive; one write in
// flight at a time. Idle connections time out.
#pragma once

#include <functional>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>

#include "server/api/http_types.h"
#include "server/transport/connection_limits.h"
#include "server/transport/router.h"

namespace imchat::server {

// A connection handed from the HTTP session to the WebSocket side, with what it knows.
struct Upgrade {
  boost::beast::tcp_stream stream;
  Request request;
  std::string remote;       // "address:port", for the log
  std::string address;      // the client's address (a trusted proxy's X-Forwarded-For)
  OpenCounts::Lease lease;  // its place among the open connections
};

// Takes over a connection whose request asked to become a WebSocket.
using UpgradeHandler = std::function<void(Upgrade upgrade)>;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, const Router& router,
              const UpgradeHandler& on_upgrade, OpenCounts::Lease lease);
  void run();

 private:
  void do_read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  void write(const std::string& method, const std::string& target, Response response);
  void refuse(http::status status, const std::string& message);
  void on_write(bool keep_alive, boost::beast::error_code ec, size_t bytes);
  void do_close();
  void drain_then_close();
  void do_drain();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<void> response_;  // keeps the message alive while it is written
  const Router& router_;
  const UpgradeHandler& on_upgrade_;
  std::chrono::steady_clock::time_point started_;
  std::string remote_;   // address:port, for the log
  std::string address_;  // the peer's address
  OpenCounts::Lease lease_;
  std::vector<char> drain_buffer_;
  size_t drained_ = 0;
};

}  // namespace imchat::server
