// MessageList (message_list.h): placing, replacing and growing messages in a list.
#include "sdk/message_list.h"

#include "protocol/model_json.h"

namespace imchat::sdk {

using protocol::Json;
using MessagePtr = std::shared_ptr<const Message>;

namespace {

std::vector<MessagePtr>::iterator seq_position(MessageList& list, int64_t seq) {
  auto end = list.items.begin() + static_cast<std::ptrdiff_t>(confirmed_end(list));
  return std::lower_bound(list.items.begin(), end, seq,
                          [](const MessagePtr& m, int64_t s) { return m->seq < s; });
}

}  // namespace

size_t confirmed_end(const MessageList& list) {
  size_t n = list.items.size();
  while (n > 0 && list.items[n - 1]->seq == 0)
    --n;
  return n;
}

std::ptrdiff_t index_of(const MessageList& list, const std::string& id) {
  for (size_t i = list.items.size(); i-- > 0;)
    if (list.items[i]->id == id) return static_cast<std::ptrdiff_t>(i);
  return -1;
}

bool remove_unsent(MessageList& list, const std::string& client_id) {
  for (size_t i = confirmed_end(list); i < list.items.size(); ++i) {
    if (list.items[i]->client_id == client_id) {
      list.touch(i);
      list.items.erase(list.items.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    }
  }
  return false;
}

bool place(MessageList& list, MessagePtr message, bool may_insert) {
  bool changed = message->client_id && remove_unsent(list, *message->client_id);
  auto it = seq_position(list, message->seq);
  const auto end = list.items.begin() + static_cast<std::ptrdiff_t>(confirmed_end(list));
  if (it != end && (*it)->seq == message->seq) {
    if (**it == *message) return changed;
    list.touch(static_cast<size_t>(it - list.items.begin()));
    *it = std::move(message);
    return true;
  }
  if (!may_insert) return changed;
  // Outside the window we hold (older than what is loaded, or newer while newer pages are
  // let go): inserting would make a hole that paging cannot see.
  const size_t held = confirmed_end(list);
  if (held > 0 && message->seq < list.items.front()->seq && list.has_older) return changed;
  if (held > 0 && message->seq > list.items[held - 1]->seq && list.has_newer) return changed;
  list.touch(static_cast<size_t>(it - list.items.begin()));
  list.items.insert(it, std::move(message));
  return true;
}

int64_t newest_seq(const MessageList& list) {
  const size_t held = confirmed_end(list);
  return held ? list.items[held - 1]->seq : 0;
}

bool apply_message_event(MessageList& list, const std::string& kind, const Json& data) {
  if (kind == "deleted") {
    const auto id = data.find("id");
    if (id == data.end() || !id->is_string()) return false;
    const std::ptrdiff_t at = index_of(list, id->get<std::string>());
    if (at < 0) return false;
    list.touch(static_cast<size_t>(at));
    list.items.erase(list.items.begin() + at);
    return true;
  }
  if (kind != "created" && kind != "updated") return false;
  const auto body = data.find("data");
  if (body == data.end()) return false;
  auto message = protocol::message_from_json(*body);
  if (!message) return false;  // a server bug; the next refetch repairs the list
  return place(list, std::make_shared<const Message>(std::move(*message)), true);
}

bool apply_stream_delta(MessageList& list, const Json& data) {
  const auto id = data.find("messageId");
  const auto delta = data.find("delta");
  const auto offset = data.find("offset");
  if (id == data.end() || !id->is_string() || delta == data.end() || !delta->is_string() ||
      offset == data.end() || !offset->is_number_unsigned()) {
    return false;
  }
  const std::string& message_id = id->get_ref<const std::string&>();
  std::ptrdiff_t at = -1;
  if (const auto seq = data.find("seq"); seq != data.end() && seq->is_number_integer()) {
    auto it = seq_position(list, seq->get<int64_t>());
    if (it != list.items.end() && (*it)->id == message_id) at = it - list.items.begin();
  }
  if (at < 0) at = index_of(list, message_id);
  if (at < 0) return false;
  const Message& current = *list.items[static_cast<size_t>(at)];
  if (current.status != MessageStatus::kStreaming) return false;  // the final text is in
  const std::string& text = delta->get_ref<const std::string&>();
  const size_t start = offset->get<size_t>();
  const size_t have = current.content.size();
  // A gap (a delta lost): wait for the final update, which carries the whole text.
  if (start > have || start + text.size() <= have) return false;
  auto grown = std::make_shared<Message>(current);
  grown->content.append(text, have - start, std::string::npos);
  list.touch(static_cast<size_t>(at));
  list.items[static_cast<size_t>(at)] = std::move(grown);
  return true;
}

void MessageList::changed() {
  firsts_[version % kLog] = pending_ == SIZE_MAX ? 0 : pending_;
  pending_ = SIZE_MAX;
  ++version;
  logged_ = std::min<uint64_t>(logged_ + 1, kLog);
}

size_t MessageList::unchanged_prefix(uint64_t since) const {
  if (since == version) return items.size();
  if (since > version || version - since > logged_) return 0;
  size_t first = items.size();
  for (uint64_t v = since; v < version; ++v)
    first = std::min(first, firsts_[v % kLog]);
  return first;
}

}  // namespace imchat::sdk
