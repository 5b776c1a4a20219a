// Structured log lines (log.h): one line per event on stderr, one write per line.
#include "server/log.h"

#include <cstdio>
#include <mutex>

#include "model/time.h"

namespace imchat::server {
namespace {

// Values with spaces, quotes or '=' are quoted so lines stay machine-readable.
void append_value(std::string& line, const std::string& value) {
  if (!value.empty() && value.find_first_of(" \"=\t\n") == std::string::npos) {
    line += value;
    return;
  }
  line += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') line += '\\';
    if (c == '\n') {
      line += "\\n";
      continue;
    }
    line += c;
  }
  line += '"';
}

}  // namespace

void log_event(std::string_view level, std::string_view event, const LogFields& fields) {
  std::string line = "ts=" + format_iso8601(now_utc());
  line += " level=";
  line += level;
  line += " event=";
  line += event;
  for (const auto& [key, value] : fields) {
    line += ' ';
    line += key;
    line += '=';
    append_value(line, value);
  }
  line += '\n';
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace imchat::server
