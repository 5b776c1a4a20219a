#include "server/ws_session.h"

#include <boost/asio/post.hpp>

#include "protocol/model_json.h"
#include "server/log.h"
#include "server/rate_limiter.h"
#include "server/replies.h"

namespace imchat::server {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using protocol::Json;

namespace {

constexpr int64_t kMaxReplay = 1000;  // beyond this a client is told to resync (refetch)
constexpr size_t kMaxFrameBytes = 64 * 1024;

std::string error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kValidation:
    case ErrorCode::kParse:
      return "bad_request";
    case ErrorCode::kTooLarge:
      return "too_large";
    case ErrorCode::kUnauthorized:
      return "unauthorized";
    default:
      return "internal";
  }
}

// "Message:list:c_1" → {"Message:list", "c_1"}.
std::pair<std::string, std::string> split_channel(const std::string& channel) {
  for (const char* prefix : {"Message:list:", "Conversation:item:"}) {
    const std::string p = prefix;
    if (channel.rfind(p, 0) == 0 && channel.size() > p.size()) {
      return {p.substr(0, p.size() - 1), channel.substr(p.size())};
    }
  }
  return {channel, {}};
}

}  // namespace

WsSession::WsSession(beast::tcp_stream stream, WsContext context, std::string user_id,
                     std::string remote)
    : ws_(std::move(stream)),
      context_(context),
      work_strand_(boost::asio::make_strand(context_.workers)),
      user_id_(std::move(user_id)),
      remote_(std::move(remote)),
      flush_timer_(ws_.get_executor()) {}

WsSession::~WsSession() {
  log_event("info", "ws_closed", {{"remote", remote_}, {"user", user_id_}});
}

template <typename Work, typename Then>
void WsSession::off_thread(Work work, Then then) {
  boost::asio::post(work_strand_, [self = shared_from_this(), work = std::move(work),
                                   then = std::move(then)]() mutable {
    auto result = work();
    boost::asio::post(self->ws_.get_executor(),
                      [self, result = std::move(result), then = std::move(then)]() mutable {
                        then(std::move(result));
                      });
  });
}

void WsSession::run(Request upgrade) {
  beast::get_lowest_layer(ws_).expires_never();  // the websocket has its own timeouts
  websocket::stream_base::timeout timeouts =
      websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.idle_timeout = std::chrono::seconds(30);  // a ping after 15 s idle, dropped at 30 s
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "imchat"); }));
  ws_.read_message_max(kMaxFrameBytes);
  ws_.async_accept(upgrade, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
}

void WsSession::on_accept(beast::error_code ec) {
  if (ec) return;
  if (user_id_.empty()) {
    log_event("warn", "ws_unauthorized", {{"remote", remote_}});
    return close(4401, "unauthorized");
  }
  log_event("info", "ws_open", {{"remote", remote_}, {"user", user_id_}});
  do_read();
}

void WsSession::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
}

void WsSession::on_read(beast::error_code ec, size_t) {
  if (ec) {
    // Closed, timed out, or a protocol violation (Beast closes with 1007 on invalid UTF-8
    // and 1009 on an oversized frame): nothing more to read.
    context_.hub.unsubscribe_all(this);
    return;
  }
  if (!ws_.got_text()) {
    buffer_.consume(buffer_.size());
    send_error("bad_request", "frames must be JSON text");
    return do_read();
  }
  const std::string text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  auto frame = protocol::parse_json(text);
  if (!frame) {
    send_error("bad_request", frame.error().message);
  } else if (!frame->is_object()) {
    send_error("bad_request", "a frame must be a JSON object");
  } else {
    handle_frame(*frame);
  }
  if (!closing_) do_read();
}

void WsSession::handle_frame(const Json& frame) {
  protocol::ObjectReader r(frame, "frame");
  const std::string type = r.required_string("type");
  if (!r.ok()) return send_error("bad_request", r.error().message);

  if (type == "ping") {
    return send_json({{"type", "pong"}, {"t", frame.contains("t") ? frame["t"] : Json(nullptr)}});
  }
  if (type == "subscribe" || type == "unsubscribe") {
    const std::string channel = r.required_string("channel");
    const auto since = r.optional_int("since");
    if (!r.ok()) return send_error("bad_request", r.error().message);
    if (type == "unsubscribe") return unsubscribe(channel);
    if (since && *since < 0)
      return send_error("bad_request", "since must not be negative", nullptr, channel);
    return subscribe(channel, since);
  }
  if (type == "send-message") return send_message(frame);
  if (type == "typing") {
    const std::string conversation_id = r.required_string("conversationId");
    const Json* is_typing = frame.contains("isTyping") ? &frame["isTyping"] : nullptr;
    if (!r.ok()) return send_error("bad_request", r.error().message);
    if (!is_typing || !is_typing->is_boolean()) {
      return send_error("bad_request", "frame.isTyping: expected a boolean");
    }
    const bool typing = is_typing->get<bool>();
    off_thread(
        [this, conversation_id] { return context_.storage.last_seq(user_id_, conversation_id); },
        [this, conversation_id, typing](Result<int64_t> access) {
          if (!access) return send_error("not_found", "conversation not found");
          context_.hub.publish_typing(conversation_id, user_id_, typing);
        });
    return;
  }
  if (type == "cancel") {
    const std::string conversation_id = r.required_string("conversationId");
    if (!r.ok()) return send_error("bad_request", r.error().message);
    if (!context_.replies) return send_error("unsupported", "no replies are generated here");
    off_thread(
        [this, conversation_id] { return context_.replies->cancel(user_id_, conversation_id); },
        [this](Status cancelled) {
          if (!cancelled) send_error("not_found", "conversation not found");
        });
    return;
  }
  if (type == "read") {
    const std::string conversation_id = r.required_string("conversationId");
    const std::string message_id = r.required_string("messageId");
    if (!r.ok()) return send_error("bad_request", r.error().message);
    off_thread(
        [this, conversation_id, message_id] {
          return context_.storage.mark_read(user_id_, conversation_id, message_id);
        },
        [this, conversation_id, message_id](Status marked) {
          if (!marked) return send_error("not_found", "message not found");
          context_.hub.publish_read(conversation_id, user_id_, message_id);
        });
    return;
  }
  send_error("bad_request", "unknown frame type \"" + type.substr(0, 40) + "\"");
}

void WsSession::subscribe(const std::string& channel, std::optional<int64_t> since) {
  auto [kind, conversation_id] = split_channel(channel);
  if (channel == "Conversation:list") {
    channels_[channel] = Channel{true, {}, 0};
    context_.hub.subscribe(Hub::list_key(user_id_), shared_from_this());
    // The list spans conversations and has no single sequence: a returning client refetches.
    if (since && *since > 0)
      send_error("resync", "refetch the conversation list", nullptr, channel);
    return send_json({{"type", "subscribed"}, {"channel", channel}, {"seq", 0}});
  }
  if (conversation_id.empty()) {
    return send_error("bad_request", "unknown channel \"" + channel.substr(0, 80) + "\"", nullptr,
                      channel);
  }
  // Listen first, then read the history: anything committed in between arrives twice and
  // the duplicate is dropped by sequence number; nothing falls in a gap.
  channels_[channel] = Channel{false, {}, 0};
  context_.hub.subscribe(channel, shared_from_this());
  off_thread(
      [this, conversation_id, since]() -> Result<std::pair<int64_t, std::vector<ChangeEvent>>> {
        auto last = context_.storage.last_seq(user_id_, conversation_id);
        if (!last) return last.error();
        std::vector<ChangeEvent> events;
        if (since && *since < *last) {
          auto replay =
              context_.storage.events_since(user_id_, conversation_id, *since, kMaxReplay + 1);
          if (!replay) return replay.error();
          events = std::move(*replay);
        }
        return std::make_pair(*last, std::move(events));
      },
      [this, channel, since](auto result) { finish_subscribe(channel, since, std::move(result)); });
}

void WsSession::finish_subscribe(const std::string& channel, std::optional<int64_t> since,
                                 Result<std::pair<int64_t, std::vector<ChangeEvent>>> replay) {
  auto it = channels_.find(channel);
  if (it == channels_.end()) return;  // unsubscribed meanwhile
  if (!replay) {
    context_.hub.unsubscribe(channel, this);
    channels_.erase(it);
    return send_error(
        error_code_name(replay.error().code),
        replay.error().code == ErrorCode::kNotFound ? "channel not found" : "could not subscribe",
        nullptr, channel);
  }
  Channel& state = it->second;
  const auto& [last_seq, events] = *replay;
  const std::string entity = channel.rfind("Message:", 0) == 0 ? "Message" : "Conversation";
  if (since && (*since > last_seq || static_cast<int64_t>(events.size()) > kMaxReplay)) {
    // The gap cannot be replayed (too long, or the client knows a future we do not).
    send_error("resync", "refetch this channel", nullptr, channel);
  } else if (since) {
    for (const ChangeEvent& event : events) {
      if (event.entity != entity) continue;
      send(std::make_shared<const std::string>(update_frame(event, channel)));
    }
  }
  state.last_seq = last_seq;
  state.ready = true;
  for (const Delivery& d : state.pending)
    on_delivery(d);
  state.pending.clear();
  send_json({{"type", "subscribed"}, {"channel", channel}, {"seq", last_seq}});
}

void WsSession::unsubscribe(const std::string& channel) {
  if (channels_.erase(channel) > 0) {
    context_.hub.unsubscribe(channel == "Conversation:list" ? Hub::list_key(user_id_) : channel,
                             this);
  }
  send_json({{"type", "unsubscribed"}, {"channel", channel}});
}

void WsSession::send_message(const Json& frame) {
  protocol::ObjectReader r(frame, "frame");
  const Json request_id = frame.contains("requestId") ? frame["requestId"] : Json(nullptr);
  NewMessage input;
  input.conversation_id = r.required_string("conversationId");
  input.content = r.required_string("content");
  input.client_id = r.optional_string("clientId");
  if (!r.ok()) return send_error("bad_request", r.error().message, request_id);
  if (input.content.empty())
    return send_error("bad_request", "content must not be empty", request_id);
  if (input.content.size() > context_.max_message_bytes) {
    return send_error("too_large",
                      "content is over " + std::to_string(context_.max_message_bytes) + " bytes",
                      request_id);
  }
  if (input.client_id && (input.client_id->empty() || input.client_id->size() > 64)) {
    return send_error("bad_request", "clientId must be 1 to 64 characters", request_id);
  }
  input.author_id = user_id_;
  if (context_.write_limiter) {
    if (auto wait = context_.write_limiter->acquire(user_id_)) {
      Json error = {{"type", "error"},
                    {"code", "rate_limited"},
                    {"message", "too many writes; try again in " + std::to_string(*wait) + " s"},
                    {"retryAfter", *wait}};
      if (!request_id.is_null()) error["requestId"] = request_id;
      return send_json(error);
    }
  }
  off_thread([this, input] { return context_.storage.create_message(user_id_, input); },
             [this, request_id](Result<CreatedMessage> created) {
               if (!created) {
                 return send_error(error_code_name(created.error().code),
                                   created.error().code == ErrorCode::kNotFound
                                       ? "conversation not found"
                                       : created.error().message,
                                   request_id);
               }
               send_json({{"type", "ack"},
                          {"requestId", request_id},
                          {"data", protocol::to_json(created->message)}});
               // Ack first, then let the model start: the sender hears "stored" at once.
               if (created->created && context_.replies) {
                 boost::asio::post(
                     context_.workers, [self = shared_from_this(), message = created->message] {
                       // Not an AI conversation, or a reply already running: nothing to start.
                       (void)self->context_.replies->start_reply(self->user_id_, message);
                     });
               }
             });
}

void WsSession::deliver(const Delivery& delivery) {
  boost::asio::post(ws_.get_executor(),
                    [self = shared_from_this(), delivery] { self->on_delivery(delivery); });
}

void WsSession::on_delivery(const Delivery& delivery) {
  auto it = channels_.find(delivery.channel);
  if (it == channels_.end()) return;
  Channel& state = it->second;
  if (!state.ready) {
    if (state.pending.size() < kMaxQueuedFrames) state.pending.push_back(delivery);
    return;
  }
  if (delivery.seq > 0) {
    if (delivery.seq <= state.last_seq) return;  // already replayed
    state.last_seq = delivery.seq;
  }
  send(delivery.frame);
}

void WsSession::send_json(const Json& frame) {
  send(std::make_shared<const std::string>(protocol::dump_json(frame)));
}

void WsSession::send_error(const std::string& code, const std::string& message,
                           const Json& request_id, const std::string& channel) {
  Json frame = {{"type", "error"}, {"code", code}, {"message", message}};
  if (!request_id.is_null()) frame["requestId"] = request_id;
  if (!channel.empty()) frame["channel"] = channel;
  send_json(frame);
}

void WsSession::send(std::shared_ptr<const std::string> frame) {
  if (closing_) return;
  if (queue_.size() >= kMaxQueuedFrames) {
    // A consumer that does not read would make us buffer without bound: let it go.
    log_event("warn", "ws_slow_consumer", {{"remote", remote_}, {"user", user_id_}});
    queue_.clear();
    return close(4008, "slow consumer");
  }
  queue_.push_back(std::move(frame));
  schedule_write();
}

void WsSession::schedule_write() {
  if (writing_ || flush_scheduled_ || queue_.empty() || closing_) return;
  const auto due = last_write_ + context_.flush_interval;
  if (queue_.size() >= kMaxBatch || std::chrono::steady_clock::now() >= due) return do_write();
  flush_scheduled_ = true;
  flush_timer_.expires_at(due);
  flush_timer_.async_wait([self = shared_from_this()](beast::error_code) {
    self->flush_scheduled_ = false;
    self->do_write();
  });
}

void WsSession::do_write() {
  if (writing_ || queue_.empty() || closing_) return;
  writing_ = true;
  last_write_ = std::chrono::steady_clock::now();
  if (queue_.size() == 1) {
    in_flight_ = std::move(queue_.front());
    queue_.pop_front();
  } else {
    // Frames are JSON text already: join them without parsing anything again.
    std::string batch = "{\"type\":\"batch\",\"frames\":[";
    for (size_t i = 0; i < kMaxBatch && !queue_.empty(); ++i) {
      if (i) batch += ',';
      batch += *queue_.front();
      queue_.pop_front();
    }
    batch += "]}";
    in_flight_ = std::make_shared<const std::string>(std::move(batch));
  }
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(*in_flight_),
                  beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
}

void WsSession::on_write(beast::error_code ec, size_t) {
  writing_ = false;
  in_flight_.reset();
  if (ec) {
    context_.hub.unsubscribe_all(this);
    return;
  }
  schedule_write();
}

void WsSession::close(uint16_t code, const char* reason) {
  if (closing_) return;
  closing_ = true;
  flush_timer_.cancel();
  context_.hub.unsubscribe_all(this);
  ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason),
                  [self = shared_from_this()](beast::error_code) {});
}

}  // namespace imchat::server
