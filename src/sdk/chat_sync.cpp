#include "sdk/chat_sync.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "model/time.h"
#include "protocol/frames.h"
#include "protocol/model_json.h"

namespace imchat::sdk {

using protocol::Json;

std::string message_channel(const std::string& conversation_id) {
  return protocol::frames::message_list(conversation_id);
}

namespace {

constexpr std::string_view kMessageChannelPrefix = protocol::frames::kMessageListPrefix;
// Messages are kept current by the socket, not by age.
constexpr int64_t kForever = std::numeric_limits<int64_t>::max() / 4;

using MessagePtr = std::shared_ptr<const Message>;

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

}  // namespace

// --- ChatSync --------------------------------------------------------------------------

ChatSync::ChatSync(QueryCache& cache, Api& api, Realtime& realtime, platform::LocalStore* store,
                   ChatSyncOptions options, Hooks hooks)
    : cache_(cache),
      api_(api),
      realtime_(realtime),
      options_(options),
      hooks_(std::move(hooks)),
      outbox_(store, OutboxLimits{.entries = options.outbox_limit,
                                  .content_bytes = options.max_content_bytes,
                                  .attempts = options.max_attempts}),
      conversations_list_(cache, api) {
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
    if (item->client_id && item->seq > 0 && outbox_.find(*item->client_id)) {
      confirm(*item->client_id, *item);
    }
  }
  for (const OutboxEntry& entry : outbox_.entries())
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
          outbox_.find(client_id->get<std::string>())) {
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
  return conversations_list_.apply_message(
      data,
      [this](const std::string& conversation_id) {
        const auto tracked = conversations_.find(conversation_id);
        return tracked != conversations_.end() && tracked->second.watchers > 0;
      },
      self_);
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
  auto entry = outbox_.add(hooks_.new_client_id(), conversation_id, content);
  if (!entry) return entry.error();
  conversations_list_.name_after_first_message(conversation_id, content);
  show_pending(*entry);
  pump();
  return entry->client_id;
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

void ChatSync::touch_delivery(const std::string& conversation_id) {
  cache_.edit_data<MessageList>(messages_key(conversation_id), [](MessageList& list) {
    list.touch(list.items.size());  // delivery, not items
    list.changed();
  });
}

void ChatSync::retry(const std::string& client_id) {
  const OutboxEntry* entry = outbox_.retry(client_id);
  if (!entry) return;
  touch_delivery(entry->conversation_id);
  pump();
}

void ChatSync::discard(const std::string& client_id) {
  if (auto conversation_id = outbox_.discard(client_id))
    remove_pending(*conversation_id, client_id);
}

Delivery ChatSync::delivery(const Message& message) const {
  return outbox_.delivery(message);
}

void ChatSync::pump() {
  if (!realtime_.open()) return;
  const int64_t now = hooks_.now_ms();
  std::weak_ptr<bool> alive = alive_;
  for (OutboxEntry& entry : outbox_.entries()) {
    if (entry.delivery != Delivery::kSending || entry.in_flight) continue;
    if (entry.not_before_ms > now) break;  // in order: nothing overtakes a waiting message
    Json frame =
        protocol::frames::send_message(entry.conversation_id, entry.content, entry.client_id);
    const std::string client_id = entry.client_id;
    const bool sent = realtime_.request(frame, [this, alive, client_id](Result<Json> answer) {
      if (alive.expired()) return;
      OutboxEntry* e = outbox_.find(client_id);
      if (!e) return;  // confirmed by its update already
      e->in_flight = false;
      if (answer) {
        auto message = protocol::message_from_json(*answer);
        if (message) return confirm(client_id, *message);
        outbox_.failed(*e, "the server's answer made no sense: " + message.error().message);
      } else {
        outbox_.refused(*e, answer.error(), hooks_.now_ms());
      }
      touch_delivery(e->conversation_id);
    });
    if (!sent) return;
    entry.in_flight = true;
    entry.attempts++;
  }
}

void ChatSync::confirm(const std::string& client_id, const Message& message) {
  if (!outbox_.confirm(client_id)) return;
  cache_.edit_data<MessageList>(messages_key(message.conversation_id), [&](MessageList& list) {
    if (place(list, std::make_shared<const Message>(message), true)) list.changed();
  });
}

void ChatSync::tick() {
  if (outbox_.due(hooks_.now_ms())) pump();
}

std::optional<int64_t> ChatSync::next_deadline_ms() const {
  return outbox_.next_deadline_ms();
}

// --- conversations ---------------------------------------------------------------------

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
  presence_.set_typing(conversation_id, typing, hooks_.now_ms(), send_frame());
}

void ChatSync::mark_read(const std::string& conversation_id, const Message& message) {
  // Not sent (the socket is closed): sent again once it is back, as the view asks every frame.
  if (!presence_.mark_read(conversation_id, message, send_frame())) return;
  // The server counts unread from the read position: zero it here too, without a refetch.
  conversations_list_.clear_unread(conversation_id);
}

Fetcher ChatSync::fetch_conversations(ConversationQuery query) {
  return conversations_list_.fetch(std::move(query), [this](const std::string& conversation_id) {
    return presence_.read_up_to(conversation_id);
  });
}

std::vector<std::string> ChatSync::typing(const std::string& conversation_id) const {
  return presence_.typing(conversation_id, hooks_.now_ms());
}

const std::map<std::string, std::string>* ChatSync::read_positions(
    const std::string& conversation_id) const {
  return presence_.read_positions(conversation_id);
}

Presence::Send ChatSync::send_frame() {
  return [this](const Json& frame) { return realtime_.send(frame); };
}

void ChatSync::on_other(const Json& frame) {
  presence_.on_frame(frame, hooks_.now_ms());  // others' typing and reading
}

bool ChatSync::cancel_reply(const std::string& conversation_id) {
  return realtime_.send(protocol::frames::cancel(conversation_id));
}

void ChatSync::create_conversation(const NewConversation& input, ApiCallback<Conversation> done) {
  conversations_list_.create(input, std::move(done));
}

void ChatSync::update_conversation(const std::string& id, const ConversationPatch& patch,
                                   ApiCallback<Conversation> done) {
  conversations_list_.update(id, patch, std::move(done));
}

void ChatSync::delete_conversation(const std::string& id, ApiCallback<Ok> done) {
  conversations_list_.remove(id, std::move(done));
}

}  // namespace imchat::sdk
