#include "ui/chat_view.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>
#include <imgui.h>
#include <imgui_internal.h>
#include <imgui_stdlib.h>

#include "ui/draw_util.h"

namespace imchat::ui {
namespace {

constexpr const char* kDefaultModel = "Default model";

constexpr ImGuiWindowFlags kPaneFlags = ImGuiWindowFlags_NoScrollbar |
                                        ImGuiWindowFlags_NoScrollWithMouse |
                                        ImGuiWindowFlags_NoSavedSettings;

const ConversationSummary* find_summary(const sdk::ChatClient& chat, const std::string& id) {
  const auto page = chat.cache().data<Page<ConversationSummary>>(sdk::conversations_key());
  return sdk::find_conversation(page.get(), id);
}

}  // namespace

ChatView::ChatView(Theme& theme, sdk::ChatClient& chat, Landmarks& landmarks)
    : theme_(theme),
      chat_(chat),
      landmarks_(landmarks),
      rows_(theme, chat, landmarks),
      composer_(theme, chat, landmarks),
      settings_(theme, chat, landmarks) {
  composer_.send = [this](const std::string& text) { return send(text); };
  composer_.stop = [this] { stop(); };
  composer_.edited = [this] { window_.scroll_to_bottom(); };
  auto report = [this](const std::string& message) { composer_.set_error(message); };
  settings_.on_error = report;
  rows_.on_error = report;
  rows_.edit = [this](const Message& message, const std::string& reply_id) {
    composer_.start_edit(message, reply_id);
  };
  rows_.open_url = [this](const std::string& url) {
    if (open_url) open_url(url);
  };
}

void ChatView::open(const std::string& conversation_id) {
  if (conversation_id == id_) return;
  composer_.open(conversation_id);
  id_ = conversation_id;
  receipts_.clear();
  receipts_version_ = UINT64_MAX;
  watch_ = id_.empty() ? sdk::ChatSync::Watch{} : chat_.sync().watch_messages(id_);
  window_ = ListWindow{};
  list_seen_ = nullptr;
  list_version_ = 0;
  rows_.clear();
  header_totals_ = ConversationTotals{};
  header_detail_.clear();
  unseen_ = 0;
}

bool ChatView::send(const std::string& text) {
  if (id_.empty()) return false;
  const std::string content(trimmed_end(text));
  if (content.empty()) return false;
  auto sent = chat_.sync().send_message(id_, content);
  if (!sent) {
    composer_.set_error(sent.error().message);
    return false;
  }
  composer_.set_error({});
  window_.scroll_to_bottom();
  return true;
}

bool ChatView::replying() const {
  if (id_.empty()) return false;
  const auto list = chat_.sync().messages(id_);
  if (!list) return false;
  for (auto it = list->items.rbegin(); it != list->items.rend() && it - list->items.rbegin() < 4;
       ++it) {
    if ((*it)->role == MessageRole::kAssistant && (*it)->status == MessageStatus::kStreaming)
      return true;
  }
  return false;
}

void ChatView::stop() {
  if (replying()) chat_.sync().cancel_reply(id_);
}

void ChatView::draw(ImVec2 pos, ImVec2 size, bool narrow) {
  animating_ = false;
  rows_.begin_frame();
  const Palette& p = theme_.palette();
  ImGui::SetCursorScreenPos(pos);
  ImGui::BeginChild("chat", size, false, kPaneFlags);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(pos, ImVec2(pos.x + size.x, pos.y + size.y), p.background);
  const float header = theme_.px(56);
  draw_header(draw, pos, size.x, header, narrow);
  const float composer = composer_.height();
  if (id_.empty()) {
    draw_welcome(draw, ImVec2(pos.x, pos.y + header), ImVec2(size.x, size.y - header - composer));
  } else {
    draw_messages(ImVec2(pos.x, pos.y + header), ImVec2(size.x, size.y - header - composer));
  }
  composer_.draw(draw, ImVec2(pos.x, pos.y + size.y - composer), size.x,
                 !id_.empty() && is_ai_chat(), replying());
  settings_.draw(id_);
  ImGui::EndChild();
  rows_.end_frame();
}

void ChatView::draw_header(ImDrawList* draw, ImVec2 pos, float width, float height, bool narrow) {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  draw->AddLine(ImVec2(pos.x, pos.y + height - 1), ImVec2(pos.x + width, pos.y + height - 1),
                p.border);
  float x = pos.x + theme_.px(24);
  if (narrow && show_sidebar) {
    // Back to the conversation list (the drawer).
    const float b = theme_.tap(36);
    ImGui::SetCursorScreenPos(ImVec2(pos.x + theme_.px(10), pos.y + (height - b) / 2));
    if (ImGui::InvisibleButton("##back", ImVec2(b, b))) show_sidebar();
    landmarks_.mark_item("back");
    const ImVec2 c(pos.x + theme_.px(10) + b / 2, pos.y + height / 2);
    const ImU32 col = ImGui::IsItemHovered() ? p.text : p.text_muted;
    const float a = theme_.px(6);
    draw->AddLine(ImVec2(c.x + a * 0.4f, c.y - a), ImVec2(c.x - a * 0.6f, c.y), col, theme_.px(2));
    draw->AddLine(ImVec2(c.x - a * 0.6f, c.y), ImVec2(c.x + a * 0.4f, c.y + a), col, theme_.px(2));
    x = pos.x + theme_.px(52);
  }
  const ConversationSummary* summary = id_.empty() ? nullptr : find_summary(chat_, id_);
  const std::string title(summary ? std::string_view(summary->conversation.title)
                                  : sdk::kNewChatTitle);
  const float title_y = std::round(pos.y + (height - f.body_bold->FontSize) / 2);
  // The model (a button: the chat's settings) and the whole conversation's totals, as the
  // server keeps them (the list may hold a page of a long chat); the text is rebuilt only
  // when they change.
  float right = pos.x + width - theme_.px(16);
  if (summary && summary->conversation.type == ConversationType::kAi) {
    const std::string& model =
        summary->conversation.model ? *summary->conversation.model : kDefaultModel;
    const ImVec2 ms = text_size(f.small, model);
    const float chevron = theme_.px(14);
    const ImVec2 pill(ms.x + chevron + theme_.px(24), theme_.tap(30));
    const ImVec2 pill_min(right - pill.x, std::round(pos.y + (height - pill.y) / 2));
    ImGui::SetCursorScreenPos(pill_min);
    if (ImGui::InvisibleButton("##chat_settings", pill)) settings_.open(summary->conversation);
    landmarks_.mark_item("chat_settings");
    const bool hot = ImGui::IsItemHovered() || settings_.is_open();
    draw->AddRectFilled(pill_min, ImVec2(pill_min.x + pill.x, pill_min.y + pill.y),
                        hot ? p.surface_hover : p.surface, pill.y / 2);
    text_at(draw, f.small,
            ImVec2(pill_min.x + theme_.px(12), std::round(pill_min.y + (pill.y - ms.y) / 2)),
            p.text, model);
    // ▾ drawn: Inter has no such glyph at every size.
    const ImVec2 c(pill_min.x + pill.x - theme_.px(12) - chevron / 2 + theme_.px(4),
                   pill_min.y + pill.y / 2);
    const float a = theme_.px(3.5f);
    draw->AddTriangleFilled(ImVec2(c.x - a, c.y - a / 2), ImVec2(c.x + a, c.y - a / 2),
                            ImVec2(c.x, c.y + a / 2), p.text_muted);
    right = pill_min.x - theme_.px(12);
    settings_.set_anchor(ImVec2(pill_min.x + pill.x, pill_min.y + pill.y + theme_.px(6)));

    const ConversationTotals sum = summary->conversation.totals.value_or(ConversationTotals{});
    if (sum != header_totals_) {
      header_totals_ = sum;
      header_detail_.clear();
      if (sum.messages > 0)
        header_detail_ = grouped(sum.messages) + (sum.messages == 1 ? " message" : " messages");
      if (sum.tokens > 0) header_detail_ += "  ·  " + grouped(sum.tokens) + " tokens";
      if (sum.cost > 0) header_detail_ += "  ·  " + cost_text(sum.cost);
    }
  } else {
    header_detail_.clear();
    header_totals_ = ConversationTotals{};
  }
  const std::string& detail = header_detail_;
  const float detail_w = detail.empty() ? 0 : text_size(f.small, detail).x;
  text_ellipsis(draw, f.body_bold, ImVec2(x, title_y), p.text, title,
                std::max(theme_.px(60), right - x - detail_w - theme_.px(16)));
  if (!detail.empty()) {
    text_at(draw, f.small,
            ImVec2(right - detail_w, std::round(pos.y + (height - f.small->FontSize) / 2)),
            p.text_muted, detail);
  }
}

bool ChatView::is_ai_chat() const {
  const ConversationSummary* summary = find_summary(chat_, id_);
  return !summary || summary->conversation.type == ConversationType::kAi;
}

// A person's name as this conversation knows them.
const std::string& ChatView::display_name(const std::string& user_id) const {
  static const std::string kSomeone = "Someone";
  const ConversationSummary* summary = find_summary(chat_, id_);
  const User* user = summary ? summary->conversation.participant(user_id) : nullptr;
  return user && !user->name.empty() ? user->name : kSomeone;
}

// "Seen by Ada, Bob" under the newest message each other participant has read (people
// chats only): rebuilt when a read arrives, not per frame.
void ChatView::update_receipts() {
  const auto* reads = chat_.sync().read_positions(id_);
  const uint64_t version = chat_.sync().presence_version();
  if (version == receipts_version_) return;
  receipts_version_ = version;
  receipts_.clear();
  if (!reads || is_ai_chat()) return;
  for (const auto& [user, message_id] : *reads) {
    if (user == chat_.session().user.id) continue;
    std::string& label = receipts_[message_id];
    label += label.empty() ? "Seen by " : ", ";
    label += display_name(user);
  }
}

// Others typing (people chats): pulsing dots and who it is, above the composer.
void ChatView::draw_typing(ImDrawList* draw, ImVec2 pos) {
  if (is_ai_chat()) return;
  const std::vector<std::string> users = chat_.sync().typing(id_);
  if (users.empty()) return;
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  animating_ = true;  // the dots move, and the indicator must expire on its own
  pulsing_dots(draw, ImVec2(pos.x + theme_.px(6), pos.y + f.small->FontSize / 2), theme_.px(9),
               theme_.px(3), p.text_muted);
  std::string label = display_name(users[0]);
  if (users.size() == 2) label += " and " + display_name(users[1]);
  if (users.size() > 2) label += fmt::format(" and {} others", users.size() - 1);
  label += users.size() == 1 ? " is typing…" : " are typing…";
  text_at(draw, f.small, ImVec2(pos.x + theme_.px(36), pos.y), p.text_muted, label);
}

void ChatView::draw_welcome(ImDrawList* draw, ImVec2 pos, ImVec2 size) {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  const float center_y = pos.y + size.y / 2;
  const char* headline = "How can I help you today?";
  const ImVec2 hs = text_size(f.title, headline);
  text_at(draw, f.title,
          ImVec2(std::round(pos.x + (size.x - hs.x) / 2), std::round(center_y - hs.y)), p.text,
          headline);
  const char* sub = chat_.session().signed_in ? "Start a new chat, or pick one from the list."
                                              : "Connecting to your imchat server…";
  const ImVec2 ss = text_size(f.body, sub);
  text_at(draw, f.body,
          ImVec2(std::round(pos.x + (size.x - ss.x) / 2), std::round(center_y + theme_.px(12))),
          p.text_muted, sub);
}

void ChatView::collect_rows() {
  const auto list = chat_.sync().messages(id_);
  if (!list) return;
  if (list.get() == list_seen_ && list->version == list_version_) return;
  const bool was_bottom = window_.at_bottom();
  const float column = column_;
  // A reply streaming at the end changes one item: only the changed tail is realigned, so
  // the cost follows the change and not the length of the history.
  const size_t unchanged = list.get() == list_seen_ ? list->unchanged_prefix(list_version_) : 0;
  const size_t added = window_.update(
      list->items, [&](const Message& m) { return rows_.estimate_height(m, column); }, unchanged);
  if (!was_bottom) unseen_ += added;
  list_seen_ = list.get();
  list_version_ = list->version;
}

void ChatView::draw_messages(ImVec2 pos, ImVec2 size) {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  ImGuiIO& io = ImGui::GetIO();
  const float column = std::min(size.x - theme_.px(48), theme_.px(760));
  column_ = column;
  const float left = std::round(pos.x + (size.x - column) / 2);
  const float pad_top = theme_.px(16);
  window_.set_viewport(size.y - pad_top);
  collect_rows();
  update_receipts();

  ImGui::SetCursorScreenPos(pos);
  ImGui::BeginChild("messages", size, false, kPaneFlags);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const auto list = chat_.sync().messages(id_);
  const sdk::QueryState* state = chat_.sync().messages_state(id_);
  // With Shift held ImGui reads the wheel as sideways; the list only scrolls up and down.
  if (ImGui::IsWindowHovered() && io.MouseWheel != 0 && !io.KeyShift) {
    window_.scroll_by(-io.MouseWheel * theme_.px(90));
    if (window_.at_bottom()) unseen_ = 0;
  }
  if (list && !list->items.empty()) {
    // Rows on screen: laid out (once per version and width), measured, drawn.
    const ImVec2 clip_min = pos;
    const ImVec2 clip_max(pos.x + size.x, pos.y + size.y);
    size_t i = window_.first_visible();
    for (int pass = 0; pass < 2; ++pass) {
      // Measuring can change heights above the bottom; a second pass settles the rows.
      i = window_.first_visible();
      double y = window_.heights().top(i) - window_.scroll();
      for (; i < list->items.size() && y < window_.viewport(); ++i) {
        MessageRows::Row& row = rows_.layout(list->items[i], column);
        window_.set_height(i, row.height);
        y += row.height;
      }
    }
    // The latest reply may be regenerated, and the user's latest message (with only that
    // reply after it) edited and sent again — in AI chats, while nothing is being written.
    const auto& items = list->items;
    const size_t n = items.size();
    size_t regenerate_at = SIZE_MAX, edit_at = SIZE_MAX;
    const ConversationSummary* summary = find_summary(chat_, id_);
    if (summary && summary->conversation.type == ConversationType::kAi && !replying()) {
      const bool reply_last =
          items[n - 1]->role == MessageRole::kAssistant && items[n - 1]->seq > 0;
      if (reply_last) regenerate_at = n - 1;
      const size_t k = reply_last ? n - 2 : n - 1;
      if (k < n && items[k]->role == MessageRole::kUser && items[k]->seq > 0 &&
          (!items[k]->author_id || *items[k]->author_id == chat_.session().user.id))
        edit_at = k;
    }
    const MessageRows::Context context{
        .receipts = &receipts_,
        .name_of = [this](const std::string& user_id) -> const std::string& {
          return display_name(user_id);
        },
        .editing_id = composer_.editing()};
    i = window_.first_visible();
    double y = window_.heights().top(i) - window_.scroll();
    for (; i < n && y < window_.viewport(); ++i) {
      MessageRows::Row& row = rows_.layout(items[i], column);
      const int actions = (i == regenerate_at ? MessageRows::kRegenerate : 0) |
                          (i == edit_at ? MessageRows::kEdit : 0);
      rows_.draw(draw, row, ImVec2(left, std::round(pos.y + pad_top + static_cast<float>(y))),
                 column, clip_min, clip_max, actions, context);
      y += row.height;
    }
    rows_.finish_selection();
    if (window_.at_bottom()) {
      unseen_ = 0;
      // Read up to the newest stored message: others see it, the unread badge clears.
      for (size_t k = n; k-- > 0;) {
        if (items[k]->seq > 0) {
          chat_.sync().mark_read(id_, *items[k]);
          break;
        }
      }
    }
    // Near the top: the next older page (the anchor keeps the view still when it lands).
    if (list->has_older && window_.scroll() < window_.viewport()) chat_.sync().load_older(id_);
  } else if (state && state->status == sdk::QueryStatus::kPending) {
    const char* loading = "Loading messages…";
    const ImVec2 s = text_size(f.body, loading);
    text_at(draw, f.body, ImVec2(std::round(pos.x + (size.x - s.x) / 2), pos.y + size.y / 2),
            p.text_muted, loading);
  } else {
    const char* headline =
        is_ai_chat() ? "How can I help you today?" : "No messages yet. Say hello!";
    const ImVec2 hs = text_size(f.title, headline);
    text_at(draw, f.title,
            ImVec2(std::round(pos.x + (size.x - hs.x) / 2), std::round(pos.y + size.y / 2 - hs.y)),
            p.text, headline);
  }
  if (chat_.sync().loading_more(id_)) {
    const char* loading = "Loading earlier messages…";
    const ImVec2 s = text_size(f.small, loading);
    text_at(draw, f.small, ImVec2(std::round(pos.x + (size.x - s.x) / 2), pos.y + theme_.px(6)),
            p.text_muted, loading);
  }

  // Scrollbar: a thin thumb, draggable.
  const double total = window_.heights().total();
  if (total > window_.viewport() + 1) {
    const float track_x = pos.x + size.x - theme_.px(10);
    const float track_h = size.y;
    const float thumb_h =
        std::max(theme_.px(32), static_cast<float>(track_h * window_.viewport() / total));
    const float thumb_y = pos.y + static_cast<float>((track_h - thumb_h) * window_.scroll() /
                                                     std::max(1.0, window_.max_scroll()));
    ImGui::SetCursorScreenPos(ImVec2(track_x, pos.y));
    ImGui::InvisibleButton("##scrollbar", ImVec2(theme_.px(10), track_h));
    const bool hot = ImGui::IsItemHovered() || ImGui::IsItemActive();
    if (ImGui::IsItemActive() && io.MouseDelta.y != 0) {
      window_.scroll_by(io.MouseDelta.y * window_.max_scroll() / std::max(1.0f, track_h - thumb_h));
    }
    draw->AddRectFilled(ImVec2(track_x + theme_.px(hot ? 2 : 3), thumb_y),
                        ImVec2(track_x + theme_.px(hot ? 8 : 7), thumb_y + thumb_h),
                        hot ? p.scrollbar_hot : p.scrollbar, theme_.px(3));
  }

  draw_typing(draw, ImVec2(left, pos.y + size.y - theme_.px(26)));

  // "↓ N new": the user is reading older messages and more arrived.
  if (!window_.at_bottom() && list && !list->items.empty()) {
    const std::string label = unseen_ > 0 ? fmt::format("↓  {} new", unseen_) : "↓";
    const ImVec2 ts = text_size(f.small, label);
    const ImVec2 pill(ts.x + theme_.px(unseen_ > 0 ? 28 : 22), theme_.px(32));
    const ImVec2 min(std::round(pos.x + (size.x - pill.x) / 2),
                     pos.y + size.y - pill.y - theme_.px(12));
    ImGui::SetCursorScreenPos(min);
    if (ImGui::InvisibleButton("##jump", pill)) {
      window_.scroll_to_bottom();
      unseen_ = 0;
    }
    landmarks_.mark_item("jump");
    const bool hot = ImGui::IsItemHovered();
    draw->AddRectFilled(
        min, ImVec2(min.x + pill.x, min.y + pill.y),
        unseen_ > 0 ? (hot ? p.primary_hover : p.primary) : (hot ? p.surface_hover : p.surface),
        pill.y / 2);
    draw->AddRect(min, ImVec2(min.x + pill.x, min.y + pill.y), p.border, pill.y / 2);
    text_at(
        draw, f.small,
        ImVec2(std::round(min.x + (pill.x - ts.x) / 2), std::round(min.y + (pill.y - ts.y) / 2)),
        p.text, label);
  }
  ImGui::EndChild();
}

}  // namespace imchat::ui
