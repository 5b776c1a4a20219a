// Realtime: the client's end of /ws (docs/protocol.md) — one connection, kept alive.
//
// State machine: idle → connecting → open → (lost) → backoff → connecting … Reconnects wait
// min(1 s·2^n, 30 s) with ±50 % jitter; n goes back to 0 once a connection has stayed up
// for a minute. wake_up() (page visible again, network back) skips the wait. An application
// ping every 25 s; no pong within 10 s and the connection is declared dead. Close code
// 4401 (bad token) stops reconnecting until set_token().
//
// Channels: subscribe() remembers the channel and the last sequence number seen on it. On
// every (re)connect each channel is subscribed again with since=<last seq>, so the server
// replays what was missed, in order; an update whose seq was already seen is dropped here,
// so listeners see each event once. When the server cannot replay (`resync`), the listener
// is told to refetch.
//
// Requests (send-message …) carry a requestId; the ack or error with that id completes
// them. A connection lost with requests outstanding fails them with kNetwork: the caller
// (the outbox) decides what to send again.
//
// Single-threaded, like QueryCache: events come from the WebSocketClient's poll(), timers
// from tick() with the injected clock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "model/result.h"
#include "platform/websocket.h"
#include "protocol/json.h"

namespace imchat::sdk {

enum class LinkState { kIdle, kConnecting, kOpen, kBackoff };
const char* to_string(LinkState state);

struct RealtimeOptions {
  std::string url;  // "/ws" on the web, "ws://127.0.0.1:8080/ws" natively; token appended
  int64_t backoff_initial_ms = 1000;
  int64_t backoff_max_ms = 30000;
  int64_t stable_ms = 60000;  // open this long: the backoff starts from 1 s again
  int64_t ping_ms = 25000;
  int64_t pong_timeout_ms = 10000;
  int64_t connect_timeout_ms = 15000;
};

struct RealtimeStatus {
  LinkState state = LinkState::kIdle;
  int failures = 0;           // consecutive failed or short-lived connections
  int64_t retry_at_ms = -1;   // in backoff: when the next attempt starts
  int connects = 0;           // successful opens so far
  bool unauthorized = false;  // closed with 4401: waiting for a new token
  std::string last_error;     // why the last connection ended, for the UI
};

// What the link reports. Every member is optional.
struct RealtimeListener {
  // Open (again). reconnect: not the first open; subscriptions are being renewed.
  std::function<void(bool reconnect)> on_open;
  std::function<void()> on_closed;
  // An `update` frame's data ({type, data, id, seq, …}) on a channel, each seq once.
  std::function<void(const std::string& channel, const protocol::Json& data)> on_update;
  // A `stream` frame's data ({messageId, delta, offset, seq}).
  std::function<void(const std::string& channel, const protocol::Json& data)> on_stream;
  // The server could not replay the gap: refetch what the channel covers.
  std::function<void(const std::string& channel)> on_resync;
  // Every other frame (typing, read, errors without a request …), for whoever cares.
  std::function<void(const protocol::Json& frame)> on_other;
};

using RequestDone = std::function<void(Result<protocol::Json>)>;

class Realtime {
 public:
  struct Hooks {
    std::function<int64_t()> now_ms;
    std::function<double()> random;  // uniform in [0, 1), for backoff jitter
  };

  Realtime(platform::WebSocketClient& sockets, RealtimeOptions options, Hooks hooks);
  ~Realtime();
  Realtime(const Realtime&) = delete;
  Realtime& operator=(const Realtime&) = delete;

  void set_listener(RealtimeListener listener) { listener_ = std::move(listener); }

  // Connects (or reconnects) with this token; "" disconnects and stays idle.
  void set_token(std::string token);
  // Skip the backoff wait: the page became visible or the network came back.
  void wake_up();

  // Channels live across reconnects. since: the last sequence already reflected in what
  // the caller holds (the newest seq of a page fetched over REST — 0 for an empty one);
  // the server replays everything after it. Without it, the first subscription only
  // starts the live feed. sequenced: false for channels whose frames carry no
  // channel-wide sequence (Conversation:list): no since, no dedup by seq.
  void subscribe(const std::string& channel, std::optional<int64_t> since = std::nullopt,
                 bool sequenced = true);
  void unsubscribe(const std::string& channel);
  bool subscribed(const std::string& channel) const { return channels_.count(channel) > 0; }
  // The server confirmed the subscription on the current connection: events flow.
  bool confirmed(const std::string& channel) const {
    const auto it = channels_.find(channel);
    return it != channels_.end() && it->second.confirmed;
  }
  int64_t last_seq(const std::string& channel) const;

  // Sends a frame that expects an ack ("requestId" is added). False when not open: nothing
  // was sent and done will not run.
  bool request(protocol::Json frame, RequestDone done);
  // Sends a frame that expects nothing back (typing, read, cancel). False when not open.
  bool send(const protocol::Json& frame);

  // Runs what is due: connect timeouts, pings, reconnects. Call once per frame.
  void tick();
  std::optional<int64_t> next_deadline_ms() const;

  const RealtimeStatus& status() const { return status_; }
  bool open() const { return status_.state == LinkState::kOpen; }

  // Feeds one text frame as if it came from the socket (tests, and the benchmark).
  void handle_text(const std::string& text);

 private:
  struct Channel {
    int64_t last_seq = 0;
    bool known = false;      // last_seq is a baseline the server can replay from
    bool confirmed = false;  // `subscribed` arrived on this connection
    bool sequenced = true;
  };

  void connect();
  void on_socket_event(platform::SocketId socket, platform::WsEvent event);
  void on_open();
  void on_lost(int code, std::string reason);
  void handle_frame(const protocol::Json& frame);
  void send_subscribe(const std::string& channel, const Channel& state);
  void fail_requests(const std::string& why);
  void drop_socket(int code);

  platform::WebSocketClient& sockets_;
  RealtimeOptions options_;
  Hooks hooks_;
  RealtimeListener listener_;
  RealtimeStatus status_;
  std::string token_;

  platform::SocketId socket_ = 0;  // 0: none
  int64_t connect_started_ms_ = 0;
  int64_t opened_ms_ = 0;
  int64_t next_ping_ms_ = -1;
  int64_t pong_deadline_ms_ = -1;

  std::map<std::string, Channel> channels_;
  std::map<std::string, RequestDone> requests_;  // by requestId
  uint64_t next_request_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace imchat::sdk
