// WsSession: one WebSocket connection on /ws (Boost.Beast's session pattern): a read loop
// that dispatches client frames, a bounded queue with one write in flight, and the
// channels this connection subscribed to. A frame goes out at once when the connection has
// been quiet for a flush interval (16 ms); frames due within one interval of the last write
// wait for its end and leave together as one {"type":"batch"} frame (at most 64). A lone
// frame is never delayed; a burst costs one frame per interval instead of one per event.
//
// Implements: subscribe (with since-replay), unsubscribe, send-message (ack, idempotent by
// clientId), typing, ping/pong, errors for bad frames. Dead peers are dropped by Beast's
// idle timeout with keep-alive pings; a consumer that lets the queue fill is disconnected.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "protocol/json.h"
#include "server/http_types.h"
#include "server/hub.h"
#include "server/storage.h"

namespace imchat::server {

class Replies;
class RateLimiter;

struct WsContext {
  Hub& hub;
  Storage& storage;
  boost::asio::any_io_executor workers;
  size_t max_message_bytes = 32 * 1024;
  Replies* replies = nullptr;
  RateLimiter* write_limiter = nullptr;  // shared with REST: one budget per user
  std::chrono::milliseconds flush_interval{16};
};

class WsSession : public Subscriber, public std::enable_shared_from_this<WsSession> {
 public:
  // user_id empty: the token was bad; the session accepts, then closes with 4401.
  WsSession(boost::beast::tcp_stream stream, WsContext context, std::string user_id,
            std::string remote);
  ~WsSession() override;

  void run(Request upgrade);

  const std::string& user_id() const override { return user_id_; }
  void deliver(const Delivery& delivery) override;

  static constexpr size_t kMaxQueuedFrames = 4096;
  static constexpr size_t kMaxBatch = 64;

 private:
  struct Channel {
    bool ready = false;             // replay done; live frames go straight out
    std::vector<Delivery> pending;  // live frames that arrived during the replay
    int64_t last_seq = 0;           // highest sequence sent on this channel
  };

  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, size_t bytes);
  void handle_frame(const protocol::Json& frame);

  void subscribe(const std::string& channel, std::optional<int64_t> since);
  void finish_subscribe(const std::string& channel, std::optional<int64_t> since,
                        Result<std::pair<int64_t, std::vector<ChangeEvent>>> replay);
  void unsubscribe(const std::string& channel);
  void send_message(const protocol::Json& frame);
  void on_delivery(const Delivery& delivery);

  void send(std::shared_ptr<const std::string> frame);
  void send_json(const protocol::Json& frame);
  void send_error(const std::string& code, const std::string& message,
                  const protocol::Json& request_id = nullptr, const std::string& channel = {});
  void schedule_write();
  void do_write();
  void on_write(boost::beast::error_code ec, size_t bytes);
  void close(uint16_t code, const char* reason);

  // Runs work on a worker thread and its continuation back on this session's strand.
  template <typename Work, typename Then>
  void off_thread(Work work, Then then);

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  WsContext context_;
  // This connection's database work, in the order its frames arrived: two sends from one
  // client are stored (and acked) in the order they were sent.
  boost::asio::strand<boost::asio::any_io_executor> work_strand_;
  std::string user_id_;
  std::string remote_;
  std::map<std::string, Channel> channels_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::shared_ptr<const std::string> in_flight_;
  bool writing_ = false;
  bool flush_scheduled_ = false;
  bool closing_ = false;
  boost::asio::steady_timer flush_timer_;
  std::chrono::steady_clock::time_point last_write_{};
};

}  // namespace imchat::server
