// WsSession: one WebSocket connection on /ws (Boost.Beast's session pattern): the bytes.
// A read loop hands each frame to its WsApi (what frames mean), and a bounded queue with
// one write in flight takes what goes out. A frame goes out at once when the connection has
// been quiet for a flush interval (16 ms); frames due within one interval of the last write
// wait for its end and leave together as one {"type":"batch"} frame (at most 64 frames and
// kMaxBatchBytes). A lone frame is never delayed; a burst costs one frame per interval.
//
// Limits: the queue is bounded in bytes (kMaxQueuedBytes) — a consumer that lets it fill
// is cut off at once (TCP closed, no close handshake it would not read), so a client that
// never reads costs the server at most that much. Dead peers are dropped by Beast's idle
// timeout with keep-alive pings. The socket closes with 4401 when its token expires or its
// session ends (sign-out, a password change: LiveSockets), and holds a place in the
// connection counts (per address, per user) for as long as it lives.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "server/api/ws_api.h"
#include "server/auth/authenticator.h"
#include "server/auth/live_sockets.h"
#include "server/realtime/hub.h"
#include "server/transport/connection_limits.h"
#include "server/transport/http_session.h"

namespace imchat::server {

struct WsContext {
  WsApiContext api;
  boost::asio::any_io_executor workers;
  LiveSockets* live = nullptr;
  std::chrono::milliseconds flush_interval{16};
};

// Who the connection is for, or why it is refused (it still becomes a WebSocket, closed at
// once with the code, so a client can tell "sign in again" from "network down").
struct Admission {
  std::optional<Principal> principal;
  uint16_t refuse_code = 0;  // 4401 unauthorized, 4429 too many connections
  std::string refuse_reason;
  std::vector<OpenCounts::Lease> leases;  // per user, per address
};

class WsSession : public Subscriber,
                  public Disconnectable,
                  public WsPeer,
                  public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(Upgrade upgrade, WsContext context, Admission admission);
  ~WsSession() override;

  void run();

  // Subscriber
  const std::string& user_id() const override { return user_id_; }
  void deliver(const Delivery& delivery) override;
  // Disconnectable
  void disconnect(uint16_t code, const std::string& reason) override;
  // WsPeer
  void send(std::shared_ptr<const std::string> frame) override;
  void close(uint16_t code, const char* reason) override;
  void off_thread(std::function<std::function<void()>()> work) override;
  std::shared_ptr<Subscriber> subscriber() override { return shared_from_this(); }

  static constexpr size_t kMaxQueuedBytes = 2 << 20;
  static constexpr size_t kMaxBatch = 64;
  static constexpr size_t kMaxBatchBytes = 256 << 10;
  static constexpr int kMaxJobs = 32;  // queued database work before reading pauses

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  void schedule_write();
  void do_write();
  void on_write(boost::beast::error_code ec, size_t bytes);
  void ended();  // the connection is over, for whatever reason: leave everything
  void cut_off(const char* why);

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  Request upgrade_;
  boost::beast::flat_buffer buffer_;
  WsContext context_;
  // This connection's database work, in the order its frames arrived: two sends from one
  // client are stored (and acked) in the order they were sent.
  boost::asio::strand<boost::asio::any_io_executor> work_strand_;
  std::string user_id_;
  std::string remote_;
  Admission admission_;
  std::optional<WsApi> api_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  size_t queued_bytes_ = 0;
  std::shared_ptr<const std::string> in_flight_;
  bool writing_ = false;
  bool flush_scheduled_ = false;
  bool closing_ = false;
  bool ended_ = false;
  int jobs_in_flight_ = 0;  // off_thread work not yet finished (on this strand)
  bool read_paused_ = false;
  boost::asio::steady_timer flush_timer_;
  boost::asio::steady_timer expiry_timer_;
  std::chrono::steady_clock::time_point last_write_{};
};

}  // namespace imchat::server
