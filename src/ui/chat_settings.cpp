// ChatSettings (chat_settings.h): the chat's settings popup.
#include "ui/chat_settings.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "ui/draw_util.h"

namespace imchat::ui {
namespace {

constexpr float kDefaultTemperature = 0.7f;  // what the slider shows before one is chosen

const char* provider_name(const std::string& provider) {
  if (provider == "builtin") return "imchat (offline)";
  if (provider == "openai") return "OpenAI";
  if (provider == "anthropic") return "Anthropic";
  if (provider == "gemini") return "Google Gemini";
  return provider.c_str();
}

}  // namespace

void ChatSettings::open(const Conversation& conversation) {
  open_ = true;
  open_popup_ = true;
  model_ = conversation.model.value_or("");
  temperature_ = static_cast<float>(conversation.temperature.value_or(kDefaultTemperature));
  has_temperature_ = conversation.temperature.has_value();
  prompt_ = conversation.system_prompt.value_or("");
  if (models_.key().empty())
    models_ = chat_.cache().observe(sdk::models_key(), sdk::fetch_models(chat_.api()));
}

// The chat's settings: model (from the server's catalogue, by provider; those this server
// cannot use are shown greyed with the reason), temperature and system prompt. Saved
// together with one PATCH; Escape or a click outside leaves them as they were.
void ChatSettings::draw(const std::string& conversation_id) {
  const Palette& p = theme_.palette();
  const Fonts& f = theme_.fonts();
  if (open_popup_) {
    ImGui::OpenPopup("##chat_settings_popup");
    open_popup_ = false;
  }
  const float width = theme_.px(340);
  ImGui::SetNextWindowPos(anchor_, ImGuiCond_Always, ImVec2(1, 0));
  ImGui::SetNextWindowSize(ImVec2(width, 0));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(theme_.px(16), theme_.px(14)));
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(theme_.px(8), theme_.px(6)));
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(theme_.px(10), theme_.px(6)));
  ImGui::PushStyleVar(ImGuiStyleVar_PopupBorderSize, 1.0f);
  ImGui::PushStyleColor(ImGuiCol_PopupBg, ImGui::ColorConvertU32ToFloat4(p.surface));
  ImGui::PushStyleColor(ImGuiCol_Border, ImGui::ColorConvertU32ToFloat4(p.border));
  ImGui::PushStyleColor(ImGuiCol_FrameBg, ImGui::ColorConvertU32ToFloat4(p.background));
  const bool open = ImGui::BeginPopup("##chat_settings_popup");
  open_ = open;
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
      const bool chosen = model_ == id;
      ImGui::BeginDisabled(!available);
      ImGui::PushStyleColor(ImGuiCol_Header, ImGui::ColorConvertU32ToFloat4(p.row_selected));
      if (ImGui::Selectable(shown, chosen, 0, ImVec2(0, 0))) model_ = id;
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
      if (!model_.empty() && std::none_of(models->begin(), models->end(),
                                          [&](const ModelInfo& m) { return m.id == model_; }))
        option(model_, model_.c_str(), true, nullptr);
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
    if (ImGui::SliderFloat("##temperature", &temperature_, 0.0f, 2.0f,
                           has_temperature_ ? "%.1f" : "default (%.1f)"))
      has_temperature_ = true;
    landmarks_.mark_item("chat_settings.temperature");
    ImGui::SameLine();
    ImGui::BeginDisabled(!has_temperature_);
    if (quiet_button(p, "Reset", ImVec2(theme_.px(70), 0))) {
      has_temperature_ = false;
      temperature_ = kDefaultTemperature;
    }
    ImGui::EndDisabled();

    ImGui::Dummy(ImVec2(0, theme_.px(4)));
    label("System prompt");
    ImGui::InputTextMultiline("##system_prompt", &prompt_, ImVec2(inner, theme_.px(88)));
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
      if (!model_.empty()) patch.model = model_;
      if (has_temperature_) patch.temperature = std::round(temperature_ * 10) / 10;
      patch.system_prompt = prompt_;
      chat_.sync().update_conversation(conversation_id, patch, [this](Result<Conversation> saved) {
        if (!saved && on_error) on_error("Settings not saved: " + saved.error().message);
      });
    }
    if (save || cancel || key_pressed(ImGuiKey_Escape)) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  }
  ImGui::PopStyleColor(3);
  ImGui::PopStyleVar(4);
}

}  // namespace imchat::ui
