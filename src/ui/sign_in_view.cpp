// SignInView (sign_in_view.h): the sign-in and sign-up card.
#include "ui/sign_in_view.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <imgui_internal.h>  // ImGui::GetActiveID
#include <imgui_stdlib.h>

#include "ui/draw_util.h"

namespace imchat::ui {

// A one-line field, its text written back as it is typed; true when Enter was pressed in it
// (Enter also lets go of the field: submit() gives the keyboard back where it is needed).
bool SignInView::input(const char* id, std::string& text, int flags) {
  const bool was_active = ImGui::GetActiveID() == ImGui::GetID(id);
  ImGui::InputText(id, &text, flags);
  return was_active && (key_pressed(ImGuiKey_Enter) || key_pressed(ImGuiKey_KeyPadEnter));
}

const std::string& SignInView::error() const {
  return local_error_.empty() ? chat_.session().error : local_error_;
}

void SignInView::field_label(const char* text) {
  ImGui::PushFont(theme_.fonts().small);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(theme_.palette().text_muted));
  ImGui::TextUnformatted(text);
  ImGui::PopStyleColor();
  ImGui::PopFont();
}

bool SignInView::field(const char* label, const char* id, std::string& text, float width, int flags,
                       const char* landmark) {
  const Palette& p = theme_.palette();
  field_label(label);
  ImGui::SetNextItemWidth(width);
  const bool entered = input(id, text, flags);
  landmarks_.mark_item(landmark);
  // A thin border, brighter while the field has the keyboard.
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  ImGui::GetWindowDrawList()->AddRect(
      a, b, ImGui::IsItemActive() ? with_alpha(p.primary, 180) : p.border, theme_.px(10));
  ImGui::Dummy(ImVec2(0, theme_.px(6)));
  return entered;
}

void SignInView::submit() {
  const sdk::SessionState& s = chat_.session();
  if (s.signing_in) return;
  local_error_.clear();
  const size_t min = s.auth.password_min, max = s.auth.password_max;
  // The field at fault takes the keyboard back (Enter let go of it); a refused password is
  // emptied, to be typed again.
  if (create_ && trimmed_end(name_).empty()) {
    local_error_ = "Enter your name.";
    focus_ = Field::kName;
  } else if (email_.find('@') == std::string::npos) {
    local_error_ = "Enter your email address.";
    focus_ = Field::kEmail;
  } else if (password_.size() < min || password_.size() > max) {
    local_error_ = "The password must be " + std::to_string(min) + " to " + std::to_string(max) +
                   " characters.";
    focus_ = Field::kPassword;
    password_.clear();
  }
  if (!local_error_.empty()) return;
  waiting_ = true;
  if (create_)
    chat_.sign_up(std::string(trimmed_end(name_)), email_, password_);
  else
    chat_.log_in(email_, password_);
}

void SignInView::draw(ImVec2 pos, ImVec2 size) {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  const sdk::SessionState& session = chat_.session();
  // A pane of its own, as the sidebar and the chat are.
  ImGui::SetCursorScreenPos(pos);
  ImGui::BeginChild("sign_in", size, false,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoSavedSettings);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(pos, ImVec2(pos.x + size.x, pos.y + size.y), p.background);

  const float card_w = std::min(theme_.px(380), size.x - theme_.px(32));
  const float pad = theme_.px(28);
  const float inner = card_w - 2 * pad;
  const bool can_create = session.auth.registration == "open";
  // Centred on the height it had last frame (the first frame guesses); the card itself is
  // drawn behind the content once the content has measured it.
  const float card_h = card_height_ > 0 ? card_height_ : theme_.px(create_ ? 480 : 410);
  const ImVec2 card_min(std::round(pos.x + (size.x - card_w) / 2),
                        std::round(pos.y + std::max(theme_.px(16), (size.y - card_h) / 2)));
  draw->ChannelsSplit(2);
  draw->ChannelsSetCurrent(1);

  // The mark and the heading.
  const float mark = theme_.px(40);
  const ImVec2 m(card_min.x + (card_w - mark) / 2, card_min.y + pad);
  draw->AddRectFilled(m, ImVec2(m.x + mark, m.y + mark), p.primary, theme_.px(10));
  const ImVec2 is = text_size(f.body_bold, "i");
  text_at(draw, f.body_bold,
          ImVec2(std::round(m.x + (mark - is.x) / 2), std::round(m.y + (mark - is.y) / 2)),
          p.on_primary, "i");
  const char* heading = create_ ? "Create your account" : "Sign in to imchat";
  const ImVec2 hs = text_size(f.h1, heading);
  const float heading_y = m.y + mark + theme_.px(16);
  text_at(draw, f.h1, ImVec2(std::round(card_min.x + (card_w - hs.x) / 2), heading_y), p.text,
          heading);
  const char* sub = create_ ? "Your chats stay on this server." : "Welcome back.";
  const ImVec2 ss = text_size(f.small, sub);
  text_at(draw, f.small,
          ImVec2(std::round(card_min.x + (card_w - ss.x) / 2), heading_y + hs.y + theme_.px(6)),
          p.text_muted, sub);

  ImGui::SetCursorScreenPos(ImVec2(card_min.x + pad, heading_y + hs.y + theme_.px(34)));
  ImGui::BeginGroup();
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(theme_.px(12), theme_.px(10)));
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(theme_.px(8), theme_.px(6)));
  ImGui::PushStyleColor(ImGuiCol_FrameBg, ImGui::ColorConvertU32ToFloat4(p.background));
  bool enter = false;
  // A refused sign-in: the password takes the keyboard, to be typed again.
  if (waiting_ && !session.signing_in) {
    waiting_ = false;
    if (!session.error.empty()) {
      focus_ = Field::kPassword;
      password_.clear();
    }
  }
  if (focus_ == Field::kFirst) focus_ = create_ ? Field::kName : Field::kEmail;
  auto focus_here = [this](Field which) {
    if (focus_ != which) return;
    ImGui::SetKeyboardFocusHere();
    focus_ = Field::kNone;
    focus_frames_ = 2;  // the field becomes active in the next frame: draw it
  };
  if (create_) {
    focus_here(Field::kName);
    enter |= field("Name", "##name", name_, inner, 0, "sign_in.name");
  }
  focus_here(Field::kEmail);
  enter |=
      field("Email", "##email", email_, inner, ImGuiInputTextFlags_CharsNoBlank, "sign_in.email");
  // The password, and Show/Hide beside it.
  const float reveal_w = theme_.px(64);
  {
    field_label("Password");
    ImGui::SetNextItemWidth(inner - reveal_w - theme_.px(8));
    focus_here(Field::kPassword);
    enter |= input("##password", password_, reveal_ ? 0 : ImGuiInputTextFlags_Password);
    landmarks_.mark_item("sign_in.password");
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    draw->AddRect(a, b, ImGui::IsItemActive() ? with_alpha(p.primary, 180) : p.border,
                  theme_.px(10));
    ImGui::SameLine(0, theme_.px(8));
    if (quiet_button(p, reveal_ ? "Hide" : "Show", ImVec2(reveal_w, b.y - a.y))) reveal_ = !reveal_;
    landmarks_.mark_item("sign_in.reveal");
  }
  ImGui::PopStyleColor();
  ImGui::PopStyleVar(2);

  // The error, then the main button.
  ImGui::Dummy(ImVec2(0, theme_.px(4)));
  const std::string& shown = error();
  if (!shown.empty()) {
    ImGui::PushFont(f.small);
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(p.error));
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + inner);
    ImGui::TextUnformatted(shown.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
    ImGui::PopFont();
  } else {
    ImGui::Dummy(ImVec2(0, f.small->FontSize));
  }
  ImGui::Dummy(ImVec2(0, theme_.px(4)));
  const char* action = session.signing_in ? (create_ ? "Creating…" : "Signing in…")
                                          : (create_ ? "Create account" : "Sign in");
  ImGui::PushFont(f.body_bold);
  const bool pressed = colored_button(action, ImVec2(inner, theme_.tap(42)), p.primary,
                                      p.primary_hover, p.on_primary);
  ImGui::PopFont();
  landmarks_.mark_item("sign_in.submit");
  if (pressed || enter) submit();

  // Switch between signing in and creating an account; a guest, when allowed.
  ImGui::Dummy(ImVec2(0, theme_.px(8)));
  if (can_create || create_) {
    const char* question = create_ ? "Have an account?" : "New here?";
    const char* link = create_ ? "Sign in" : "Create an account";
    const float qw = text_size(f.small, question).x, lw = text_size(f.small, link).x;
    const float x = card_min.x + (card_w - qw - lw - theme_.px(6)) / 2;
    const float y = ImGui::GetCursorScreenPos().y;
    text_at(draw, f.small, ImVec2(x, y), p.text_muted, question);
    ImGui::SetCursorScreenPos(ImVec2(x + qw + theme_.px(6), y));
    if (ImGui::InvisibleButton("##mode", ImVec2(lw, f.small->FontSize + theme_.px(2)))) {
      create_ = !create_;
      local_error_.clear();
      focus_ = Field::kFirst;
    }
    landmarks_.mark_item("sign_in.mode");
    text_at(draw, f.small, ImVec2(x + qw + theme_.px(6), y),
            ImGui::IsItemHovered() ? p.primary_hover : p.link, link);
  }
  if (session.auth.guests) {
    ImGui::Dummy(ImVec2(0, theme_.px(14)));
    ImGui::SetCursorScreenPos(ImVec2(card_min.x + pad, ImGui::GetCursorScreenPos().y));
    if (quiet_button(p, "Continue as guest", ImVec2(inner, theme_.tap(38))))
      chat_.continue_as_guest();
    landmarks_.mark_item("sign_in.guest");
  }
  ImGui::EndGroup();
  const float height = ImGui::GetItemRectMax().y + pad - card_min.y;
  draw->ChannelsSetCurrent(0);
  draw->AddRectFilled(card_min, ImVec2(card_min.x + card_w, card_min.y + height), p.sidebar,
                      theme_.px(16));
  draw->AddRect(card_min, ImVec2(card_min.x + card_w, card_min.y + height), p.border,
                theme_.px(16));
  draw->ChannelsMerge();
  ImGui::EndChild();
  // Centred on a guess, or a field about to take the keyboard: another frame.
  if (focus_frames_ > 0) --focus_frames_;
  settling_ = std::abs(height - card_h) > 0.5f || focus_frames_ > 0 || focus_ != Field::kNone;
  card_height_ = height;
}

}  // namespace imchat::ui
