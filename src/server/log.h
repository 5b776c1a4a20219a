// Structured log lines on stderr, one per event: "ts=… level=info event=request method=GET
// path=/api/health status=200 ms=0.2". Safe from any thread (one write per line).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imchat::server {

using LogFields = std::vector<std::pair<std::string_view, std::string>>;

void log_event(std::string_view level, std::string_view event, const LogFields& fields = {});

}  // namespace imchat::server
