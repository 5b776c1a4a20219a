// SavedState: what survives a reload. The device's settings (theme, text size, sidebar
// width) in the device's store; per server account (a ScopedStore) the conversation last
// open and the unsent drafts, at most kMaxDrafts of them. Everything stored is read
// defensively: a damaged value keeps the default, a damaged draft is skipped.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

#include "platform/local_store.h"
#include "ui/app_view.h"

namespace imchat::app {

class SavedState {
 public:
  static constexpr size_t kMaxDrafts = 50;

  // Either store may be null (nothing is kept there).
  SavedState(platform::LocalStore* device, platform::LocalStore* account)
      : device_(device), account_(account) {}

  // The settings as the user left them, else `defaults`.
  ui::AppSettings settings(ui::AppSettings defaults) const;
  void save_settings(const ui::AppSettings& settings);

  // The conversation open when the app last ran ("" for none).
  std::string last_open() const;
  // The conversation this run starts at: remembered as written (nothing to write for it).
  void starting_at(const std::string& open) { last_open_ = open; }
  // The drafts by conversation id, as stored (and remembered as what the store holds).
  std::unordered_map<std::string, std::string> load_drafts();
  // After each frame: the open conversation, and its draft; written only when they changed.
  void remember_open(const std::string& open);
  void remember_draft(const std::string& open, const std::string& draft);
  // A deleted conversation's draft goes with it; open: the chat open now.
  void forget_draft(const std::string& conversation_id, const std::string& open);

 private:
  void write_drafts(const std::string& open);

  platform::LocalStore* device_;
  platform::LocalStore* account_;
  std::string last_open_;
  std::unordered_map<std::string, std::string> saved_drafts_;  // as in the store
};

}  // namespace imchat::app
