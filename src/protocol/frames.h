// The /ws vocabulary (docs/protocol.md, "WebSocket"), for the server and the SDK alike:
// frame types, channel names, error codes and the frames' shapes. No other file spells a
// frame's type or a channel's name; what a frame means is decided where it is handled.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/json.h"

namespace imchat::protocol::frames {

// Frame types. Client → server: ping, subscribe, unsubscribe, send-message, typing, read,
// cancel. Server → client: pong, subscribed, unsubscribed, ack, error, update, stream,
// typing, read, and batch (several frames in one message).
inline constexpr std::string_view kPing = "ping";
inline constexpr std::string_view kPong = "pong";
inline constexpr std::string_view kSubscribe = "subscribe";
inline constexpr std::string_view kUnsubscribe = "unsubscribe";
inline constexpr std::string_view kSubscribed = "subscribed";
inline constexpr std::string_view kUnsubscribed = "unsubscribed";
inline constexpr std::string_view kSendMessage = "send-message";
inline constexpr std::string_view kAck = "ack";
inline constexpr std::string_view kError = "error";
inline constexpr std::string_view kUpdate = "update";
inline constexpr std::string_view kStream = "stream";
inline constexpr std::string_view kTyping = "typing";
inline constexpr std::string_view kRead = "read";
inline constexpr std::string_view kCancel = "cancel";
inline constexpr std::string_view kBatch = "batch";

// Channels: a conversation's messages, a conversation itself, and the viewer's list.
inline constexpr std::string_view kMessageListPrefix = "Message:list:";
inline constexpr std::string_view kConversationItemPrefix = "Conversation:item:";
inline constexpr std::string_view kConversationList = "Conversation:list";
std::string message_list(std::string_view conversation_id);
std::string conversation_item(std::string_view conversation_id);
// A conversation channel's prefix without its trailing ':' and its id ("Message:list:c_1" →
// {"Message:list", "c_1"}); empty strings for any other channel.
struct ChannelName {
  std::string kind;
  std::string conversation_id;
};
ChannelName parse_channel(std::string_view channel);
inline constexpr size_t kMaxChannelBytes = 128;  // a prefix and an id

// Error codes of error frames.
inline constexpr std::string_view kBadRequest = "bad_request";
inline constexpr std::string_view kNotFound = "not_found";
inline constexpr std::string_view kTooLarge = "too_large";
inline constexpr std::string_view kUnauthorized = "unauthorized";
inline constexpr std::string_view kForbidden = "forbidden";
inline constexpr std::string_view kRateLimited = "rate_limited";
inline constexpr std::string_view kBusy = "busy";
inline constexpr std::string_view kUnsupported = "unsupported";
inline constexpr std::string_view kInternal = "internal";
// A channel's history is too far behind to replay: refetch, then subscribe again.
inline constexpr std::string_view kResync = "resync";

// A frame's type ("" when it has none, or not a string).
std::string_view type_of(const Json& frame);
bool is(const Json& frame, std::string_view type);

// Frames the client sends.
Json ping(int64_t t);
Json subscribe(std::string_view channel);
Json unsubscribe(std::string_view channel);
// (request() adds the requestId.)
Json send_message(std::string_view conversation_id, std::string_view content,
                  std::string_view client_id);
Json typing(std::string_view conversation_id, bool is_typing);
Json read(std::string_view conversation_id, std::string_view message_id);
Json cancel(std::string_view conversation_id);

// Frames the server sends.
Json pong(const Json& t);
Json subscribed(std::string_view channel, int64_t seq);
Json unsubscribed(std::string_view channel);
Json ack(const Json& request_id, Json data);
// request_id null and channel empty: left out.
Json error(std::string_view code, std::string_view message, const Json& request_id = nullptr,
           std::string_view channel = {});
Json stream(std::string_view channel, std::string_view message_id, std::string_view delta,
            size_t offset, int64_t seq);
Json typing_of(std::string_view conversation_id, std::string_view user_id, bool is_typing);
Json read_by(std::string_view conversation_id, std::string_view user_id,
             std::string_view message_id);
// An update, written directly as text: `data` is the entity's stored JSON, spliced in
// unparsed (null when empty), and `totals` a JSON object or empty.
std::string update_text(std::string_view channel, std::string_view kind, std::string_view data,
                        std::string_view id, std::string_view timestamp, int64_t seq,
                        std::string_view totals);
// The start of a batch message; frames follow, comma-separated, then "]}".
std::string batch_open();

}  // namespace imchat::protocol::frames
