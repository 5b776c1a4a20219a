// ConversationList (conversation_list.h): the cached list pages, patched and mutated.
#include "sdk/conversation_list.h"

#include <algorithm>
#include <optional>

#include "model/preview.h"
#include "protocol/model_json.h"

namespace imchat::sdk {

using protocol::Json;

ConversationList::Snapshot ConversationList::snapshot() const {
  Snapshot out;
  for (const QueryState* q : cache_.queries())
    if (starts_with(q->key, {"conversations"}) && q->data) out.emplace_back(q->key, q->data);
  return out;
}

void ConversationList::restore(const Snapshot& snapshot) {
  for (const auto& [key, data] : snapshot)
    cache_.set_data(key, data);
}

void ConversationList::edit_pages(const std::function<void(Page<ConversationSummary>&)>& edit,
                                  bool keep_fresh) {
  for (const auto& [key, data] : snapshot())
    cache_.edit_data<Page<ConversationSummary>>(key, edit, keep_fresh);
}

Fetcher ConversationList::fetch(ConversationQuery query, ReadUpTo read_up_to) {
  Fetcher fetch = sdk::fetch_conversations(api_, std::move(query));
  std::weak_ptr<bool> alive = alive_;
  return [alive, fetch, read_up_to = std::move(read_up_to)](FetchDone done) {
    return fetch([alive, done, read_up_to](Result<AnyData> result) {
      if (result && !alive.expired()) {
        // Mutable underneath (sdk::fetch_conversations made it), and not yet shared.
        auto page = std::const_pointer_cast<Page<ConversationSummary>>(
            std::static_pointer_cast<const Page<ConversationSummary>>(*result));
        for (ConversationSummary& row : page->data) {
          if (row.last_message && row.last_message->seq <= read_up_to(row.conversation.id))
            row.unread_count = 0;
        }
      }
      done(std::move(result));
    });
  };
}

bool ConversationList::apply_message(const Json& data, const IsOpen& is_open,
                                     const std::string& self_id) {
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
  const bool unread = kind == "created" && !is_open(message->conversation_id) &&
                      !(message->author_id && *message->author_id == self_id);
  bool found = false;
  edit_pages(
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
  return found;
}

void ConversationList::clear_unread(const std::string& conversation_id) {
  edit_pages(
      [&](Page<ConversationSummary>& page) {
        for (ConversationSummary& row : page.data)
          if (row.conversation.id == conversation_id) row.unread_count = 0;
      },
      true);
}

void ConversationList::name_after_first_message(const std::string& conversation_id,
                                                const std::string& content) {
  const auto page = cache_.data<Page<ConversationSummary>>(conversations_key());
  const ConversationSummary* row = find_conversation(page.get(), conversation_id);
  if (!row || row->conversation.title != kNewChatTitle || row->last_message) return;
  ConversationPatch patch;
  std::string title = preview_line(content, 48);
  if (title.size() < content.size()) title += "…";
  patch.title = title;
  update(conversation_id, patch, nullptr);
}

void ConversationList::create(const NewConversation& input, ApiCallback<Conversation> done) {
  std::weak_ptr<bool> alive = alive_;
  api_.create_conversation(input, [this, alive, done](Result<Conversation> created) {
    if (!alive.expired()) cache_.invalidate({"conversations"});
    if (done) done(std::move(created));
  });
}

void ConversationList::update(const std::string& id, const ConversationPatch& patch,
                              ApiCallback<Conversation> done) {
  Snapshot before = snapshot();
  edit_pages(
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

void ConversationList::remove(const std::string& id, ApiCallback<Ok> done) {
  Snapshot before = snapshot();
  edit_pages(
      [&](Page<ConversationSummary>& page) {
        const auto removed = std::remove_if(
            page.data.begin(), page.data.end(),
            [&](const ConversationSummary& row) { return row.conversation.id == id; });
        page.total -= page.data.end() - removed;
        page.data.erase(removed, page.data.end());
      },
      false);
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
