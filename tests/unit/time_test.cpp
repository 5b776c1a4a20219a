#include <gtest/gtest.h>

#include "model/time.h"

namespace imchat {
namespace {

TEST(Time, FormatsEpochAndMilliseconds) {
  EXPECT_EQ(format_iso8601({0}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso8601({1795986416123}), "2026-11-29T21:06:56.123Z");
  EXPECT_EQ(format_iso8601({-1}), "1969-12-31T23:59:59.999Z");
}

TEST(Time, RoundTripsAcrossLeapDays) {
  for (int64_t ms : {int64_t{951782400000}, int64_t{1709208000000}, int64_t{4107542400000},
                     int64_t{1}, int64_t{253402300799999}}) {
    auto parsed = parse_iso8601(format_iso8601({ms}));
    ASSERT_TRUE(parsed) << parsed.error().describe();
    EXPECT_EQ(parsed->ms, ms);
  }
}

TEST(Time, AcceptsOffsetsAndFractions) {
  EXPECT_EQ(parse_iso8601("2026-11-23T22:00:00+01:00")->ms,
            parse_iso8601("2026-11-23T21:00:00Z")->ms);
  EXPECT_EQ(parse_iso8601("2026-11-23T21:00:00.5Z")->ms % 1000, 500);
  EXPECT_EQ(parse_iso8601("2026-11-23T21:00:00.123456789Z")->ms % 1000, 123);
}

TEST(Time, RejectsWhatIsNotATimestamp) {
  for (const char* bad :
       {"", "2026-11-23", "2026-11-23T21:00:00", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-11-23T24:00:00Z", "2026-11-23T21:00:00.Z", "2026-11-23T21:00:00Zjunk",
        "20261123T210000Z", "2026-11-23T21:00:00+0100", "not a date at all"}) {
    auto parsed = parse_iso8601(bad);
    EXPECT_FALSE(parsed) << bad;
    if (!parsed) {
      EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
    }
  }
}

}  // namespace
}  // namespace imchat
