// One row of the `make bench` table (bench/run prints the header): every benchmark prints
// through this, so the columns line up whichever program wrote them.
#pragma once

#include <cstdio>
#include <string>

namespace imchat::bench {

inline void row(const std::string& name, double value, const char* unit, const std::string& note) {
  std::printf("| %-38s | %12.2f | %-6s | %s |\n", name.c_str(), value, unit, note.c_str());
  std::fflush(stdout);  // rows appear as they are measured, even in a pipe
}

}  // namespace imchat::bench
