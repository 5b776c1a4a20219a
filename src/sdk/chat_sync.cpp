#include "sdk/chat_sync.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "model/time.h"
#include "protocol/frames.h"
#include "protocol/model_json.h"

namespace imchat::sdk {

using protocol::Json;

const char* to_string(Delivery delivery) {
  switch (delivery) {
    case Delivery::kSent:
      return "sent";
    case Delivery::kSending:
      return "sending";
    case Delivery::kFailed:
      return "failed";
  }
  return "?";
}

std::string message_channel(const std::string& conversation_id) {
  return protocol::frames::message_list(conversation_id);
}

namespace {

constexpr const char* kOutboxKey = "imchat.outbox";
constexpr std::string_view kMessageChannelPrefix = protocol::frames::kMessageListPrefix;
// Messages are kept current by the socket, not by age.
constexpr int64_t kForever = std::numeric_limits<int64_t>::max() / 4;

using MessagePtr = std::shared_ptr<const Message>;

// Unsent messages (seq 0) sit after every stored one.
size_t confirmed_end(const MessageList& list) {
  size_t n = list.items.size();
  while (n > 0 && list.items[n - 1]->seq == 0)
    --n;
  return n;
}

std::vector<MessagePtr>::iterator seq_position(MessageList& list, int64_t seq) {
  auto end = list.items.begin() + static_cast<std::ptrdiff_t>(confirmed_end(list));
  return std::lower_bound(list.items.begin(), end, seq,
                          [](const MessagePtr& m, int64_t s) { return m->seq < s; });
}

// Where the message with this id is, searching from the newest (where changes happen).
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

// Puts a stored message in its place, replacing the one with its seq or id.
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

// How a message waiting in the outbox is shown: seq 0 (after every stored one), its
// clientId, a local id until the server gives it one.
MessagePtr unsent_message(const OutboxEntry& entry) {
  Message pending;
  pending.id = "local-" + entry.client_id;
  pending.content = entry.content;
  pending.conversation_id = entry.conversation_id;
  pending.client_id = entry.client_id;
  pending.created_at = now_utc();
  return std::make_shared<const Message>(std::move(pending));
}

int64_t newest_seq(const MessageList& list) {
  const size_t held = confirmed_end(list);
  return held ? list.items[held - 1]->seq : 0;
}

}  // namespace

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

// --- MessageList -----------------------------------------------------------------------

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

// --- ChatSync --------------------------------------------------------------------------

ChatSync::ChatSync(QueryCache& cache, Api& api, Realtime& realtime, platform::LocalStore* store,
                   ChatSyncOptions options, Hooks hooks)
    : cache_(cache),
      api_(api),
      realtime_(realtime),
      store_(store),
      options_(options),
      hooks_(std::move(hooks)) {
  RealtimeListener listener;
  listener.on_open = [this](bool reconnect) { on_open(reconnect); };
  listener.on_update = [this](const std::string& c, const Json& d) { on_update(c, d); };
  listener.on_stream = [this](const std::string& c, const Json& d) { on_stream(c, d); };
  listener.on_other = [this](const Json& frame) { on_other(frame); };
  listener.on_resync = [this](const std::string& channel) {
    if (channel.rfind(kMessageChannelPrefix, 0) == 0)
      cache_.invalidate(messages_key(channel.substr(kMessageChannelPrefix.size())), true);
  };
  realtime_.set_listener(std::move(listener));
  realtime_.subscribe(std::string(kConversationListChannel), std::nullopt, false);
  load_outbox();
}

ChatSync::~ChatSync() {
  *alive_ = false;
  realtime_.set_listener({});
}

ChatSync::Watch& ChatSync::Watch::operator=(Watch&& other) noexcept {
  if (this != &other) {
    reset();
    sync_ = std::exchange(other.sync_, nullptr);
    alive_ = std::move(other.alive_);
    conversation_id_ = std::move(other.conversation_id_);
    observer_ = std::move(other.observer_);
  }
  return *this;
}

void ChatSync::Watch::reset() {
  observer_.reset();
  if (sync_ && !alive_.expired()) sync_->unwatch(conversation_id_);
  sync_ = nullptr;
}

ChatSync::Watch ChatSync::watch_messages(const std::string& conversation_id) {
  Tracked& c = conversations_[conversation_id];
  c.watchers++;
  Watch watch;
  watch.sync_ = this;
  watch.alive_ = alive_;
  watch.conversation_id_ = conversation_id;
  // Still cached from an earlier visit: catch up over the socket rather than refetching.
  const std::string channel = message_channel(conversation_id);
  if (auto list = messages(conversation_id); list && !realtime_.subscribed(channel))
    realtime_.subscribe(channel, std::max(c.last_seq, newest_seq(*list)));
  QueryOptions options;
  options.stale_ms = kForever;
  watch.observer_ =
      cache_.observe(messages_key(conversation_id), newest_page_fetcher(conversation_id), options);
  return watch;
}

void ChatSync::unwatch(const std::string& conversation_id) {
  auto it = conversations_.find(conversation_id);
  if (it == conversations_.end() || --it->second.watchers > 0) return;
  const std::string channel = message_channel(conversation_id);
  it->second.last_seq = std::max(it->second.last_seq, realtime_.last_seq(channel));
  realtime_.unsubscribe(channel);
}

std::shared_ptr<const MessageList> ChatSync::messages(const std::string& conversation_id) const {
  return cache_.data<MessageList>(messages_key(conversation_id));
}

const QueryState* ChatSync::messages_state(const std::string& conversation_id) const {
  return cache_.find(messages_key(conversation_id));
}

Fetcher ChatSync::newest_page_fetcher(const std::string& conversation_id) {
  std::weak_ptr<bool> alive = alive_;
  return [this, alive, conversation_id](FetchDone done) -> std::function<void()> {
    Tracked& c = conversations_[conversation_id];
    if (c.fetches++ == 0) c.replay.clear();
    auto finished = std::make_shared<bool>(false);
    auto settle = [this, alive, conversation_id, finished] {
      if (alive.expired() || *finished) return false;
      *finished = true;
      conversations_[conversation_id].fetches--;
      return true;
    };
    MessageQuery query;
    query.conversation_id = conversation_id;
    query.take = options_.page_size;
    query.newest_first = true;
    const platform::RequestId request =
        api_.list_messages(query, [this, settle, conversation_id, done](Result<Page<Message>> r) {
          if (!settle()) return;
          if (!r) return done(r.error());
          auto list = merge_fetched(conversation_id, std::move(*r));
          Tracked& c = conversations_[conversation_id];
          const std::string channel = message_channel(conversation_id);
          if (c.watchers > 0 && !realtime_.subscribed(channel))
            realtime_.subscribe(channel, std::max(c.last_seq, newest_seq(*list)));
          done(AnyData(std::move(list)));
        });
    return [this, settle, request] {
      if (settle()) api_.cancel(request);
    };
  };
}

std::shared_ptr<MessageList> ChatSync::merge_fetched(const std::string& conversation_id,
                                                     Page<Message> page) {
  auto list = std::make_shared<MessageList>();
  auto existing = messages(conversation_id);
  std::vector<MessagePtr> fetched;
  fetched.reserve(page.data.size());
  for (auto it = page.data.rbegin(); it != page.data.rend(); ++it)
    fetched.push_back(std::make_shared<const Message>(std::move(*it)));

  // Older pages already loaded stay when the new page joins up with them.
  list->has_older = page.has_more;
  if (existing && !fetched.empty() && page.has_more) {
    const int64_t oldest_fetched = fetched.front()->seq;
    const size_t held = confirmed_end(*existing);
    if (held > 0 && existing->items[held - 1]->seq >= oldest_fetched) {
      for (size_t i = 0; i < held && existing->items[i]->seq < oldest_fetched; ++i)
        list->items.push_back(existing->items[i]);
      if (!list->items.empty()) list->has_older = existing->has_older;
    }
  }
  // Unchanged messages keep their identity (the view keeps their layout).
  for (auto& message : fetched) {
    if (existing) {
      const std::ptrdiff_t at = index_of(*existing, message->id);
      if (at >= 0 && *existing->items[static_cast<size_t>(at)] == *message) {
        list->items.push_back(existing->items[static_cast<size_t>(at)]);
        continue;
      }
    }
    list->items.push_back(std::move(message));
  }
  // What happened while the page was on its way.
  for (auto& [stream, data] : conversations_[conversation_id].replay) {
    if (stream) {
      apply_stream_delta(*list, data);
    } else {
      apply_message_event(*list, protocol::json_text(data, "type"), data);
    }
  }
  // Sent earlier, stored meanwhile: the ack was lost, the page says it arrived.
  for (const auto& item : list->items) {
    if (item->client_id && item->seq > 0 && find_entry(*item->client_id)) {
      confirm(*item->client_id, *item);
    }
  }
  for (const OutboxEntry& entry : outbox_)
    if (entry.conversation_id == conversation_id) list->items.push_back(unsent_message(entry));
  list->version = existing ? existing->version + 1 : 1;
  return list;
}

bool ChatSync::loading_more(const std::string& conversation_id) const {
  auto it = conversations_.find(conversation_id);
  return it != conversations_.end() && it->second.paging;
}

bool ChatSync::load_older(const std::string& conversation_id) {
  auto list = messages(conversation_id);
  if (!list || !list->has_older || loading_more(conversation_id) || confirmed_end(*list) == 0)
    return false;
  MessageQuery query;
  query.conversation_id = conversation_id;
  query.take = options_.page_size;
  query.newest_first = true;
  query.before_seq = list->items.front()->seq;
  conversations_[conversation_id].paging = true;
  std::weak_ptr<bool> alive = alive_;
  api_.list_messages(query, [this, alive, conversation_id](Result<Page<Message>> page) {
    if (alive.expired()) return;
    conversations_[conversation_id].paging = false;
    if (!page) return;  // the view offers to scroll up again
    cache_.edit_data<MessageList>(messages_key(conversation_id), [&](MessageList& list) {
      std::vector<MessagePtr> older;
      const int64_t front = confirmed_end(list) ? list.items.front()->seq : kForever;
      for (auto it = page->data.rbegin(); it != page->data.rend(); ++it)
        if (it->seq < front) older.push_back(std::make_shared<const Message>(std::move(*it)));
      list.items.insert(list.items.begin(), older.begin(), older.end());
      list.has_older = page->has_more;
      // The cap: let the newest pages go; load_newer brings them back.
      const size_t cap = static_cast<size_t>(options_.page_size * options_.max_pages);
      const size_t held = confirmed_end(list);
      if (held > cap) {
        list.items.erase(list.items.begin() + static_cast<std::ptrdiff_t>(cap),
                         list.items.begin() + static_cast<std::ptrdiff_t>(held));
        list.has_newer = true;
      }
      list.touch(0);
      list.changed();
    });
  });
  return true;
}

bool ChatSync::load_newer(const std::string& conversation_id) {
  auto list = messages(conversation_id);
  if (!list || !list->has_newer || loading_more(conversation_id)) return false;
  MessageQuery query;
  query.conversation_id = conversation_id;
  query.take = options_.page_size;
  query.after_seq = newest_seq(*list);
  conversations_[conversation_id].paging = true;
  std::weak_ptr<bool> alive = alive_;
  api_.list_messages(query, [this, alive, conversation_id](Result<Page<Message>> page) {
    if (alive.expired()) return;
    conversations_[conversation_id].paging = false;
    if (!page) return;
    cache_.edit_data<MessageList>(messages_key(conversation_id), [&](MessageList& list) {
      list.has_newer = false;  // this page continues the list: place() may append
      for (auto& message : page->data)
        place(list, std::make_shared<const Message>(std::move(message)), true);
      list.has_newer = page->has_more;
      const size_t cap = static_cast<size_t>(options_.page_size * options_.max_pages);
      const size_t held = confirmed_end(list);
      if (held > cap) {
        list.touch(0);
        list.items.erase(list.items.begin(),
                         list.items.begin() + static_cast<std::ptrdiff_t>(held - cap));
        list.has_older = true;
      }
      list.changed();
    });
  });
  return true;
}

// --- realtime --------------------------------------------------------------------------

void ChatSync::remember(const std::string& conversation_id, bool stream, const Json& data) {
  auto it = conversations_.find(conversation_id);
  if (it != conversations_.end() && it->second.fetches > 0)
    it->second.replay.emplace_back(stream, data);
}

void ChatSync::on_update(const std::string& channel, const Json& data) {
  if (channel == kConversationListChannel) {
    if (!apply_list_message(data)) cache_.invalidate({"conversations"});
    return;
  }
  if (channel.rfind(kMessageChannelPrefix, 0) != 0) return;
  apply_update(channel.substr(kMessageChannelPrefix.size()), data);
}

void ChatSync::apply_update(const std::string& conversation_id, const Json& data) {
  remember(conversation_id, false, data);
  const std::string kind = protocol::json_text(data, "type");
  cache_.edit_data<MessageList>(messages_key(conversation_id), [&](MessageList& list) {
    if (apply_message_event(list, kind, data)) list.changed();
  });
  // Our own message, stored: whether or not its ack comes, it is sent.
  if (kind == "created") {
    const auto body = data.find("data");
    if (body != data.end() && body->is_object()) {
      const auto client_id = body->find("clientId");
      if (client_id != body->end() && client_id->is_string() &&
          find_entry(client_id->get<std::string>())) {
        if (auto message = protocol::message_from_json(*body))
          confirm(client_id->get<std::string>(), *message);
      }
    }
  }
}

// A message in any of the user's conversations, on the list channel: the row's last message,
// its unread count and its place (first) change in the cached list itself. A busy group
// chat must not make every member refetch their list per message. False when the list
// must be refetched instead (a conversation changed, a deletion, a row not in the cache).
bool ChatSync::apply_list_message(const Json& data) {
  const std::string kind = protocol::json_text(data, "type");
  const auto body = data.find("data");
  if (kind == "deleted" || body == data.end() || !body->is_object() ||
      !body->contains("conversationId"))
    return false;
  const auto message = protocol::message_from_json(*body);
  if (!message) return false;
  // The whole conversation's totals after this message, when the server sends them.
  std::optional<ConversationTotals> totals;
  if (const auto t = data.find("totals"); t != data.end() && t->is_object()) {
    if (auto parsed = protocol::totals_from_json(*t)) totals = *parsed;
  }
  const auto tracked = conversations_.find(message->conversation_id);
  const bool watched = tracked != conversations_.end() && tracked->second.watchers > 0;
  const bool unread =
      kind == "created" && !watched && !(message->author_id && *message->author_id == self_);
  bool found = false;
  for (const auto& [key, page_data] : snapshot({"conversations"})) {
    cache_.edit_data<Page<ConversationSummary>>(
        key,
        [&](Page<ConversationSummary>& page) {
          auto row = std::find_if(page.data.begin(), page.data.end(), [&](const auto& r) {
            return r.conversation.id == message->conversation_id;
          });
          if (row == page.data.end()) return;
          found = true;
          if (kind == "created" || (row->last_message && row->last_message->id == message->id))
            row->last_message = *message;
          if (unread) ++row->unread_count;
          if (totals) row->conversation.totals = *totals;
          if (kind == "created") std::rotate(page.data.begin(), row, row + 1);  // most recent first
        },
        true);
  }
  return found;
}

void ChatSync::on_stream(const std::string& channel, const Json& data) {
  if (channel.rfind(kMessageChannelPrefix, 0) != 0) return;
  apply_stream(channel.substr(kMessageChannelPrefix.size()), data);
}

void ChatSync::apply_stream(const std::string& conversation_id, const Json& data) {
  remember(conversation_id, true, data);
  cache_.edit_data<MessageList>(messages_key(conversation_id), [&](MessageList& list) {
    if (apply_stream_delta(list, data)) list.changed();
  });
}

void ChatSync::on_open(bool reconnect) {
  // The conversation list channel has no replay: what changed meanwhile is refetched.
  if (reconnect) cache_.invalidate({"conversations"});
  pump();
}

void ChatSync::on_visible() {
  cache_.refetch_stale();
  realtime_.wake_up();
}

// --- outbox ----------------------------------------------------------------------------

Result<std::string> ChatSync::send_message(const std::string& conversation_id,
                                           const std::string& content) {
  if (content.find_first_not_of(" \t\r\n") == std::string::npos)
    return Error{ErrorCode::kValidation, "the message is empty", 0, "content"};
  if (content.size() > options_.max_content_bytes) {
    return Error{
        ErrorCode::kTooLarge,
        "the message is over " + std::to_string(options_.max_content_bytes / 1024) + " KiB", 0,
        "content"};
  }
  if (outbox_.size() >= options_.outbox_limit) {
    return Error{ErrorCode::kTooLarge, std::to_string(outbox_.size()) +
                                           " messages are waiting to be sent; try again when "
                                           "the connection is back"};
  }
  OutboxEntry entry;
  entry.client_id = hooks_.new_client_id();
  entry.conversation_id = conversation_id;
  entry.content = content;
  outbox_.push_back(entry);
  save_outbox();
  show_pending(entry);
  pump();
  return entry.client_id;
}

void ChatSync::show_pending(const OutboxEntry& entry) {
  cache_.edit_data<MessageList>(messages_key(entry.conversation_id), [&](MessageList& list) {
    list.touch(list.items.size());
    list.items.push_back(unsent_message(entry));
    list.changed();
  });
}

void ChatSync::remove_pending(const std::string& conversation_id, const std::string& client_id) {
  cache_.edit_data<MessageList>(messages_key(conversation_id), [&](MessageList& list) {
    if (remove_unsent(list, client_id)) list.changed();
  });
}

void ChatSync::retry(const std::string& client_id) {
  OutboxEntry* entry = find_entry(client_id);
  if (!entry || entry->delivery != Delivery::kFailed) return;
  entry->delivery = Delivery::kSending;
  entry->attempts = 0;
  entry->error.clear();
  save_outbox();
  cache_.edit_data<MessageList>(messages_key(entry->conversation_id), [](MessageList& list) {
    list.touch(list.items.size());  // delivery, not items
    list.changed();
  });
  pump();
}

void ChatSync::discard(const std::string& client_id) {
  auto it = std::find_if(outbox_.begin(), outbox_.end(),
                         [&](const OutboxEntry& e) { return e.client_id == client_id; });
  if (it == outbox_.end() || it->delivery != Delivery::kFailed) return;
  const std::string conversation_id = it->conversation_id;
  outbox_.erase(it);
  save_outbox();
  remove_pending(conversation_id, client_id);
}

Delivery ChatSync::delivery(const Message& message) const {
  if (message.seq > 0 || !message.client_id) return Delivery::kSent;
  for (const OutboxEntry& entry : outbox_)
    if (entry.client_id == *message.client_id) return entry.delivery;
  return Delivery::kSending;
}

OutboxEntry* ChatSync::find_entry(const std::string& client_id) {
  for (OutboxEntry& entry : outbox_)
    if (entry.client_id == client_id) return &entry;
  return nullptr;
}

void ChatSync::pump() {
  if (!realtime_.open()) return;
  const int64_t now = hooks_.now_ms();
  std::weak_ptr<bool> alive = alive_;
  for (OutboxEntry& entry : outbox_) {
    if (entry.delivery != Delivery::kSending || entry.in_flight) continue;
    if (entry.not_before_ms > now) break;  // in order: nothing overtakes a waiting message
    Json frame =
        protocol::frames::send_message(entry.conversation_id, entry.content, entry.client_id);
    const std::string client_id = entry.client_id;
    const bool sent = realtime_.request(frame, [this, alive, client_id](Result<Json> answer) {
      if (alive.expired()) return;
      OutboxEntry* e = find_entry(client_id);
      if (!e) return;  // confirmed by its update already
      e->in_flight = false;
      if (answer) {
        auto message = protocol::message_from_json(*answer);
        if (message) return confirm(client_id, *message);
        e->delivery = Delivery::kFailed;
        e->error = "the server's answer made no sense: " + message.error().message;
      } else if (answer.error().code == ErrorCode::kNetwork) {
        if (e->attempts >= options_.max_attempts) {
          e->delivery = Delivery::kFailed;
          e->error = "not delivered after " + std::to_string(e->attempts) + " attempts";
        }
        // Otherwise it goes again, in order, when the connection is back.
      } else if (answer.error().code == ErrorCode::kRateLimited) {
        e->attempts--;
        e->not_before_ms = hooks_.now_ms() + 1000 * std::max(1, answer.error().retry_after_s);
      } else {
        e->delivery = Delivery::kFailed;
        e->error = answer.error().message;
      }
      save_outbox();
      cache_.edit_data<MessageList>(messages_key(e->conversation_id), [](MessageList& list) {
        list.touch(list.items.size());  // delivery, not items
        list.changed();
      });
    });
    if (!sent) return;
    entry.in_flight = true;
    entry.attempts++;
  }
}

void ChatSync::confirm(const std::string& client_id, const Message& message) {
  auto it = std::find_if(outbox_.begin(), outbox_.end(),
                         [&](const OutboxEntry& e) { return e.client_id == client_id; });
  if (it == outbox_.end()) return;
  outbox_.erase(it);
  save_outbox();
  cache_.edit_data<MessageList>(messages_key(message.conversation_id), [&](MessageList& list) {
    if (place(list, std::make_shared<const Message>(message), true)) list.changed();
  });
}

void ChatSync::tick() {
  const int64_t now = hooks_.now_ms();
  for (const OutboxEntry& entry : outbox_) {
    if (entry.delivery == Delivery::kSending && !entry.in_flight && entry.not_before_ms > 0 &&
        entry.not_before_ms <= now) {
      return pump();
    }
  }
}

std::optional<int64_t> ChatSync::next_deadline_ms() const {
  std::optional<int64_t> next;
  for (const OutboxEntry& entry : outbox_) {
    if (entry.delivery == Delivery::kSending && !entry.in_flight && entry.not_before_ms > 0)
      next = next ? std::min(*next, entry.not_before_ms) : entry.not_before_ms;
  }
  return next;
}

void ChatSync::save_outbox() const {
  if (!store_) return;
  Json entries = Json::array();
  for (const OutboxEntry& entry : outbox_) {
    entries.push_back({{"clientId", entry.client_id},
                       {"conversationId", entry.conversation_id},
                       {"content", entry.content},
                       {"failed", entry.delivery == Delivery::kFailed},
                       {"attempts", entry.attempts},
                       {"error", entry.error}});
  }
  if (outbox_.empty()) {
    store_->remove(kOutboxKey);
  } else {
    store_->set(kOutboxKey, protocol::dump_json(entries));
  }
}

void ChatSync::load_outbox() {
  if (!store_) return;
  const auto text = store_->get(kOutboxKey);
  if (!text) return;
  auto entries = protocol::parse_json(*text);
  if (!entries || !entries->is_array()) return;  // unreadable: nothing we can resend
  for (const Json& item : *entries) {
    protocol::ObjectReader r(item, "outbox");
    OutboxEntry entry;
    entry.client_id = r.required_string("clientId");
    entry.conversation_id = r.required_string("conversationId");
    entry.content = r.required_string("content");
    entry.attempts = static_cast<int>(r.optional_int("attempts").value_or(0));
    entry.error = r.optional_string("error").value_or("");
    const auto failed = item.find("failed");
    if (failed != item.end() && failed->is_boolean() && failed->get<bool>())
      entry.delivery = Delivery::kFailed;
    if (r.ok() && outbox_.size() < options_.outbox_limit) outbox_.push_back(std::move(entry));
  }
}

// --- conversations ---------------------------------------------------------------------

ChatSync::Snapshot ChatSync::snapshot(const QueryKey& prefix) const {
  Snapshot out;
  for (const QueryState* q : cache_.queries())
    if (starts_with(q->key, prefix) && q->data) out.emplace_back(q->key, q->data);
  return out;
}

void ChatSync::restore(const Snapshot& snapshot) {
  for (const auto& [key, data] : snapshot)
    cache_.set_data(key, data);
}

void ChatSync::regenerate(const std::string& reply_id, ApiCallback<Ok> done) {
  api_.regenerate_message(reply_id, [done](Result<Ok> r) {
    if (done) done(std::move(r));
  });
}

void ChatSync::edit_and_resend(const std::string& message_id, const std::string& content,
                               const std::string& reply_id, ApiCallback<Ok> done) {
  std::weak_ptr<bool> alive = alive_;
  api_.update_message(message_id, content, [this, alive, reply_id, done](Result<Message> edited) {
    if (!edited) {
      if (done) done(edited.error());
      return;
    }
    if (alive.expired() || reply_id.empty()) {
      if (done) done(Ok{});
      return;
    }
    regenerate(reply_id, done);
  });
}

void ChatSync::set_typing(const std::string& conversation_id, bool typing) {
  Presence& p = presence_[conversation_id];
  const int64_t now = hooks_.now_ms();
  if (typing) {
    if (p.my_typing_sent_ms >= 0 && now - p.my_typing_sent_ms < kTypingRepeatMs) return;
    if (realtime_.send(protocol::frames::typing(conversation_id, true))) p.my_typing_sent_ms = now;
  } else if (p.my_typing_sent_ms >= 0) {
    realtime_.send(protocol::frames::typing(conversation_id, false));
    p.my_typing_sent_ms = -1;
  }
}

void ChatSync::mark_read(const std::string& conversation_id, const Message& message) {
  Presence& p = presence_[conversation_id];
  if (message.seq <= p.my_read_seq) return;
  if (!realtime_.send(protocol::frames::read(conversation_id, message.id)))
    return;  // sent again once the socket is back (the view asks every frame)
  p.my_read_seq = message.seq;
  // The server counts unread from the read position: zero it here too, without a refetch.
  for (const auto& [key, data] : snapshot({"conversations"})) {
    cache_.edit_data<Page<ConversationSummary>>(
        key,
        [&](Page<ConversationSummary>& page) {
          for (ConversationSummary& row : page.data)
            if (row.conversation.id == conversation_id) row.unread_count = 0;
        },
        true);
  }
}

Fetcher ChatSync::fetch_conversations(ConversationQuery query) {
  Fetcher fetch = sdk::fetch_conversations(api_, std::move(query));
  std::weak_ptr<bool> alive = alive_;
  return [this, alive, fetch](FetchDone done) {
    return fetch([this, alive, done](Result<AnyData> result) {
      if (result && !alive.expired()) {
        // Mutable underneath (sdk::fetch_conversations made it), and not yet shared.
        auto page = std::const_pointer_cast<Page<ConversationSummary>>(
            std::static_pointer_cast<const Page<ConversationSummary>>(*result));
        for (ConversationSummary& row : page->data) {
          const auto read = presence_.find(row.conversation.id);
          if (read != presence_.end() && row.last_message &&
              row.last_message->seq <= read->second.my_read_seq)
            row.unread_count = 0;
        }
      }
      done(std::move(result));
    });
  };
}

std::vector<std::string> ChatSync::typing(const std::string& conversation_id) const {
  std::vector<std::string> users;
  const auto it = presence_.find(conversation_id);
  if (it == presence_.end()) return users;
  const int64_t now = hooks_.now_ms();
  for (const auto& [user, until] : it->second.typing_until)
    if (until > now) users.push_back(user);
  return users;
}

const std::map<std::string, std::string>* ChatSync::read_positions(
    const std::string& conversation_id) const {
  const auto it = presence_.find(conversation_id);
  return it == presence_.end() || it->second.read.empty() ? nullptr : &it->second.read;
}

void ChatSync::on_other(const Json& frame) {
  // Others' typing and reading. Read field by field: a malformed frame is ignored.
  const auto type = frame.find("type");
  const auto conversation = frame.find("conversationId");
  const auto user = frame.find("userId");
  if (type == frame.end() || !type->is_string() || conversation == frame.end() ||
      !conversation->is_string() || user == frame.end() || !user->is_string())
    return;
  Presence& p = presence_[conversation->get<std::string>()];
  const std::string& user_id = user->get_ref<const std::string&>();
  ++presence_version_;
  if (*type == protocol::frames::kTyping) {
    const auto on = frame.find("isTyping");
    if (on == frame.end() || !on->is_boolean()) return;
    if (on->get<bool>()) {
      p.typing_until[user_id] = hooks_.now_ms() + kTypingExpiryMs;
    } else {
      p.typing_until.erase(user_id);
    }
  } else if (*type == protocol::frames::kRead) {
    const auto message = frame.find("messageId");
    if (message == frame.end() || !message->is_string()) return;
    p.read[user_id] = message->get<std::string>();
    p.typing_until.erase(user_id);
  }
}

bool ChatSync::cancel_reply(const std::string& conversation_id) {
  return realtime_.send(protocol::frames::cancel(conversation_id));
}

void ChatSync::create_conversation(const NewConversation& input, ApiCallback<Conversation> done) {
  std::weak_ptr<bool> alive = alive_;
  api_.create_conversation(input, [this, alive, done](Result<Conversation> created) {
    if (!alive.expired()) cache_.invalidate({"conversations"});
    if (done) done(std::move(created));
  });
}

void ChatSync::update_conversation(const std::string& id, const ConversationPatch& patch,
                                   ApiCallback<Conversation> done) {
  Snapshot before = snapshot({"conversations"});
  for (const auto& [key, data] : before) {
    cache_.edit_data<Page<ConversationSummary>>(
        key,
        [&](Page<ConversationSummary>& page) {
          for (ConversationSummary& row : page.data) {
            if (row.conversation.id != id) continue;
            if (patch.title) row.conversation.title = *patch.title;
            if (patch.system_prompt) row.conversation.system_prompt = *patch.system_prompt;
            if (patch.model) row.conversation.model = *patch.model;
            if (patch.temperature) row.conversation.temperature = *patch.temperature;
          }
        },
        false);
  }
  std::weak_ptr<bool> alive = alive_;
  api_.update_conversation(
      id, patch, [this, alive, before = std::move(before), done](Result<Conversation> updated) {
        if (!alive.expired()) {
          if (!updated) restore(before);
          cache_.invalidate({"conversations"});
        }
        if (done) done(std::move(updated));
      });
}

void ChatSync::delete_conversation(const std::string& id, ApiCallback<Ok> done) {
  Snapshot before = snapshot({"conversations"});
  for (const auto& [key, data] : before) {
    cache_.edit_data<Page<ConversationSummary>>(
        key,
        [&](Page<ConversationSummary>& page) {
          const auto removed = std::remove_if(
              page.data.begin(), page.data.end(),
              [&](const ConversationSummary& row) { return row.conversation.id == id; });
          page.total -= page.data.end() - removed;
          page.data.erase(removed, page.data.end());
        },
        false);
  }
  std::weak_ptr<bool> alive = alive_;
  api_.delete_conversation(id, [this, alive, id, before = std::move(before), done](Result<Ok> r) {
    if (!alive.expired()) {
      if (!r) restore(before);
      if (r) cache_.invalidate(messages_key(id), true);
      cache_.invalidate({"conversations"});
    }
    if (done) done(std::move(r));
  });
}

}  // namespace imchat::sdk
