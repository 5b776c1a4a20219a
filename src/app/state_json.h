// state_json: what the app shows, as JSON — the contract of window.imchat.state() and of
// the native test's state file (the list of fields is in app.h). Read from the parts, never
// kept: built only when a test or the page asks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sdk/chat_client.h"
#include "sdk/client.h"
#include "ui/app_view.h"
#include "ui/query_devtools.h"
#include "ui/theme.h"

namespace imchat::app {

struct StateSources {
  const sdk::Client& client;
  const sdk::ChatClient& chat;
  const ui::Theme& theme;
  const ui::AppView& view;
  const ui::QueryDevtools& devtools;
  uint64_t frames = 0;
  std::vector<double> frame_times;  // ms, the last frames' UI work, oldest first
};

std::string state_json(const StateSources& sources);

}  // namespace imchat::app
