// WsApi (ws_api.h): what each /ws frame means for one connection.
#include "server/api/ws_api.h"

#include <algorithm>

#include "protocol/frames.h"
#include "protocol/model_json.h"
#include "server/chat/rate_limiter.h"
#include "server/chat/replies.h"

namespace imchat::server {

using protocol::Json;
namespace frames = protocol::frames;

namespace {

// What a client may have echoed back: a number, or a short string. Anything else would let
// one small frame make the server queue a large one (the ping that carries 63 KiB).
bool echoable(const Json& value) {
  if (value.is_null() || value.is_number()) return true;
  return value.is_string() && value.get_ref<const std::string&>().size() <= WsApi::kMaxEchoBytes;
}

}  // namespace

std::string ws_error_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound:
      return std::string(frames::kNotFound);
    case ErrorCode::kValidation:
    case ErrorCode::kParse:
      return std::string(frames::kBadRequest);
    case ErrorCode::kTooLarge:
      return std::string(frames::kTooLarge);
    case ErrorCode::kUnauthorized:
      return std::string(frames::kUnauthorized);
    case ErrorCode::kForbidden:
      return std::string(frames::kForbidden);
    case ErrorCode::kRateLimited:
      return std::string(frames::kRateLimited);
    case ErrorCode::kBusy:
      return std::string(frames::kBusy);
    default:
      return std::string(frames::kInternal);
  }
}

WsApi::WsApi(WsApiContext context, WsPeer& peer, std::string user_id)
    : context_(context), peer_(peer), user_id_(std::move(user_id)) {}

void WsApi::on_binary() {
  send_error(frames::kBadRequest, "frames must be JSON text");
}

void WsApi::on_text(std::string_view text) {
  auto frame = protocol::parse_json(text);
  if (!frame) return send_error(frames::kBadRequest, frame.error().message);
  if (!frame->is_object()) return send_error(frames::kBadRequest, "a frame must be a JSON object");
  handle(*frame);
}

void WsApi::handle(const Json& frame) {
  protocol::ObjectReader r(frame, "frame");
  const std::string type = r.required_string("type");  // one of frames::k…
  if (!r.ok()) return send_error(frames::kBadRequest, r.error().message);
  const Json request_id = frame.contains("requestId") ? frame["requestId"] : Json(nullptr);
  if (!echoable(request_id)) {
    return send_error(frames::kBadRequest, "requestId must be a number or a string of at most " +
                                               std::to_string(kMaxEchoBytes) + " bytes");
  }

  if (type == frames::kPing) {
    const Json t = frame.contains("t") ? frame["t"] : Json(nullptr);
    if (!echoable(t)) {
      return send_error(frames::kBadRequest, "t must be a number or a string of at most " +
                                                 std::to_string(kMaxEchoBytes) + " bytes");
    }
    return send_json(frames::pong(t));
  }
  if (type == frames::kSubscribe || type == frames::kUnsubscribe) {
    const std::string channel = r.required_string("channel");
    const auto since = r.optional_int("since");
    if (!r.ok()) return send_error(frames::kBadRequest, r.error().message);
    if (channel.size() > frames::kMaxChannelBytes)
      return send_error(frames::kBadRequest, "channel is too long");
    if (type == frames::kUnsubscribe) return unsubscribe(channel);
    // Each subscribe reads the store (and may replay): a budget of its own, roomy enough
    // for a client that rejoins every channel after a reconnect.
    if (!take_token(subscribe_budget_, kSubscribeBurst, kSubscribePerSecond)) {
      Json error = frames::error(frames::kRateLimited, "too many subscribes; try again in a second",
                                 nullptr, channel);
      error["retryAfter"] = 1;
      return send_json(error);
    }
    if (since && *since < 0)
      return send_error(frames::kBadRequest, "since must not be negative", nullptr, channel);
    return subscribe(channel, since);
  }
  if (type == frames::kSendMessage) return send_message(frame, request_id);
  if (type == frames::kTyping) {
    const std::string conversation_id = r.required_string("conversationId");
    const Json* is_typing = frame.contains("isTyping") ? &frame["isTyping"] : nullptr;
    if (!r.ok()) return send_error(frames::kBadRequest, r.error().message);
    if (!is_typing || !is_typing->is_boolean()) {
      return send_error(frames::kBadRequest, "frame.isTyping: expected a boolean");
    }
    return typing(conversation_id, is_typing->get<bool>());
  }
  if (type == frames::kCancel) {
    const std::string conversation_id = r.required_string("conversationId");
    if (!r.ok()) return send_error(frames::kBadRequest, r.error().message);
    if (!context_.replies) return send_error(frames::kUnsupported, "no replies are generated here");
    peer_.off_thread([this, conversation_id]() -> std::function<void()> {
      Status cancelled = context_.replies->cancel(user_id_, conversation_id);
      return [this, cancelled] {
        if (!cancelled) send_error(frames::kNotFound, "conversation not found");
      };
    });
    return;
  }
  if (type == frames::kRead) {
    const std::string conversation_id = r.required_string("conversationId");
    const std::string message_id = r.required_string("messageId");
    if (!r.ok()) return send_error(frames::kBadRequest, r.error().message);
    return read(conversation_id, message_id);
  }
  send_error(frames::kBadRequest, "unknown frame type \"" + type.substr(0, 40) + "\"");
}

// Typing and read receipts are relayed to everyone in the conversation, so one client must
// not be able to make the server fan out thousands a second: a state that did not change
// is not relayed again (typing: not within a second), and all of them together share a
// small bucket. Over it, the frame is dropped and the client hears so, at most once a
// second.
bool WsApi::take_token(Budget& budget, double burst, double per_second) {
  const auto now = now_();
  if (budget.updated == Clock::time_point{})
    budget.tokens = burst;
  else {
    const double elapsed = std::chrono::duration<double>(now - budget.updated).count();
    budget.tokens = std::min(burst, budget.tokens + std::max(0.0, elapsed) * per_second);
  }
  budget.updated = now;
  if (budget.tokens < 1) return false;
  budget.tokens -= 1;
  return true;
}

bool WsApi::take_ephemeral_token() {
  const auto now = now_();
  if (take_token(ephemeral_budget_, kEphemeralBurst, kEphemeralPerSecond)) return true;
  if (now - last_limited_notice_ >= std::chrono::seconds(1)) {
    last_limited_notice_ = now;
    Json error =
        frames::error(frames::kRateLimited, "too many typing and read frames; some were dropped");
    error["retryAfter"] = 1;
    send_json(error);
  }
  return false;
}

void WsApi::typing(const std::string& conversation_id, bool is_typing) {
  if (relayed_.size() > 256 && !relayed_.count(conversation_id)) relayed_.clear();
  Relayed& last = relayed_[conversation_id];
  const auto now = now_();
  if (last.typing == is_typing && (!is_typing || now - last.typing_at < std::chrono::seconds(1)))
    return;  // nothing new to say
  if (!take_ephemeral_token()) return;
  last.typing = is_typing;
  last.typing_at = now;
  peer_.off_thread([this, conversation_id, is_typing]() -> std::function<void()> {
    auto access = context_.storage.last_seq(user_id_, conversation_id);
    return [this, conversation_id, is_typing, ok = static_cast<bool>(access)] {
      if (!ok) {
        relayed_.erase(conversation_id);
        return send_error(frames::kNotFound, "conversation not found");
      }
      context_.bus.publish_typing(conversation_id, user_id_, is_typing);
    };
  });
}

void WsApi::read(const std::string& conversation_id, const std::string& message_id) {
  if (relayed_.size() > 256 && !relayed_.count(conversation_id)) relayed_.clear();
  Relayed& last = relayed_[conversation_id];
  if (last.read_message == message_id) return;  // already said
  if (!take_ephemeral_token()) return;
  last.read_message = message_id;
  peer_.off_thread([this, conversation_id, message_id]() -> std::function<void()> {
    Status marked = context_.storage.mark_read(user_id_, conversation_id, message_id);
    return [this, conversation_id, message_id, marked] {
      if (!marked) {
        relayed_[conversation_id].read_message.clear();
        return send_error(frames::kNotFound, "message not found");
      }
      context_.bus.publish_read(conversation_id, user_id_, message_id);
    };
  });
}

void WsApi::subscribe(const std::string& channel, std::optional<int64_t> since) {
  // A plain variable, not a structured binding: lambdas below capture it (clang 14).
  const std::string conversation_id = frames::parse_channel(channel).conversation_id;
  if (channel == frames::kConversationList) {
    channels_[channel] = Channel{true, {}, 0, 0};
    context_.hub.subscribe(Hub::list_key(user_id_), peer_.subscriber());
    // The list spans conversations and has no single sequence: a returning client refetches.
    if (since && *since > 0)
      send_error(frames::kResync, "refetch the conversation list", nullptr, channel);
    return send_json(frames::subscribed(channel, 0));
  }
  if (conversation_id.empty()) {
    return send_error(frames::kBadRequest, "unknown channel \"" + channel.substr(0, 80) + "\"",
                      nullptr, channel);
  }
  // Listen first, then read the history: anything committed in between arrives twice and
  // the duplicate is dropped by sequence number; nothing falls in a gap.
  channels_[channel] = Channel{false, {}, 0, 0};
  context_.hub.subscribe(channel, peer_.subscriber());
  peer_.off_thread([this, channel, conversation_id, since]() -> std::function<void()> {
    Replay replay = [&]() -> Replay {
      auto last = context_.storage.last_seq(user_id_, conversation_id);
      if (!last) return last.error();
      std::vector<ChangeEvent> events;
      if (since && *since < *last) {
        // No more rows than a replay may send: past the bound it is a resync anyway.
        auto stored = context_.storage.events_since(user_id_, conversation_id, *since,
                                                    kMaxReplay + 1, kMaxReplayBytes);
        if (!stored) return stored.error();
        events = std::move(*stored);
      }
      return std::make_pair(*last, std::move(events));
    }();
    return [this, channel, since, replay = std::move(replay)]() mutable {
      finish_subscribe(channel, since, std::move(replay));
    };
  });
}

void WsApi::finish_subscribe(const std::string& channel, std::optional<int64_t> since,
                             Replay replay) {
  auto it = channels_.find(channel);
  if (it == channels_.end() || closed_) return;  // unsubscribed meanwhile, or gone
  if (!replay) {
    context_.hub.unsubscribe(channel, peer_.subscriber().get());
    channels_.erase(it);
    return send_error(
        ws_error_code(replay.error().code),
        replay.error().code == ErrorCode::kNotFound ? "channel not found" : "could not subscribe",
        nullptr, channel);
  }
  Channel& state = it->second;
  const auto& [last_seq, events] = *replay;
  const std::string entity =
      channel.rfind(frames::kMessageListPrefix, 0) == 0 ? "Message" : "Conversation";
  size_t replay_bytes = 0;
  for (const ChangeEvent& event : events)
    if (event.entity == entity) replay_bytes += event.data.size();
  if (since && (*since > last_seq || static_cast<int64_t>(events.size()) > kMaxReplay ||
                replay_bytes > kMaxReplayBytes)) {
    // The gap cannot be replayed (too long, too large to queue at once, or the client
    // knows a future we do not): it refetches over REST, a page at a time.
    send_error(frames::kResync, "refetch this channel", nullptr, channel);
  } else if (since) {
    for (const ChangeEvent& event : events) {
      if (event.entity != entity) continue;
      peer_.send(std::make_shared<const std::string>(update_frame(event, channel)));
      if (closed_) return;  // cut off as a slow consumer by that send
    }
  }
  state.last_seq = last_seq;
  state.ready = true;
  std::vector<Delivery> pending = std::move(state.pending);
  state.pending.clear();
  state.pending_bytes = 0;
  for (const Delivery& d : pending) {
    on_delivery(d);
    if (closed_) return;
  }
  send_json(frames::subscribed(channel, last_seq));
}

void WsApi::unsubscribe(const std::string& channel) {
  if (channels_.erase(channel) > 0) {
    context_.hub.unsubscribe(
        channel == frames::kConversationList ? Hub::list_key(user_id_) : channel,
        peer_.subscriber().get());
  }
  send_json(frames::unsubscribed(channel));
}

void WsApi::send_message(const Json& frame, const Json& request_id) {
  protocol::ObjectReader r(frame, "frame");
  UserMessage input;
  input.conversation_id = r.required_string("conversationId");
  input.content = r.required_string("content");
  input.client_id = r.optional_string("clientId");
  if (!r.ok()) return send_error(frames::kBadRequest, r.error().message, request_id);
  // Refused before the budget is spent and before the store is asked.
  if (auto s = context_.messages.check(input); !s) return send_error(s.error(), request_id);
  if (auto s = admit_write(context_.write_limiter, user_id_); !s)
    return send_error(s.error(), request_id);
  peer_.off_thread([this, input, request_id]() -> std::function<void()> {
    auto created = context_.messages.store(user_id_, input);
    return [this, request_id, created = std::move(created)] {
      if (!created) {
        Error e = created.error();
        if (e.code == ErrorCode::kNotFound) e.message = "conversation not found";
        return send_error(e, request_id);
      }
      send_json(frames::ack(request_id, protocol::to_json(created->message)));
      // Ack first, then let the model start: the sender hears "stored" at once.
      if (!created->created) return;  // a repeat: its reply was asked for already
      peer_.off_thread([this, created = *created]() -> std::function<void()> {
        context_.messages.reply_to(user_id_, created);
        return [] {};
      });
    };
  });
}

void WsApi::on_delivery(const Delivery& delivery) {
  auto it = channels_.find(delivery.channel);
  if (it == channels_.end() || closed_) return;
  Channel& state = it->second;
  if (!state.ready) {
    state.pending_bytes += delivery.frame ? delivery.frame->size() : 0;
    if (state.pending_bytes > kMaxPendingBytes) return peer_.close(4008, "slow consumer");
    state.pending.push_back(delivery);
    return;
  }
  if (delivery.seq > 0) {
    if (delivery.seq <= state.last_seq) return;  // already replayed
    state.last_seq = delivery.seq;
  }
  peer_.send(delivery.frame);
}

void WsApi::on_closed() {
  // The channels stay (they go with this object): on_closed can run inside a send() made
  // while a channel is in use — a slow consumer cut off mid-replay — and that caller
  // still holds it. Nothing is delivered or replayed any more. Only the channels joined
  // are left: no scan of the whole hub per closing socket.
  if (closed_) return;
  closed_ = true;
  Subscriber* self = peer_.subscriber().get();
  for (const auto& [channel, state] : channels_)
    context_.hub.unsubscribe(
        channel == frames::kConversationList ? Hub::list_key(user_id_) : channel, self);
}

void WsApi::send_json(const Json& frame) {
  peer_.send(std::make_shared<const std::string>(protocol::dump_json(frame)));
}

void WsApi::send_error(std::string_view code, const std::string& message, const Json& request_id,
                       const std::string& channel) {
  send_json(frames::error(code, message, request_id, channel));
}

void WsApi::send_error(const Error& error, const Json& request_id) {
  Json frame = frames::error(ws_error_code(error.code), error.message, request_id);
  if (error.retry_after_s > 0) frame["retryAfter"] = error.retry_after_s;
  send_json(frame);
}

}  // namespace imchat::server
