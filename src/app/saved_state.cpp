// SavedState (saved_state.h): settings, the last open chat and drafts in the local stores.
#include "app/saved_state.h"

#include "protocol/json.h"

namespace imchat::app {
namespace {

constexpr const char* kSettingsKey = "imchat.settings";
constexpr const char* kLastOpenKey = "imchat.last";
constexpr const char* kDraftsKey = "imchat.drafts";

}  // namespace

ui::AppSettings SavedState::settings(ui::AppSettings defaults) const {
  if (!device_) return defaults;
  const auto saved = device_->get(kSettingsKey);
  if (!saved) return defaults;
  ui::AppSettings settings = defaults;
  if (auto json = protocol::parse_json(*saved); json && json->is_object()) {
    if (const auto theme = json->find("theme"); theme != json->end() && theme->is_string())
      settings.light = *theme == "light";
    if (const auto size = json->find("textSize"); size != json->end() && size->is_number())
      settings.text_size = size->get<float>();
    if (const auto w = json->find("sidebarWidth"); w != json->end() && w->is_number())
      settings.sidebar_width = w->get<float>();
  }
  return settings;
}

void SavedState::save_settings(const ui::AppSettings& settings) {
  if (!device_) return;
  device_->set(kSettingsKey, protocol::dump_json({{"theme", settings.light ? "light" : "dark"},
                                                  {"textSize", settings.text_size},
                                                  {"sidebarWidth", settings.sidebar_width}}));
}

std::string SavedState::last_open() const {
  return account_ ? account_->get(kLastOpenKey).value_or("") : std::string();
}

// Drafts are kept as {"id": "text"}.
std::unordered_map<std::string, std::string> SavedState::load_drafts() {
  std::unordered_map<std::string, std::string> drafts;
  if (!account_) return drafts;
  const auto saved = account_->get(kDraftsKey);
  if (!saved) return drafts;
  auto json = protocol::parse_json(*saved);
  if (!json || !json->is_object()) return drafts;
  for (const auto& [id, text] : json->items())
    if (text.is_string()) drafts[id] = text.get<std::string>();
  saved_drafts_ = drafts;
  return drafts;
}

void SavedState::remember_open(const std::string& open) {
  if (!account_ || open == last_open_) return;
  last_open_ = open;
  if (open.empty())
    account_->remove(kLastOpenKey);
  else
    account_->set(kLastOpenKey, open);
}

void SavedState::remember_draft(const std::string& open, const std::string& draft) {
  if (!account_ || open.empty()) return;
  const auto saved = saved_drafts_.find(open);
  if (saved == saved_drafts_.end() ? draft.empty() : saved->second == draft) return;
  if (draft.empty())
    saved_drafts_.erase(open);
  else
    saved_drafts_[open] = draft;
  write_drafts(open);
}

void SavedState::forget_draft(const std::string& conversation_id, const std::string& open) {
  if (account_ && saved_drafts_.erase(conversation_id)) write_drafts(open);
}

// At most kMaxDrafts, the open chat's always among them.
void SavedState::write_drafts(const std::string& open) {
  protocol::Json json = protocol::Json::object();
  for (const auto& [id, text] : saved_drafts_) {
    if (json.size() >= kMaxDrafts && id != open) continue;
    json[id] = text;
  }
  account_->set(kDraftsKey, protocol::dump_json(json));
}

}  // namespace imchat::app
