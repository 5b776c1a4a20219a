// WsApi: what /ws frames mean, for one connection — subscribe (with since-replay),
// unsubscribe, send-message, typing, read, cancel, ping. It decodes a frame, calls a rule
// (Messages, Replies, the store), publishes what others must hear on the Bus, joins and
// leaves the hub's channels, and answers through its WsPeer. It knows
// nothing of sockets: WsSession (bytes, queues, timers) is its real peer; the fuzzer and
// the unit tests use a fake one that runs everything inline.
//
// Bounds (docs/protocol.md, "Limits"): what the client may have echoed back (a ping's
// `t`, a `requestId`) is a number or a string of at most 64 bytes; a replay larger than
// kMaxReplayBytes is answered `resync` (refetch over REST, page by page) instead of being
// queued whole; deliveries held while a subscription replays are bounded in bytes; typing
// and read frames are coalesced and limited to a few a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/json.h"
#include "server/chat/messages.h"
#include "server/realtime/bus.h"
#include "server/realtime/hub.h"
#include "server/store/storage.h"

namespace imchat::server {

class Replies;
class RateLimiter;

// What WsApi needs of its connection.
class WsPeer {
 public:
  virtual ~WsPeer() = default;
  // Queues one frame (JSON text) for the client.
  virtual void send(std::shared_ptr<const std::string> frame) = 0;
  // Ends the connection (4008 slow consumer, …).
  virtual void close(uint16_t code, const char* reason) = 0;
  // Runs `work` off the network thread, then the continuation it returns back on the
  // connection's strand. Work from one connection runs in the order it was asked for.
  virtual void off_thread(std::function<std::function<void()>()> work) = 0;
  // What the hub holds for this connection.
  virtual std::shared_ptr<Subscriber> subscriber() = 0;
};

struct WsApiContext {
  Hub& hub;  // this process's channels: what the connection joins and leaves
  Bus& bus;  // where typing and read frames leave for the others
  Storage& storage;
  const Messages& messages;
  Replies* replies = nullptr;            // cancels replies
  RateLimiter* write_limiter = nullptr;  // shared with REST: one budget per user
};

class WsApi {
 public:
  static constexpr int64_t kMaxReplay = 1000;          // events; beyond: resync
  static constexpr size_t kMaxReplayBytes = 1 << 20;   // bytes of replayed frames; beyond: resync
  static constexpr size_t kMaxPendingBytes = 1 << 20;  // live frames held during one replay
  static constexpr size_t kMaxEchoBytes = 64;          // a requestId or a ping's t
  static constexpr double kEphemeralBurst = 20;        // typing + read frames at once…
  static constexpr double kEphemeralPerSecond = 5;     // …refilled at this rate
  static constexpr double kSubscribeBurst = 100;       // subscribes at once…
  static constexpr double kSubscribePerSecond = 10;    // …refilled at this rate

  using Clock = std::chrono::steady_clock;

  WsApi(WsApiContext context, WsPeer& peer, std::string user_id);

  // One text frame from the client.
  void on_text(std::string_view text);
  // A binary frame: refused with an error; the connection carries on.
  void on_binary();
  // A delivery from the hub, on the connection's strand.
  void on_delivery(const Delivery& delivery);
  // The connection ended: leave every channel.
  void on_closed();

  const std::string& user_id() const { return user_id_; }
  // For tests: the clock typing and read frames are limited by.
  void set_clock(std::function<Clock::time_point()> now) { now_ = std::move(now); }

 private:
  struct Channel {
    bool ready = false;             // replay done; live frames go straight out
    std::vector<Delivery> pending;  // live frames that arrived during the replay
    size_t pending_bytes = 0;
    int64_t last_seq = 0;  // highest sequence sent on this channel
  };
  using Replay = Result<std::pair<int64_t, std::vector<ChangeEvent>>>;

  void handle(const protocol::Json& frame);
  void subscribe(const std::string& channel, std::optional<int64_t> since);
  void finish_subscribe(const std::string& channel, std::optional<int64_t> since, Replay replay);
  void unsubscribe(const std::string& channel);
  void send_message(const protocol::Json& frame, const protocol::Json& request_id);
  void typing(const std::string& conversation_id, bool is_typing);
  void read(const std::string& conversation_id, const std::string& message_id);
  struct Budget {
    double tokens = 0;
    Clock::time_point updated{};
  };
  bool take_token(Budget& budget, double burst, double per_second);
  bool take_ephemeral_token();

  void send_json(const protocol::Json& frame);
  void send_error(std::string_view code, const std::string& message,
                  const protocol::Json& request_id = nullptr, const std::string& channel = {});
  // A rule's refusal as an error frame: its code, its message, retryAfter when it has one.
  void send_error(const Error& error, const protocol::Json& request_id);

  WsApiContext context_;
  WsPeer& peer_;
  std::string user_id_;
  std::map<std::string, Channel> channels_;
  bool closed_ = false;  // the connection ended: nothing more goes out
  std::function<Clock::time_point()> now_ = [] { return Clock::now(); };
  // Typing and read: a bucket for the connection, the last state relayed per conversation.
  Budget ephemeral_budget_;
  Budget subscribe_budget_;
  Clock::time_point last_limited_notice_{};
  struct Relayed {
    bool typing = false;
    Clock::time_point typing_at{};
    std::string read_message;
  };
  std::map<std::string, Relayed> relayed_;
};

// The wire name of an error code in /ws error frames.
std::string ws_error_code(ErrorCode code);

}  // namespace imchat::server
