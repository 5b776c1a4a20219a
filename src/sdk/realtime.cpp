#include "sdk/realtime.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "protocol/frames.h"

namespace imchat::sdk {

using protocol::Json;

const char* to_string(LinkState state) {
  switch (state) {
    case LinkState::kIdle:
      return "idle";
    case LinkState::kConnecting:
      return "connecting";
    case LinkState::kOpen:
      return "open";
    case LinkState::kBackoff:
      return "backoff";
  }
  return "?";
}

namespace {

// The server's error codes as the SDK's.
Error request_error(const Json& frame) {
  const std::string code = protocol::json_text(frame, "code");
  std::string message = protocol::json_text(frame, "message");
  if (message.empty()) message = code.empty() ? std::string("request failed") : code;
  Error error{ErrorCode::kInternal, message};
  if (code == "bad_request" || code == "unsupported") error.code = ErrorCode::kValidation;
  if (code == "not_found") error.code = ErrorCode::kNotFound;
  if (code == "too_large") error.code = ErrorCode::kTooLarge;
  if (code == "conflict") error.code = ErrorCode::kConflict;
  if (code == "unauthorized") error.code = ErrorCode::kUnauthorized;
  if (code == "forbidden") error.code = ErrorCode::kForbidden;
  if (code == "busy") error.code = ErrorCode::kBusy;
  if (code == "rate_limited") {
    error.code = ErrorCode::kRateLimited;
    const Json* retry = frame.contains("retryAfter") ? &frame["retryAfter"] : nullptr;
    if (retry && retry->is_number()) error.retry_after_s = retry->get<int>();
  }
  return error;
}

}  // namespace

Realtime::Realtime(platform::WebSocketClient& sockets, RealtimeOptions options, Hooks hooks)
    : sockets_(sockets), options_(std::move(options)), hooks_(std::move(hooks)) {}

Realtime::~Realtime() {
  *alive_ = false;
  if (socket_) sockets_.close(socket_, 1000);
}

void Realtime::set_token(std::string token) {
  if (token == token_ && status_.state != LinkState::kIdle) return;
  token_ = std::move(token);
  status_.unauthorized = false;
  status_.failures = 0;
  drop_socket(1000);
  status_.state = LinkState::kIdle;
  status_.retry_at_ms = -1;
  fail_requests("reconnecting with a new token");
  if (!token_.empty()) connect();
}

void Realtime::wake_up() {
  if (status_.state == LinkState::kBackoff) connect();
}

void Realtime::subscribe(const std::string& channel, std::optional<int64_t> since, bool sequenced) {
  auto [it, added] = channels_.try_emplace(channel);
  Channel& state = it->second;
  if (sequenced && since) {
    state.last_seq = added ? *since : std::max(state.last_seq, *since);
    state.known = true;
  }
  if (!added) return;
  state.sequenced = sequenced;
  if (open()) send_subscribe(channel, it->second);
}

void Realtime::unsubscribe(const std::string& channel) {
  if (channels_.erase(channel) && open()) send(protocol::frames::unsubscribe(channel));
}

int64_t Realtime::last_seq(const std::string& channel) const {
  auto it = channels_.find(channel);
  return it == channels_.end() ? 0 : it->second.last_seq;
}

bool Realtime::request(Json frame, RequestDone done) {
  if (!open()) return false;
  const std::string id = "r" + std::to_string(next_request_++);
  frame["requestId"] = id;
  requests_[id] = std::move(done);
  sockets_.send(socket_, protocol::dump_json(frame));
  return true;
}

bool Realtime::send(const Json& frame) {
  if (!open()) return false;
  sockets_.send(socket_, protocol::dump_json(frame));
  return true;
}

void Realtime::tick() {
  const int64_t now = hooks_.now_ms();
  switch (status_.state) {
    case LinkState::kIdle:
      break;
    case LinkState::kBackoff:
      if (now >= status_.retry_at_ms) connect();
      break;
    case LinkState::kConnecting:
      if (now - connect_started_ms_ >= options_.connect_timeout_ms) {
        drop_socket(1000);
        on_lost(1006, "timed out connecting");
      }
      break;
    case LinkState::kOpen:
      if (pong_deadline_ms_ >= 0 && now >= pong_deadline_ms_) {
        drop_socket(4000);
        on_lost(1006, "no answer to ping");
        break;
      }
      if (status_.failures > 0 && now - opened_ms_ >= options_.stable_ms) status_.failures = 0;
      if (now >= next_ping_ms_ && pong_deadline_ms_ < 0) {
        send(protocol::frames::ping(now));
        pong_deadline_ms_ = now + options_.pong_timeout_ms;
        next_ping_ms_ = now + options_.ping_ms;
      }
      break;
  }
}

std::optional<int64_t> Realtime::next_deadline_ms() const {
  switch (status_.state) {
    case LinkState::kIdle:
      return std::nullopt;
    case LinkState::kBackoff:
      return status_.retry_at_ms;
    case LinkState::kConnecting:
      return connect_started_ms_ + options_.connect_timeout_ms;
    case LinkState::kOpen: {
      int64_t next = pong_deadline_ms_ >= 0 ? pong_deadline_ms_ : next_ping_ms_;
      if (status_.failures > 0) next = std::min(next, opened_ms_ + options_.stable_ms);
      return next;
    }
  }
  return std::nullopt;
}

void Realtime::connect() {
  if (socket_) drop_socket(1000);
  status_.state = LinkState::kConnecting;
  status_.retry_at_ms = -1;
  connect_started_ms_ = hooks_.now_ms();
  const char* join = options_.url.find('?') == std::string::npos ? "?" : "&";
  std::weak_ptr<bool> alive = alive_;
  platform::SocketId* slot = &socket_;
  socket_ = sockets_.open(options_.url + join + "token=" + token_,
                          [this, alive, slot](platform::WsEvent event) {
                            if (alive.expired()) return;
                            on_socket_event(*slot, std::move(event));
                          });
}

void Realtime::on_socket_event(platform::SocketId, platform::WsEvent event) {
  switch (event.kind) {
    case platform::WsEvent::Kind::kOpen:
      return on_open();
    case platform::WsEvent::Kind::kText:
      return handle_text(event.text);
    case platform::WsEvent::Kind::kClosed:
      socket_ = 0;  // the transport is done with it
      return on_lost(event.code, std::move(event.reason));
  }
}

void Realtime::on_open() {
  const int64_t now = hooks_.now_ms();
  const bool reconnect = status_.connects > 0;
  status_.state = LinkState::kOpen;
  status_.connects++;
  status_.last_error.clear();
  opened_ms_ = now;
  next_ping_ms_ = now + options_.ping_ms;
  pong_deadline_ms_ = -1;
  for (auto& [channel, state] : channels_) {
    state.confirmed = false;
    send_subscribe(channel, state);
  }
  if (listener_.on_open) listener_.on_open(reconnect);
}

void Realtime::on_lost(int code, std::string reason) {
  const bool was_open = status_.state == LinkState::kOpen;
  status_.last_error = reason.empty() ? std::string("connection lost") : std::move(reason);
  pong_deadline_ms_ = -1;
  if (code == 4401) {
    status_.unauthorized = true;
    status_.state = LinkState::kIdle;
    status_.retry_at_ms = -1;
  } else {
    // A connection that did not last a stable minute counts as a failure: a server that
    // accepts and drops at once must not be hammered every second.
    const int64_t base =
        static_cast<int64_t>(std::min<double>(static_cast<double>(options_.backoff_max_ms),
                                              static_cast<double>(options_.backoff_initial_ms) *
                                                  std::pow(2.0, std::min(status_.failures, 30))));
    const double jitter = 0.5 + hooks_.random();  // ±50 %
    status_.failures++;
    status_.state = LinkState::kBackoff;
    status_.retry_at_ms =
        hooks_.now_ms() + static_cast<int64_t>(static_cast<double>(base) * jitter);
  }
  // Last: the callbacks may send again, and must find the link already down.
  fail_requests(status_.last_error);
  if (was_open && listener_.on_closed) listener_.on_closed();
}

void Realtime::handle_text(const std::string& text) {
  auto frame = protocol::parse_json(text);
  if (!frame || !frame->is_object()) return;  // not ours to crash on; the server is buggy
  const Json* frames = protocol::json_array(*frame, "frames");
  if (protocol::frames::is(*frame, protocol::frames::kBatch) && frames) {
    for (const Json& inner : *frames)
      if (inner.is_object()) handle_frame(inner);
    return;
  }
  handle_frame(*frame);
}

void Realtime::handle_frame(const Json& frame) {
  const auto type_it = frame.find("type");
  if (type_it == frame.end() || !type_it->is_string()) return;
  const std::string& type = type_it->get_ref<const std::string&>();
  const auto channel_it = frame.find("channel");
  const std::string channel =
      channel_it != frame.end() && channel_it->is_string() ? channel_it->get<std::string>() : "";

  namespace frames = protocol::frames;
  if (type == frames::kUpdate) {
    auto ch = channels_.find(channel);
    const auto data = frame.find("data");
    if (ch == channels_.end() || data == frame.end() || !data->is_object()) return;
    const auto seq_it = data->find("seq");
    if (ch->second.sequenced && seq_it != data->end() && seq_it->is_number_integer()) {
      const int64_t seq = seq_it->get<int64_t>();
      if (ch->second.known && seq <= ch->second.last_seq) return;  // seen already
      ch->second.last_seq = seq;
      ch->second.known = true;
    }
    if (listener_.on_update) listener_.on_update(channel, *data);
  } else if (type == frames::kStream) {
    const auto data = frame.find("data");
    if (!channels_.count(channel) || data == frame.end() || !data->is_object()) return;
    if (listener_.on_stream) listener_.on_stream(channel, *data);
  } else if (type == frames::kSubscribed) {
    auto ch = channels_.find(channel);
    if (ch == channels_.end()) return;
    ch->second.confirmed = true;
    const auto seq = frame.find("seq");
    if (ch->second.sequenced && seq != frame.end() && seq->is_number_integer()) {
      ch->second.last_seq = std::max(ch->second.last_seq, seq->get<int64_t>());
      ch->second.known = true;
    }
  } else if (type == frames::kPong) {
    pong_deadline_ms_ = -1;
  } else if (type == frames::kAck || (type == frames::kError && frame.contains("requestId"))) {
    const auto id = frame.find("requestId");
    if (id == frame.end() || !id->is_string()) return;
    auto it = requests_.find(id->get<std::string>());
    if (it == requests_.end()) return;
    RequestDone done = std::move(it->second);
    requests_.erase(it);
    if (type == frames::kAck) {
      const auto data = frame.find("data");
      done(data != frame.end() ? *data : Json::object());
    } else {
      done(request_error(frame));
    }
  } else if (type == frames::kError && protocol::json_text(frame, "code") == frames::kResync) {
    if (channels_.count(channel) && listener_.on_resync) listener_.on_resync(channel);
  } else if (listener_.on_other) {
    listener_.on_other(frame);
  }
}

void Realtime::send_subscribe(const std::string& channel, const Channel& state) {
  Json frame = protocol::frames::subscribe(channel);
  if (state.sequenced && state.known) frame["since"] = state.last_seq;
  send(frame);
}

void Realtime::fail_requests(const std::string& why) {
  auto pending = std::move(requests_);
  requests_.clear();
  for (auto& [id, done] : pending)
    done(Error{ErrorCode::kNetwork, why});
}

void Realtime::drop_socket(int code) {
  if (!socket_) return;
  sockets_.close(socket_, code);
  socket_ = 0;
}

}  // namespace imchat::sdk
