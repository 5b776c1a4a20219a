#include "model/time.h"

#include <chrono>
#include <cstdio>

namespace imchat {
namespace {

// Howard Hinnant's civil-calendar algorithms: exact for the proleptic Gregorian calendar
// and free of time-zone state (timegm is not portable to every libc we build for).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly n digits at text[pos]; false if any is not a digit.
bool read_digits(std::string_view text, size_t pos, size_t n, int& out) {
  if (pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

bool expect(std::string_view text, size_t pos, char c) {
  return pos < text.size() && text[pos] == c;
}

}  // namespace

Timestamp now_utc() {
  using namespace std::chrono;
  return Timestamp{duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()};
}

std::string format_iso8601(Timestamp t) {
  int64_t days = t.ms / 86400000;
  int64_t rem = t.ms % 86400000;
  if (rem < 0) {
    rem += 86400000;
    days -= 1;
  }
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  const int64_t secs = rem / 1000;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60),
                static_cast<long long>(rem % 1000));
  return buf;
}

Result<Timestamp> parse_iso8601(std::string_view s) {
  auto fail = [&] {
    return make_error(ErrorCode::kParse,
                      "not an ISO-8601 UTC timestamp: \"" + std::string(s.substr(0, 40)) + "\"");
  };
  int year, month, day, hour, minute, second;
  if (!read_digits(s, 0, 4, year) || !expect(s, 4, '-') || !read_digits(s, 5, 2, month) ||
      !expect(s, 7, '-') || !read_digits(s, 8, 2, day) ||
      !(expect(s, 10, 'T') || expect(s, 10, 't') || expect(s, 10, ' ')) ||
      !read_digits(s, 11, 2, hour) || !expect(s, 13, ':') || !read_digits(s, 14, 2, minute) ||
      !expect(s, 16, ':') || !read_digits(s, 17, 2, second)) {
    return fail();
  }
  if (month < 1 || month > 12 || day < 1 || day > static_cast<int>(days_in_month(year, month)) ||
      hour > 23 || minute > 59 || second > 60) {
    return fail();
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (expect(s, pos, '.')) {
    ++pos;
    size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) return fail();
    for (size_t i = digits; i < 3; ++i)
      millis *= 10;
  }
  int64_t offset_minutes = 0;
  if (expect(s, pos, 'Z') || expect(s, pos, 'z')) {
    ++pos;
  } else if (expect(s, pos, '+') || expect(s, pos, '-')) {
    const int sign = s[pos] == '-' ? -1 : 1;
    int oh, om;
    if (!read_digits(s, pos + 1, 2, oh) || !expect(s, pos + 3, ':') ||
        !read_digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return fail();
    }
    offset_minutes = sign * (oh * 60 + om);
    pos += 6;
  } else {
    return fail();  // a time without a zone is ambiguous; the wire is always UTC
  }
  if (pos != s.size()) return fail();
  const int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t secs =
      days * 86400 + hour * 3600 + minute * 60 + (second == 60 ? 59 : second) - offset_minutes * 60;
  return Timestamp{secs * 1000 + millis};
}

}  // namespace imchat
