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

constexpr ImGuiWindowFlags kPaneFlags = ImGuiWindowFlags_NoScrollbar |
                                        ImGuiWindowFlags_NoScrollWithMouse |
                                        ImGuiWindowFlags_NoSavedSettings;

bool key_pressed(ImGuiKey key) {
  return ImGui::IsKeyPressed(ImGui::GetKeyIndex(key), false);
}

// "1,234"
std::string grouped(int64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<size_t>(i), ",");
  return digits;
}

std::string cost_text(double usd) {
  if (usd <= 0) return "";
  if (usd < 0.01) return fmt::format("${:.4f}", usd);
  return fmt::format("${:.2f}", usd);
}

constexpr const char* kDefaultModel = "Default model";

const char* provider_name(const std::string& provider) {
  if (provider == "builtin") return "imchat (offline)";
  if (provider == "openai") return "OpenAI";
  if (provider == "anthropic") return "Anthropic";
  if (provider == "gemini") return "Google Gemini";
  return provider.c_str();
}
constexpr float kDefaultTemperature = 0.7f;  // what the slider shows before one is chosen

const ConversationSummary* find_summary(const sdk::ChatClient& chat, const std::string& id) {
  const auto page = chat.cache().data<Page<ConversationSummary>>(sdk::conversations_key());
  return sdk::find_conversation(page.get(), id);
}

}  // namespace

void ChatView::open(const std::string& conversation_id) {
  if (conversation_id == id_) return;
  cancel_edit();  // gives the draft back to the conversation it belongs to
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
  error_.clear();
  focus_composer_ = !id_.empty();
  // Opened from outside (the address, the embedding page) while the composer has the
  // keyboard: ImGui edits its own copy of an active field's text, and would write the old
  // chat's draft into the new one. The field lets go before it is drawn again.
  release_composer_ = true;
}

void ChatView::set_has_keyboard(bool has) {
  if (has == has_keyboard_) return;
  has_keyboard_ = has;
  if (!has) {
    refocus_on_keyboard_ = composer_focused_ || focus_composer_;
    focus_composer_ = false;
    release_composer_ = true;
  } else if (std::exchange(refocus_on_keyboard_, false)) {
    // Back by a click: the click says where the focus goes, as on a page.
    const ImGuiIO& io = ImGui::GetIO();
    focus_composer_ = !ImGui::IsAnyMouseDown() && !io.MouseReleased[0];
  }
}

std::string& ChatView::draft_slot() {
  return drafts_[id_];
}

const std::string& ChatView::draft() const {
  static const std::string kEmpty;
  const auto it = drafts_.find(id_);
  return it == drafts_.end() ? kEmpty : it->second;
}

bool ChatView::send(const std::string& text) {
  if (id_.empty()) return false;
  const std::string content(trimmed_end(text));
  if (content.empty()) return false;
  auto sent = chat_.sync().send_message(id_, content);
  if (!sent) {
    error_ = sent.error().message;
    return false;
  }
  error_.clear();
  // A new chat is named after its first question, as the best chat apps do.
  if (const ConversationSummary* row = find_summary(chat_, id_);
      row && row->conversation.title == "New chat" && !row->last_message) {
    sdk::ConversationPatch patch;
    std::string title = preview_line(content, 48);
    if (title.size() < content.size()) title += "…";
    patch.title = title;
    chat_.sync().update_conversation(id_, patch, nullptr);
  }
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

float ChatView::estimate_height(const Message& message, float column) const {
  const Fonts& f = theme_.fonts();
  const float text_w = std::max(theme_.px(120), column * 0.75f);
  const float chars_per_line = std::max(10.0f, text_w / (f.body->FontSize * 0.5f));
  const float lines = std::ceil(static_cast<float>(message.content.size()) / chars_per_line) + 1;
  return lines * std::round(f.body->FontSize * 1.6f) + theme_.px(60);
}

RichTextStyle message_text_style(const Theme& theme, bool own) {
  const Fonts& f = theme.fonts();
  const Palette& p = theme.palette();
  RichTextStyle style;
  style.body = f.body;
  style.bold = f.body_bold;
  style.italic = f.italic;
  style.mono = f.mono;
  style.small = f.small;
  style.h1 = f.h1;
  style.h2 = f.h2;
  style.scale = theme.scale();
  style.border = p.border;
  style.accent = p.primary;
  if (own) {
    style.text = p.on_primary;
    style.muted = p.on_primary_muted;
    style.link = p.on_primary;
    style.code_text = p.on_primary;
    style.code_background = p.own_code_background;
    style.code_header = p.own_code_header;
    style.inline_code_background = p.own_inline_code;
  } else {
    style.text = p.text;
    style.muted = p.text_muted;
    style.link = p.link;
    style.code_text = p.code_text;
    style.code_background = p.code_background;
    style.code_header = p.code_header;
    style.inline_code_background = p.inline_code;
  }
  return style;
}

ChatView::Row& ChatView::row_for(const std::shared_ptr<const Message>& message, float column) {
  const Fonts& f = theme_.fonts();
  auto found = rows_.find(message.get());
  if (found == rows_.end()) {
    // A new version of a message laid out before (a reply growing, an edit) takes over its
    // old row, so replaced versions and their layouts never pile up in the cache.
    Row reused;
    const auto old = std::find_if(rows_.begin(), rows_.end(), [&](const auto& entry) {
      return entry.second.message->id == message->id;
    });
    if (old != rows_.end()) {
      reused = std::move(old->second);
      rows_.erase(old);
    }
    found = rows_.emplace(message.get(), std::move(reused)).first;
  }
  Row& row = found->second;
  row.used = frame_;
  const bool own = message->role == MessageRole::kUser &&
                   (!message->author_id || *message->author_id == chat_.session().user.id);
  const float pad_x = theme_.px(16);
  const float text_w = own ? std::min(column * 0.8f, theme_.px(620)) - 2 * pad_x
                           : column - theme_.px(42) - 2 * pad_x;
  if (row.message == message && row.text_width == text_w) return row;
  // A streaming reply grows at its end: only what follows its settled part is parsed and laid
  // out again. Any other change (an edit, the reply's end) parses the text whole.
  uint32_t unchanged_blocks = 0;
  if (row.message != message) {
    // A view: a ternary with a temporary would copy the whole reply every frame.
    const std::string_view before =
        row.message ? std::string_view(row.message->content) : std::string_view();
    const bool grows = row.message && message->status == MessageStatus::kStreaming &&
                       message->content.size() >= row.settled.source &&
                       std::string_view(message->content).substr(0, row.settled.source) ==
                           before.substr(0, row.settled.source);
    if (grows) {
      const uint32_t kept = markdown::parse_growing(message->content, row.doc, row.settled);
      unchanged_blocks = row.text_width == text_w ? kept : 0;
    } else {
      row.settled = markdown::Settled{};
      row.doc = markdown::parse(message->content);
    }
    row.message = message;
  }
  row.own = own;
  row.text_width = text_w;
  const RichTextStyle style = message_text_style(theme_, own);
  if (unchanged_blocks > 0)
    relayout_rich_text(row.doc, unchanged_blocks, std::max(theme_.px(40), text_w), style, row.text);
  else
    row.text = layout_rich_text(row.doc, std::max(theme_.px(40), text_w), style);
  ++layouts_made_;
  const float line = std::round(f.body->FontSize * 1.6f);
  const float bubble_h = std::max(row.text.height, line) + 2 * theme_.px(11);
  row.height = theme_.px(6) + bubble_h + theme_.px(6) + f.small->FontSize + theme_.px(14);

  // The muted line under the bubble: time, and for replies what they cost.
  const Message& m = *message;
  row.meta = m.seq > 0 ? clock_time(m.created_at) : "";
  auto add = [&](const std::string& part) {
    if (part.empty()) return;
    if (!row.meta.empty()) row.meta += "  ·  ";
    row.meta += part;
  };
  if (m.role == MessageRole::kAssistant) {
    if (m.status == MessageStatus::kStreaming) {
      add("Writing…");
    } else if (m.status == MessageStatus::kCancelled) {
      add("Stopped");
    } else if (m.status == MessageStatus::kError) {
      add("Reply failed");
    }
    if (m.metadata && m.status != MessageStatus::kStreaming) {
      if (m.metadata->model) add(*m.metadata->model);
      if (m.metadata->usage) {
        add(grouped(m.metadata->usage->total_tokens) + " tokens");
        add(cost_text(m.metadata->usage->estimated_cost));
      }
      if (m.metadata->latency_ms) add(fmt::format("{:.1f} s", *m.metadata->latency_ms / 1000.0));
    }
  }
  return row;
}

void ChatView::draw(ImVec2 pos, ImVec2 size, bool narrow) {
  ++frame_;
  animating_ = false;
  if (theme_.generation() != theme_generation_) {
    rows_.clear();  // laid out with fonts and colours that are gone
    theme_generation_ = theme_.generation();
  }
  const Palette& p = theme_.palette();
  ImGui::SetCursorScreenPos(pos);
  ImGui::BeginChild("chat", size, false, kPaneFlags);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(pos, ImVec2(pos.x + size.x, pos.y + size.y), p.background);
  const float header = theme_.px(56);
  draw_header(draw, pos, size.x, header, narrow);
  const float composer = composer_height();
  if (id_.empty()) {
    draw_welcome(draw, ImVec2(pos.x, pos.y + header), ImVec2(size.x, size.y - header - composer));
  } else {
    draw_messages(ImVec2(pos.x, pos.y + header), ImVec2(size.x, size.y - header - composer));
  }
  draw_composer(draw, ImVec2(pos.x, pos.y + size.y - composer), size.x);
  draw_settings();
  ImGui::EndChild();
  // Let go of layouts of rows that scrolled away (and of replaced message versions).
  if (rows_.size() > 256) {
    for (auto it = rows_.begin(); it != rows_.end();) {
      it = it->second.used + 2 < frame_ ? rows_.erase(it) : std::next(it);
    }
  }
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
  const std::string& title = summary ? summary->conversation.title : std::string("New chat");
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
    if (ImGui::InvisibleButton("##chat_settings", pill)) open_settings(summary->conversation);
    landmarks_.mark_item("chat_settings");
    const bool hot = ImGui::IsItemHovered() || settings_open_;
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
    settings_anchor_ = ImVec2(pill_min.x + pill.x, pill_min.y + pill.y + theme_.px(6));

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

void ChatView::open_settings(const Conversation& conversation) {
  settings_open_ = true;
  open_settings_popup_ = true;
  settings_model_ = conversation.model.value_or("");
  settings_temperature_ =
      static_cast<float>(conversation.temperature.value_or(kDefaultTemperature));
  settings_has_temperature_ = conversation.temperature.has_value();
  settings_prompt_ = conversation.system_prompt.value_or("");
  if (models_.key().empty())
    models_ = chat_.cache().observe(sdk::models_key(), sdk::fetch_models(chat_.api()));
}

// The chat's settings: model (from the server's catalogue, by provider; those this server
// cannot use are shown greyed with the reason), temperature and system prompt. Saved
// together with one PATCH; Escape or a click outside leaves them as they were.
void ChatView::draw_settings() {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  if (open_settings_popup_) {
    ImGui::OpenPopup("##chat_settings_popup");
    open_settings_popup_ = false;
  }
  const float width = theme_.px(340);
  ImGui::SetNextWindowPos(settings_anchor_, ImGuiCond_Always, ImVec2(1, 0));
  ImGui::SetNextWindowSize(ImVec2(width, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(theme_.px(16), theme_.px(14)));
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(theme_.px(8), theme_.px(6)));
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(theme_.px(10), theme_.px(6)));
  ImGui::PushStyleVar(ImGuiStyleVar_PopupBorderSize, 1.0f);
  ImGui::PushStyleColor(ImGuiCol_PopupBg, ImGui::ColorConvertU32ToFloat4(p.surface));
  ImGui::PushStyleColor(ImGuiCol_Border, ImGui::ColorConvertU32ToFloat4(p.border));
  ImGui::PushStyleColor(ImGuiCol_FrameBg, ImGui::ColorConvertU32ToFloat4(p.background));
  const bool open = ImGui::BeginPopup("##chat_settings_popup");
  settings_open_ = open;
  if (open) {
    const float inner = width - theme_.px(32);
    auto label = [&](const char* text) {
      ImGui::PushFont(f.small);
      ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(p.text_muted));
      ImGui::TextUnformatted(text);
      ImGui::PopStyleColor();
      ImGui::PopFont();
    };
    ImGui::PushFont(f.body_bold);
    ImGui::TextUnformatted("Chat settings");
    ImGui::PopFont();
    ImGui::Dummy(ImVec2(0, theme_.px(2)));

    label("Model");
    const auto models = chat_.cache().data<std::vector<ModelInfo>>(sdk::models_key());
    const sdk::QueryState* models_state = chat_.cache().find(sdk::models_key());
    ImGui::BeginChild("##models", ImVec2(inner, theme_.px(180)), true);
    auto option = [&](const std::string& id, const char* shown, bool available,
                      const char* reason) {
      const bool chosen = settings_model_ == id;
      ImGui::BeginDisabled(!available);
      ImGui::PushStyleColor(ImGuiCol_Header, ImGui::ColorConvertU32ToFloat4(p.row_selected));
      if (ImGui::Selectable(shown, chosen, 0, ImVec2(0, 0))) settings_model_ = id;
      ImGui::PopStyleColor();
      ImGui::EndDisabled();
      char mark[96];
      std::snprintf(mark, sizeof mark, "chat_settings.model.%s",
                    id.empty() ? "default" : id.c_str());
      landmarks_.mark_item(mark);
      if (!available && reason) {
        ImGui::SameLine();
        ImGui::PushFont(f.small);
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(p.text_faint));
        ImGui::TextUnformatted(reason);
        ImGui::PopStyleColor();
        ImGui::PopFont();
      }
    };
    option("", "Server default", true, nullptr);
    if (models) {
      const std::string* provider = nullptr;
      for (const ModelInfo& m : *models) {
        if (!provider || *provider != m.provider) {
          provider = &m.provider;
          ImGui::Dummy(ImVec2(0, theme_.px(2)));
          label(provider_name(m.provider));
        }
        option(m.id, m.id.c_str(), m.available, "· no API key on this server");
      }
      // A model set elsewhere that the catalogue does not list (an OpenAI-compatible one).
      if (!settings_model_.empty() &&
          std::none_of(models->begin(), models->end(),
                       [&](const ModelInfo& m) { return m.id == settings_model_; }))
        option(settings_model_, settings_model_.c_str(), true, nullptr);
    } else if (models_state && models_state->status == sdk::QueryStatus::kError) {
      ImGui::TextWrapped("Could not load the models: %s",
                         models_state->error ? models_state->error->message.c_str() : "");
    } else {
      label("Loading models…");
    }
    ImGui::EndChild();

    ImGui::Dummy(ImVec2(0, theme_.px(4)));
    label("Temperature");
    ImGui::SetNextItemWidth(inner - theme_.px(78));
    if (ImGui::SliderFloat("##temperature", &settings_temperature_, 0.0f, 2.0f,
                           settings_has_temperature_ ? "%.1f" : "default (%.1f)"))
      settings_has_temperature_ = true;
    landmarks_.mark_item("chat_settings.temperature");
    ImGui::SameLine();
    ImGui::BeginDisabled(!settings_has_temperature_);
    if (quiet_button(p, "Reset", ImVec2(theme_.px(70), 0))) {
      settings_has_temperature_ = false;
      settings_temperature_ = kDefaultTemperature;
    }
    ImGui::EndDisabled();

    ImGui::Dummy(ImVec2(0, theme_.px(4)));
    label("System prompt");
    ImGui::InputTextMultiline("##system_prompt", &settings_prompt_, ImVec2(inner, theme_.px(88)));
    landmarks_.mark_item("chat_settings.prompt");

    ImGui::Dummy(ImVec2(0, theme_.px(6)));
    const float bw = theme_.px(84);
    ImGui::SetCursorPosX(ImGui::GetWindowWidth() - theme_.px(16) - 2 * bw - theme_.px(8));
    const bool cancel = quiet_button(p, "Cancel", ImVec2(bw, 0));
    landmarks_.mark_item("chat_settings.cancel");
    ImGui::SameLine(0, theme_.px(8));
    const bool save =
        colored_button("Save", ImVec2(bw, 0), p.primary, p.primary_hover, p.on_primary);
    landmarks_.mark_item("chat_settings.save");
    if (save) {
      sdk::ConversationPatch patch;
      if (!settings_model_.empty()) patch.model = settings_model_;
      if (settings_has_temperature_)
        patch.temperature = std::round(settings_temperature_ * 10) / 10;
      patch.system_prompt = settings_prompt_;
      chat_.sync().update_conversation(id_, patch, [this](Result<Conversation> saved) {
        if (!saved) error_ = "Settings not saved: " + saved.error().message;
      });
    }
    if (save || cancel || key_pressed(ImGuiKey_Escape)) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
  ImGui::PopStyleColor(3);
  ImGui::PopStyleVar(4);
}

std::string ChatView::selection() const {
  if (sel_id_.empty() || sel_anchor_ == sel_focus_) return "";
  for (const auto& [key, row] : rows_) {
    if (!row.message || row.message->id != sel_id_) continue;
    const uint32_t a = std::min(sel_anchor_, sel_focus_);
    const uint32_t b = std::min<uint32_t>(std::max(sel_anchor_, sel_focus_),
                                          static_cast<uint32_t>(row.doc.text.size()));
    return a < b ? row.doc.text.substr(a, b - a) : std::string();
  }
  return "";
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
      list->items, [&](const Message& m) { return estimate_height(m, column); }, unchanged);
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
        Row& row = row_for(list->items[i], column);
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
    i = window_.first_visible();
    double y = window_.heights().top(i) - window_.scroll();
    for (; i < n && y < window_.viewport(); ++i) {
      Row& row = row_for(items[i], column);
      const int actions = (i == regenerate_at ? kRegenerate : 0) | (i == edit_at ? kEdit : 0);
      draw_row(draw, row, ImVec2(left, std::round(pos.y + pad_top + static_cast<float>(y))), column,
               clip_min, clip_max, actions);
      y += row.height;
    }
    // The selection: ends with the button, goes with a click elsewhere, copies with Ctrl/Cmd+C.
    ImGuiIO& sel_io = ImGui::GetIO();
    if (!ImGui::IsMouseDown(0)) selecting_ = false;
    if (ImGui::IsMouseClicked(0) && !sel_started_ && ImGui::IsWindowHovered()) sel_id_.clear();
    sel_started_ = false;
    if (!sel_id_.empty() && !sel_io.WantTextInput && (sel_io.KeyCtrl || sel_io.KeySuper) &&
        ImGui::IsKeyPressed('C', false)) {
      const std::string copied = selection();
      if (!copied.empty()) ImGui::SetClipboardText(copied.c_str());
    }
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

void ChatView::draw_row(ImDrawList* draw, Row& row, ImVec2 pos, float column, ImVec2 clip_min,
                        ImVec2 clip_max, int actions) {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  const Message& m = *row.message;
  const float pad_x = theme_.px(16);
  const float pad_y = theme_.px(11);
  const float line = std::round(f.body->FontSize * 1.6f);
  const bool dots = m.status == MessageStatus::kStreaming && m.content.empty();
  const float text_w = std::max(row.text.width, dots ? theme_.px(36) : theme_.px(8));
  const ImVec2 bubble(text_w + 2 * pad_x, std::max(row.text.height, line) + 2 * pad_y);
  const float top = pos.y + theme_.px(6);
  ImVec2 min;
  if (row.own) {
    min = ImVec2(pos.x + column - bubble.x, top);
  } else {
    // Avatar: a disc with initials (the assistant gets the product's mark colour).
    const float r = theme_.px(15);
    const ImVec2 c(pos.x + r, top + r);
    const bool assistant = m.role == MessageRole::kAssistant;
    draw->AddCircleFilled(c, r, assistant ? p.secondary : p.avatar_person, 32);
    const std::string who = assistant ? "AI" : initials(display_name(m.author_id.value_or("")));
    const ImVec2 ws = text_size(f.small, who);
    text_at(draw, f.small, ImVec2(std::round(c.x - ws.x / 2), std::round(c.y - ws.y / 2)),
            p.on_primary, who);
    min = ImVec2(pos.x + theme_.px(42), top);
  }
  const ImVec2 max(min.x + bubble.x, min.y + bubble.y);
  const float rounding = theme_.px(16);
  draw->AddRectFilled(min, max, row.own ? p.primary : p.surface, rounding);
  if (!row.own) draw->AddRect(min, max, p.border, rounding);
  const ImVec2 text_origin(min.x + pad_x, min.y + pad_y);
  SideScroll scroll;  // how far its code panels and tables are scrolled sideways
  if (dots) {
    // Typing: three dots that pulse in turn.
    animating_ = true;
    pulsing_dots(draw, ImVec2(text_origin.x + theme_.px(6), text_origin.y + line / 2),
                 theme_.px(12), theme_.px(3.5f), p.text_muted);
  } else {
    // Sideways: a code panel or table under the pointer that does not fit its bubble takes
    // the wheel's sideways amount (a trackpad's swipe, Shift and the wheel, a finger's),
    // ~90 px a notch as the list moves up and down.
    ImGuiIO& io = ImGui::GetIO();
    std::vector<float>* offsets = nullptr;
    if (!row.text.scrolls.empty()) {
      if (const auto it = side_scrolls_.find(m.id); it != side_scrolls_.end())
        offsets = &it->second;
      const float sideways = io.MouseWheelH + (io.KeyShift ? io.MouseWheel : 0.0f);
      for (size_t k = 0; k < row.text.scrolls.size(); ++k) {
        const ScrollArea& area = row.text.scrolls[k];
        const ImVec2 a(text_origin.x + area.view_min.x, text_origin.y + area.view_min.y);
        const ImVec2 b(text_origin.x + area.view_max.x, text_origin.y + area.view_max.y);
        char mark[112];
        std::snprintf(mark, sizeof mark, "scroll.%s.%zu", m.id.c_str(), k);
        landmarks_.mark(mark, a, b);
        if (sideways == 0 || !ImGui::IsWindowHovered() || !ImGui::IsMouseHoveringRect(a, b))
          continue;
        if (!offsets) {
          if (side_scrolls_.size() >= kMaxSideScrolls) side_scrolls_.clear();
          offsets = &side_scrolls_[m.id];
        }
        if (offsets->size() < row.text.scrolls.size())
          offsets->resize(row.text.scrolls.size(), 0.0f);
        float& offset = (*offsets)[k];
        offset = std::clamp(offset - sideways * theme_.px(90), 0.0f, area.max_scroll());
        side_scroll_last_ = offset;
        side_max_scroll_last_ = area.max_scroll();
        io.MouseWheelH = 0;  // taken: nothing else moves sideways
        if (io.KeyShift) io.MouseWheel = 0;
      }
    }
    if (offsets) scroll = SideScroll(*offsets);
    // Selecting: a press on the text starts a range, dragging extends it (even outside
    // the bubble), anywhere else clears it. Links and Copy buttons keep their clicks.
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    const ImVec2 local(mouse.x - text_origin.x, mouse.y - text_origin.y);
    const bool over_text = ImGui::IsWindowHovered() && local.x >= 0 && local.y >= 0 &&
                           local.x <= row.text.width && local.y <= row.text.height;
    bool over_control = false;
    for (size_t i = 0; i < row.text.links.size(); ++i) {
      const LinkArea& link = row.text.links[i];
      bool shown = true;
      const float dx = link_shift(row.text, scroll, i, shown);
      over_control |= shown && local.x >= link.min.x - dx && local.x <= link.max.x - dx &&
                      local.y >= link.min.y && local.y <= link.max.y;
    }
    for (const CodeArea& code : row.text.code)
      over_control |= local.x >= code.copy_min.x && local.x <= code.copy_max.x &&
                      local.y >= code.copy_min.y && local.y <= code.copy_max.y;
    if (over_text && !over_control) ImGui::SetMouseCursor(ImGuiMouseCursor_TextInput);
    if (over_text && !over_control && ImGui::IsMouseClicked(0)) {
      sel_id_ = m.id;
      sel_anchor_ = sel_focus_ = hit_test(row.doc, row.text, local, scroll);
      selecting_ = true;
      sel_started_ = true;
    }
    const bool mine = !sel_id_.empty() && sel_id_ == m.id;
    if (mine && selecting_ && ImGui::IsMouseDown(0))
      sel_focus_ = hit_test(row.doc, row.text, local, scroll);
    if (mine && sel_anchor_ != sel_focus_) {
      const ImU32 highlight = row.own ? IM_COL32(255, 255, 255, 70) : with_alpha(p.secondary, 90);
      draw_selection(draw, row.doc, row.text, text_origin, sel_anchor_, sel_focus_, highlight,
                     scroll);
    }
    draw_rich_text(draw, row.doc, row.text, text_origin, clip_min, clip_max, scroll);
  }

  // Links and code-block Copy buttons inside the bubble.
  const bool clicked = ImGui::IsMouseClicked(0) && ImGui::IsWindowHovered();
  for (size_t i = 0; i < row.text.links.size(); ++i) {
    const LinkArea& link = row.text.links[i];
    bool shown = true;
    const float dx = link_shift(row.text, scroll, i, shown);
    const ImVec2 a(text_origin.x + link.min.x - dx, text_origin.y + link.min.y);
    const ImVec2 b(text_origin.x + link.max.x - dx, text_origin.y + link.max.y);
    if (shown && ImGui::IsMouseHoveringRect(a, b) && ImGui::IsWindowHovered()) {
      ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
      const std::string& href = row.doc.links[static_cast<size_t>(link.link)];
      ImGui::SetTooltip("%s", href.c_str());
      if (clicked && open_url) open_url(href);
    }
  }
  for (const CodeArea& code : row.text.code) {
    const ImVec2 a(text_origin.x + code.copy_min.x, text_origin.y + code.copy_min.y);
    const ImVec2 b(text_origin.x + code.copy_max.x, text_origin.y + code.copy_max.y);
    if (ImGui::IsMouseHoveringRect(a, b) && ImGui::IsWindowHovered()) {
      ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
      draw->AddRect(a, b, p.border, theme_.px(6));
      if (clicked) {
        ImGui::SetClipboardText(row.doc.block_text(row.doc.blocks[code.block]).c_str());
      }
    }
  }

  // The line under the bubble: time, delivery or the reply's cost; Copy on hover.
  std::string meta = row.meta;
  ImU32 meta_color = p.text_faint;
  if (row.own && m.seq == 0) {
    const sdk::Delivery delivery = chat_.sync().delivery(m);
    meta = delivery == sdk::Delivery::kFailed ? "Not sent" : "Sending…";
    if (delivery == sdk::Delivery::kFailed) meta_color = p.error;
  } else if (m.status == MessageStatus::kError) {
    meta_color = p.error;
  }
  if (const auto it = receipts_.find(m.id); it != receipts_.end()) {
    meta += meta.empty() ? "" : "  ·  ";
    meta += it->second;
  }
  const float meta_y = max.y + theme_.px(5);
  const ImVec2 meta_size = text_size(f.small, meta);
  const float meta_x = row.own ? max.x - meta_size.x - theme_.px(4) : min.x + theme_.px(4);
  text_at(draw, f.small, ImVec2(meta_x, meta_y), meta_color, meta);
  // Still "hovered" while one of its own buttons is held down, or the button would vanish
  // between press and release and never fire.
  const bool hovered =
      ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) &&
      ImGui::IsMouseHoveringRect(ImVec2(pos.x, pos.y), ImVec2(pos.x + column, pos.y + row.height));
  // Actions: Retry a failed send; Copy any message.
  ImGui::PushFont(f.small);
  ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0, 0, 0, 0));
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImGui::ColorConvertU32ToFloat4(p.surface));
  ImGui::PushStyleColor(ImGuiCol_ButtonActive, ImGui::ColorConvertU32ToFloat4(p.border));
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(p.text_muted));
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(theme_.px(6), theme_.px(1)));
  ImGui::PushID(&row);
  float x = row.own ? meta_x - theme_.px(8) : meta_x + meta_size.x + theme_.px(8);
  auto action = [&](const char* label) {
    const float w = text_size(f.small, label).x + theme_.px(12);
    if (row.own) x -= w;
    // On a touch screen the button is a fingertip tall, centred on its line.
    const float natural = f.small->FontSize + theme_.px(2);
    const float h = theme_.touch() ? std::max(natural, theme_.px(Theme::kMinTap)) : natural;
    ImGui::SetCursorScreenPos(ImVec2(x, meta_y - theme_.px(1) - (h - natural) / 2));
    const bool pressed = ImGui::Button(label, ImVec2(w, h));
    if (!row.own)
      x += w + theme_.px(4);
    else
      x -= theme_.px(4);
    return pressed;
  };
  if (row.own && m.seq == 0 && chat_.sync().delivery(m) == sdk::Delivery::kFailed && m.client_id) {
    if (action("Retry")) chat_.sync().retry(*m.client_id);
  }
  {
    char mark[96];  // a stack buffer: rows are marked every frame
    std::snprintf(mark, sizeof mark, "message.%s", m.id.c_str());
    landmarks_.mark(mark, ImVec2(pos.x, pos.y), ImVec2(pos.x + column, pos.y + row.height));
  }
  // The latest reply shows its actions always (the next step is usually about it); other
  // rows on hover.
  const bool show = hovered || (actions & kRegenerate);
  if (show && !m.content.empty()) {
    if (action("Copy")) ImGui::SetClipboardText(m.content.c_str());
    landmarks_.mark_item("message.copy");
  }
  if (show && (actions & kRegenerate)) {
    if (action("Regenerate")) {
      chat_.sync().regenerate(m.id, [this](Result<Ok> done) {
        if (!done) error_ = "Could not regenerate: " + done.error().message;
      });
    }
    landmarks_.mark_item("message.regenerate");
  }
  if (hovered && (actions & kEdit) && editing_id_ != m.id) {
    if (action("Edit")) {
      const auto list = chat_.sync().messages(id_);
      const bool reply_after = list && !list->items.empty() &&
                               list->items.back()->role == MessageRole::kAssistant &&
                               list->items.back().get() != &m;
      start_edit(m, reply_after ? list->items.back()->id : std::string());
    }
    landmarks_.mark_item("message.edit");
  }
  ImGui::PopID();
  ImGui::PopStyleVar();
  ImGui::PopStyleColor(4);
  ImGui::PopFont();
}

float ChatView::composer_height() const {
  const Fonts& f = theme_.fonts();
  const float line = f.body->FontSize;
  const float banner = editing_id_.empty() ? 0 : theme_.px(30);
  return banner + theme_.px(40) + composer_lines_ * line + theme_.px(28) + theme_.px(30);
}

void ChatView::start_edit(const Message& message, const std::string& reply_id) {
  if (editing_id_.empty()) draft_before_edit_ = draft_slot();
  editing_id_ = message.id;
  editing_reply_id_ = reply_id;
  draft_slot() = message.content;
  focus_composer_ = true;
  caret_to_end_ = true;  // go on typing where the question ends
  error_.clear();
}

void ChatView::cancel_edit() {
  if (editing_id_.empty()) return;
  editing_id_.clear();
  editing_reply_id_.clear();
  draft_slot() = std::move(draft_before_edit_);
  draft_before_edit_.clear();
}

bool ChatView::submit(const std::string& text) {
  if (editing_id_.empty()) return send(text);
  const std::string content(trimmed_end(text));
  if (content.empty()) return false;
  chat_.sync().edit_and_resend(editing_id_, content, editing_reply_id_, [this](Result<Ok> done) {
    if (!done) error_ = "Could not save the edit: " + done.error().message;
  });
  editing_id_.clear();
  editing_reply_id_.clear();
  draft_slot() = std::move(draft_before_edit_);
  draft_before_edit_.clear();
  window_.scroll_to_bottom();
  return false;  // the composer now holds the earlier draft again: keep it
}

void ChatView::draw_composer(ImDrawList* draw, ImVec2 pos, float width) {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  const float box_width = std::min(width - theme_.px(48), theme_.px(760));
  if (!editing_id_.empty()) {
    // Edit & resend: say what Enter will do, and how to leave.
    const float bx = std::round(pos.x + (width - box_width) / 2);
    const float by = pos.y + theme_.px(12);
    text_at(draw, f.small, ImVec2(bx + theme_.px(6), by + theme_.px(5)), p.text_muted,
            editing_reply_id_.empty() ? "Editing your message"
                                      : "Editing your message · the reply will be written again");
    ImGui::PushFont(f.small);
    ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0, 0, 0, 0));
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImGui::ColorConvertU32ToFloat4(p.surface));
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(p.text));
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(theme_.px(8), theme_.px(3)));
    const float cw = text_size(f.small, "Cancel").x + theme_.px(16);
    ImGui::SetCursorScreenPos(ImVec2(bx + box_width - cw, by));
    if (ImGui::Button("Cancel##edit")) cancel_edit();
    landmarks_.mark_item("edit.cancel");
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(3);
    ImGui::PopFont();
    pos.y += theme_.px(30);
  }
  const float line = f.body->FontSize;
  const float box_height = composer_lines_ * line + theme_.px(28) + theme_.px(12);
  const ImVec2 box_min(std::round(pos.x + (width - box_width) / 2), pos.y + theme_.px(12));
  const ImVec2 box_max(box_min.x + box_width, box_min.y + box_height);
  const bool enabled = !id_.empty() || chat_.session().signed_in;
  draw->AddRectFilled(box_min, box_max, p.surface, theme_.px(16));

  std::string& text = draft_slot();
  const float send_size = theme_.tap(36);
  const float input_x = box_min.x + theme_.px(12);
  const ImVec2 input_size(box_width - send_size - theme_.px(34),
                          std::max(composer_lines_ * line + theme_.px(20), theme_.tap(0)));
  ImGui::SetCursorScreenPos(
      ImVec2(input_x, std::round(box_min.y + (box_height - input_size.y) / 2)));
  ImGui::PushStyleColor(ImGuiCol_FrameBg, ImVec4(0, 0, 0, 0));
  ImGui::PushStyleColor(ImGuiCol_FrameBgHovered, ImVec4(0, 0, 0, 0));
  ImGui::PushStyleColor(ImGuiCol_FrameBgActive, ImVec4(0, 0, 0, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(theme_.px(8), theme_.px(10)));
  if (focus_composer_ && !id_.empty()) {
    if (has_keyboard_)
      ImGui::SetKeyboardFocusHere();
    else
      refocus_on_keyboard_ = true;  // when the keyboard comes back
    focus_composer_ = false;
  }
  ImGuiIO& io = ImGui::GetIO();
  const bool enter = key_pressed(ImGuiKey_Enter) || key_pressed(ImGuiKey_KeyPadEnter);
  const bool ctrl = io.KeyCtrl;
  // Enter sends; Shift+Enter (and Ctrl+Enter) is a new line: ImGui knows only the Ctrl
  // variant, so Shift stands in for Ctrl for this one widget.
  if (enter && io.KeyShift) io.KeyCtrl = true;
  ImGui::BeginDisabled(id_.empty());
  if (std::exchange(release_composer_, false) && ImGui::GetActiveID() == ImGui::GetID("##composer"))
    ImGui::ClearActiveID();
  const size_t length_before = text.size();
  const bool submitted = ImGui::InputTextMultiline(
      "##composer", &text, input_size,
      ImGuiInputTextFlags_CtrlEnterForNewLine | ImGuiInputTextFlags_EnterReturnsTrue |
          ImGuiInputTextFlags_CallbackAlways,
      [](ImGuiInputTextCallbackData* data) {
        auto* self = static_cast<ChatView*>(data->UserData);
        if (self->caret_to_end_) {
          data->CursorPos = data->SelectionStart = data->SelectionEnd = data->BufTextLen;
          self->caret_to_end_ = false;
        }
        return 0;
      },
      this);
  ImGui::EndDisabled();
  const bool active = ImGui::IsItemActive();
  composer_focused_ = active;
  // Others in a people chat see that this user is typing (the SDK throttles the frames).
  // (IsItemEdited() says nothing here: EnterReturnsTrue reports only Enter.)
  if (text.size() != length_before && !id_.empty() && !is_ai_chat())
    chat_.sync().set_typing(id_, !text.empty());
  landmarks_.mark_item("composer");
  io.KeyCtrl = ctrl;
  ImGui::PopStyleVar();
  ImGui::PopStyleColor(3);
  draw->AddRect(box_min, box_max, active ? with_alpha(p.primary, 160) : p.border, theme_.px(16), 0,
                theme_.px(1));
  if (text.empty()) {
    const char* hint = id_.empty() ? "Start a new chat to send a message" : "Message imchat…";
    text_at(draw, f.body,
            ImVec2(input_x + theme_.px(8), std::round(box_min.y + (box_height - line) / 2)),
            p.text_faint, hint);
  }
  if (submitted) {
    if (submit(text)) text.clear();
    focus_composer_ = true;
    if (!is_ai_chat()) chat_.sync().set_typing(id_, false);
  }
  if (!editing_id_.empty() && key_pressed(ImGuiKey_Escape)) cancel_edit();
  // The textbox grows with its lines, up to eight, then scrolls.
  const float lines = static_cast<float>(std::count(text.begin(), text.end(), '\n') + 1);
  composer_lines_ = std::clamp(lines, 1.0f, 8.0f);

  // Send, or Stop while a reply is being written (Esc too).
  const bool streaming = replying();
  if (streaming && key_pressed(ImGuiKey_Escape)) stop();
  const ImVec2 send_min(box_max.x - send_size - theme_.px(10),
                        box_max.y - send_size - theme_.px(10));
  ImGui::SetCursorScreenPos(send_min);
  const bool can_send = enabled && !id_.empty() && !text.empty();
  // Greyed out when there is nothing to send, and disabled to match (no hand, no click).
  ImGui::BeginDisabled(!streaming && !can_send);
  const bool pressed = ImGui::InvisibleButton("##send", ImVec2(send_size, send_size));
  ImGui::EndDisabled();
  const bool hot = ImGui::IsItemHovered();
  landmarks_.mark_item("send");
  if (pressed) {
    if (streaming) {
      stop();
    } else if (can_send) {
      if (submit(text)) text.clear();
      focus_composer_ = true;
    }
  }
  const ImU32 fill = streaming || can_send ? (hot ? p.primary_hover : p.primary) : p.disabled_fill;
  draw->AddRectFilled(send_min, ImVec2(send_min.x + send_size, send_min.y + send_size), fill,
                      theme_.px(10));
  const ImVec2 c(send_min.x + send_size / 2, send_min.y + send_size / 2);
  const ImU32 glyph = streaming || can_send ? p.on_primary : p.text_muted;
  if (streaming) {
    const float s = theme_.px(5);
    draw->AddRectFilled(ImVec2(c.x - s, c.y - s), ImVec2(c.x + s, c.y + s), glyph, theme_.px(2));
  } else {
    // An upward arrow, drawn so it needs no icon font.
    const float a = theme_.px(7);
    draw->AddLine(ImVec2(c.x, c.y + a), ImVec2(c.x, c.y - a), glyph, theme_.px(2));
    draw->AddLine(ImVec2(c.x - a * 0.8f, c.y - a * 0.2f), ImVec2(c.x, c.y - a), glyph,
                  theme_.px(2));
    draw->AddLine(ImVec2(c.x + a * 0.8f, c.y - a * 0.2f), ImVec2(c.x, c.y - a), glyph,
                  theme_.px(2));
  }
  const char* note =
      error_.empty() ? "imchat can make mistakes. Check important info." : error_.c_str();
  const ImVec2 ns = text_size(f.small, note);
  text_at(draw, f.small, ImVec2(std::round(pos.x + (width - ns.x) / 2), box_max.y + theme_.px(10)),
          error_.empty() ? p.text_faint : p.error, note);
}

}  // namespace imchat::ui
