// The /ws frames' shapes: names and builders (frames.h), one place for server and SDK.
#include "protocol/frames.h"

namespace imchat::protocol::frames {
namespace {

Json typed(std::string_view type) {
  return Json{{"type", std::string(type)}};
}

}  // namespace

std::string message_list(std::string_view conversation_id) {
  return std::string(kMessageListPrefix) + std::string(conversation_id);
}

std::string conversation_item(std::string_view conversation_id) {
  return std::string(kConversationItemPrefix) + std::string(conversation_id);
}

ChannelName parse_channel(std::string_view channel) {
  for (std::string_view prefix : {kMessageListPrefix, kConversationItemPrefix}) {
    if (channel.size() > prefix.size() && channel.substr(0, prefix.size()) == prefix) {
      return {std::string(prefix.substr(0, prefix.size() - 1)),
              std::string(channel.substr(prefix.size()))};
    }
  }
  return {};
}

std::string_view type_of(const Json& frame) {
  if (!frame.is_object()) return {};
  const auto it = frame.find("type");
  if (it == frame.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

bool is(const Json& frame, std::string_view type) {
  return type_of(frame) == type;
}

Json ping(int64_t t) {
  Json f = typed(kPing);
  f["t"] = t;
  return f;
}

Json subscribe(std::string_view channel) {
  Json f = typed(kSubscribe);
  f["channel"] = std::string(channel);
  return f;
}

Json unsubscribe(std::string_view channel) {
  Json f = typed(kUnsubscribe);
  f["channel"] = std::string(channel);
  return f;
}

Json send_message(std::string_view conversation_id, std::string_view content,
                  std::string_view client_id) {
  Json f = typed(kSendMessage);
  f["conversationId"] = std::string(conversation_id);
  f["content"] = std::string(content);
  f["clientId"] = std::string(client_id);
  return f;
}

Json typing(std::string_view conversation_id, bool is_typing) {
  Json f = typed(kTyping);
  f["conversationId"] = std::string(conversation_id);
  f["isTyping"] = is_typing;
  return f;
}

Json read(std::string_view conversation_id, std::string_view message_id) {
  Json f = typed(kRead);
  f["conversationId"] = std::string(conversation_id);
  f["messageId"] = std::string(message_id);
  return f;
}

Json cancel(std::string_view conversation_id) {
  Json f = typed(kCancel);
  f["conversationId"] = std::string(conversation_id);
  return f;
}

Json pong(const Json& t) {
  Json f = typed(kPong);
  f["t"] = t;
  return f;
}

Json subscribed(std::string_view channel, int64_t seq) {
  Json f = typed(kSubscribed);
  f["channel"] = std::string(channel);
  f["seq"] = seq;
  return f;
}

Json unsubscribed(std::string_view channel) {
  Json f = typed(kUnsubscribed);
  f["channel"] = std::string(channel);
  return f;
}

Json ack(const Json& request_id, Json data) {
  Json f = typed(kAck);
  f["requestId"] = request_id;
  f["data"] = std::move(data);
  return f;
}

Json error(std::string_view code, std::string_view message, const Json& request_id,
           std::string_view channel) {
  Json f = typed(kError);
  f["code"] = std::string(code);
  f["message"] = std::string(message);
  if (!request_id.is_null()) f["requestId"] = request_id;
  if (!channel.empty()) f["channel"] = std::string(channel);
  return f;
}

Json stream(std::string_view channel, std::string_view message_id, std::string_view delta,
            size_t offset, int64_t seq) {
  Json f = typed(kStream);
  f["channel"] = std::string(channel);
  f["data"] = {{"messageId", std::string(message_id)},
               {"delta", std::string(delta)},
               {"offset", offset},
               {"seq", seq}};
  return f;
}

Json typing_of(std::string_view conversation_id, std::string_view user_id, bool is_typing) {
  Json f = typed(kTyping);
  f["conversationId"] = std::string(conversation_id);
  f["userId"] = std::string(user_id);
  f["isTyping"] = is_typing;
  return f;
}

Json read_by(std::string_view conversation_id, std::string_view user_id,
             std::string_view message_id) {
  Json f = typed(kRead);
  f["conversationId"] = std::string(conversation_id);
  f["userId"] = std::string(user_id);
  f["messageId"] = std::string(message_id);
  return f;
}

std::string update_text(std::string_view channel, std::string_view kind, std::string_view data,
                        std::string_view id, std::string_view timestamp, int64_t seq,
                        std::string_view totals) {
  std::string frame = "{\"type\":\"";
  frame += kUpdate;
  frame += "\",\"channel\":";
  frame += dump_json(Json(std::string(channel)));
  frame += ",\"data\":{\"type\":";
  frame += dump_json(Json(std::string(kind)));
  frame += ",\"data\":";
  frame += data.empty() ? std::string_view("null") : data;
  frame += ",\"id\":";
  frame += dump_json(Json(std::string(id)));
  frame += ",\"timestamp\":\"";
  frame += timestamp;
  frame += "\",\"seq\":";
  frame += std::to_string(seq);
  if (!totals.empty()) {
    frame += ",\"totals\":";
    frame += totals;
  }
  frame += "}}";
  return frame;
}

std::string batch_open() {
  return "{\"type\":\"" + std::string(kBatch) + "\",\"frames\":[";
}

}  // namespace imchat::protocol::frames
