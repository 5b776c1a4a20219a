#include "app/page_events.h"

#include <algorithm>

#include "protocol/json.h"
#include "protocol/model_json.h"

namespace imchat::app {
namespace {

// New messages land at the end of the list; a few rows back is enough to see every one.
constexpr size_t kTailToScan = 32;

std::string author_name(const ConversationSummary* summary, const Message& m) {
  if (m.role == MessageRole::kAssistant) return "Assistant";
  const User* user =
      summary && m.author_id ? summary->conversation.participant(*m.author_id) : nullptr;
  return user && !user->name.empty() ? user->name : "New message";
}

bool finished(const Message& m) {
  return m.status != MessageStatus::kStreaming;
}

}  // namespace

std::string spoken_text(std::string_view markdown) {
  std::string out;
  out.reserve(markdown.size());
  bool line_start = true;
  for (size_t i = 0; i < markdown.size(); ++i) {
    const char c = markdown[i];
    if (line_start) {
      // "## Heading", "> quote", "- item": the marks are layout, not words.
      size_t j = i;
      while (j < markdown.size() && (markdown[j] == '#' || markdown[j] == '>'))
        ++j;
      if (j == i && j + 1 < markdown.size() && (markdown[j] == '-' || markdown[j] == '+')) ++j;
      if (j > i && j < markdown.size() && markdown[j] == ' ') {
        i = j;
        line_start = false;
        continue;
      }
    }
    line_start = c == '\n';
    if (c == '*' || c == '`' || (c == '_' && i + 1 < markdown.size() && markdown[i + 1] == '_')) {
      if (c == '_') ++i;
      continue;
    }
    out += c == '\n' ? ' ' : c;
  }
  // Runs of spaces (from removed marks and joined lines) read as one pause.
  out.erase(
      std::unique(out.begin(), out.end(), [](char a, char b) { return a == ' ' && b == ' '; }),
      out.end());
  while (!out.empty() && out.back() == ' ')
    out.pop_back();
  while (!out.empty() && out.front() == ' ')
    out.erase(out.begin());
  return out;
}

void PageEvents::update(const sdk::ChatClient& chat, const PageView& view) {
  if (!ready_ && view.drawn && chat.session().signed_in) {
    ready_ = true;
    page_.emit(protocol::dump_json({{"type", "ready"}, {"user", chat.session().user.id}}));
  }
  if (view.open != location_) {
    location_ = view.open;
    page_.set_location(view.open);
  }

  // Unread across all conversations: the title and the embedding page's badge. Redone only
  // when the list or the open chat changed (this runs every tick).
  const auto page_data = chat.cache().data<Page<ConversationSummary>>(sdk::conversations_key());
  const Page<ConversationSummary>* page = page_data.get();
  const ConversationSummary* open = sdk::find_conversation(page, view.open);
  if (page_data != seen_page_ || view.open != seen_open_) {
    seen_page_ = page_data;
    seen_open_ = view.open;
    update_title(page, open, view.open);
  }
  const std::string& error = view.error.empty() ? chat.session().error : view.error;
  if (error != error_) {
    error_ = error;
    if (!error.empty()) page_.emit(protocol::dump_json({{"type", "error"}, {"message", error}}));
  }

  update_messages(chat, view.open, open);
}

void PageEvents::update_title(const Page<ConversationSummary>* page,
                              const ConversationSummary* open, const std::string& open_id) {
  int64_t unread = 0;
  if (page) {
    for (const ConversationSummary& row : page->data)
      if (row.conversation.id != open_id) unread += row.unread_count;
  }
  if (page && unread != unread_) {
    unread_ = unread;
    page_.emit(protocol::dump_json({{"type", "unread"}, {"count", unread}}));
  }
  std::string title = open && !open->conversation.title.empty()
                          ? open->conversation.title + " · imchat"
                          : std::string("imchat");
  if (unread_ > 0) title = "(" + std::to_string(unread_) + ") " + title;
  if (title != title_) {
    title_ = title;
    page_.set_title(title);
  }
}

void PageEvents::update_messages(const sdk::ChatClient& chat, const std::string& open,
                                 const ConversationSummary* summary) {
  if (open != watched_) {
    watched_ = open;
    list_.reset();
    baseline_ = false;
    told_.clear();
    spoken_.clear();
  }
  if (open.empty()) return;
  auto list = chat.sync().messages(open);
  if (!list || list == list_) return;
  list_ = list;
  const std::string& self = chat.session().user.id;
  if (!baseline_) {
    // What was there when the conversation opened is history, not news.
    baseline_ = true;
    for (const auto& m : list->items) {
      told_.insert(m->id);
      if (!finished(*m)) spoken_[m->id] = 0;  // a reply already being written is followed
    }
    return;
  }
  const size_t from = list->items.size() > kTailToScan ? list->items.size() - kTailToScan : 0;
  for (size_t i = from; i < list->items.size(); ++i) {
    const Message& m = *list->items[i];
    if (m.seq == 0) continue;  // not stored yet: told once the server has it
    if (m.role == MessageRole::kAssistant && !told_.count(m.id)) {
      auto spoken = spoken_.try_emplace(m.id, 0).first;
      announce_streaming(m, spoken->second);
    }
    if (finished(m) && told_.insert(m.id).second) on_message(m, self, summary);
  }
  // Forget what scrolled out of the list's window (replaced or paged out).
  if (told_.size() > 4 * list->items.size() + 64) {
    told_.clear();
    for (const auto& m : list->items)
      told_.insert(m->id);
  }
}

void PageEvents::on_message(const Message& m, const std::string& self,
                            const ConversationSummary* summary) {
  protocol::Json event = {
      {"type", "message"}, {"conversation", m.conversation_id}, {"message", protocol::to_json(m)}};
  page_.emit(protocol::dump_json(event));
  spoken_.erase(m.id);
  const bool own = m.role == MessageRole::kUser && m.author_id && *m.author_id == self;
  if (own || m.role == MessageRole::kAssistant) return;  // replies were read as they came
  page_.announce(author_name(summary, m) + ": " + spoken_text(m.content));
}

// Reads out each paragraph of a reply once it is complete (a blank line follows it), and
// the rest when the reply ends.
void PageEvents::announce_streaming(const Message& m, size_t& spoken) {
  const std::string& text = m.content;
  if (spoken > text.size()) spoken = 0;  // rewritten (regenerate): start over
  while (true) {
    const size_t end = text.find("\n\n", spoken);
    if (end == std::string::npos) break;
    if (const std::string chunk = spoken_text(std::string_view(text).substr(spoken, end - spoken));
        !chunk.empty())
      page_.announce(spoken == 0 ? "Assistant: " + chunk : chunk);
    spoken = end + 2;
  }
  if (!finished(m)) return;
  std::string rest = spoken_text(std::string_view(text).substr(spoken));
  if (m.status == MessageStatus::kError)
    rest += rest.empty() ? "Reply failed" : ". Reply failed";
  else if (m.status == MessageStatus::kCancelled)
    rest += rest.empty() ? "Reply stopped" : ". Reply stopped";
  else
    rest += rest.empty() ? "Reply finished" : ". Reply finished";
  page_.announce(spoken == 0 && text.size() > 0 ? "Assistant: " + rest : rest);
  spoken = text.size();
}

}  // namespace imchat::app
