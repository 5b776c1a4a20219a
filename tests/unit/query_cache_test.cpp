// The query cache's rules, on a scripted fetcher and a clock the test moves by hand.
#include <gtest/gtest.h>

#include "sdk/query_cache.h"

namespace imchat::sdk {
namespace {

struct Scripted {
  struct Call {
    FetchDone done;
    bool cancelled = false;
  };
  std::vector<std::shared_ptr<Call>> calls;

  Fetcher fetcher() {
    return [this](FetchDone done) {
      auto call = std::make_shared<Call>();
      call->done = std::move(done);
      calls.push_back(call);
      return std::function<void()>([call] { call->cancelled = true; });
    };
  }
  void succeed(size_t i, int value) {
    calls.at(i)->done(AnyData(std::make_shared<const int>(value)));
  }
  void fail(size_t i, int http_status) {
    Error e = make_error(ErrorCode::kHttp, "HTTP " + std::to_string(http_status));
    e.status = http_status;
    calls.at(i)->done(e);
  }
  size_t open() const {
    size_t n = 0;
    for (const auto& c : calls)
      n += !c->cancelled;
    return n;
  }
};

class QueryCacheTest : public ::testing::Test {
 protected:
  int64_t now_ = 1'000'000;
  double random_ = 0.0;
  QueryCache cache_{{[this] { return now_; }, [this] { return random_; }, true}};
  Scripted fetch_;

  int value(const QueryKey& key) {
    auto data = cache_.data<int>(key);
    return data ? *data : -1;
  }
  void advance(int64_t ms) {
    now_ += ms;
    cache_.tick();
  }
};

const QueryKey kList = {"conversations", "list"};

TEST_F(QueryCacheTest, ObserversShareOneFetch) {
  auto a = cache_.observe(kList, fetch_.fetcher());
  auto b = cache_.observe(kList, fetch_.fetcher());
  ASSERT_EQ(fetch_.calls.size(), 1u);
  const QueryState* q = cache_.find(kList);
  EXPECT_EQ(q->status, QueryStatus::kPending);
  EXPECT_EQ(q->fetch_status, FetchStatus::kFetching);
  EXPECT_EQ(q->observers, 2);
  fetch_.succeed(0, 7);
  EXPECT_EQ(value(kList), 7);
  EXPECT_EQ(q->status, QueryStatus::kSuccess);
  EXPECT_EQ(q->fetch_status, FetchStatus::kIdle);
  EXPECT_EQ(q->updated_at_ms, now_);
}

TEST_F(QueryCacheTest, FreshDataIsNotRefetchedUntilItIsStale) {
  QueryOptions options{.stale_ms = 10'000};
  auto a = cache_.observe(kList, fetch_.fetcher(), options);
  fetch_.succeed(0, 1);
  now_ += 9'999;
  auto b = cache_.observe(kList, fetch_.fetcher(), options);
  EXPECT_EQ(fetch_.calls.size(), 1u) << "fresh: served from the cache";
  now_ += 1;
  auto c = cache_.observe(kList, fetch_.fetcher(), options);
  EXPECT_EQ(fetch_.calls.size(), 2u) << "stale: a new observer refetches";
  EXPECT_EQ(value(kList), 1) << "the stale data stays visible meanwhile";
  // staleTime 0 (the default): every new observer refetches.
  const QueryKey other = {"models"};
  auto d = cache_.observe(other, fetch_.fetcher());
  fetch_.succeed(2, 5);
  auto e = cache_.observe(other, fetch_.fetcher());
  EXPECT_EQ(fetch_.calls.size(), 4u);
}

TEST_F(QueryCacheTest, UnobservedQueriesAreCollectedAfterGcTime) {
  QueryOptions options{.gc_ms = 60'000};
  {
    auto a = cache_.observe(kList, fetch_.fetcher(), options);
    fetch_.succeed(0, 1);
    advance(600'000);
    EXPECT_NE(cache_.find(kList), nullptr) << "observed queries are never collected";
  }
  EXPECT_EQ(cache_.next_deadline_ms(), now_ + 60'000);
  advance(59'999);
  EXPECT_NE(cache_.find(kList), nullptr);
  // Coming back before the deadline keeps it (and its data).
  auto b = cache_.observe(kList, fetch_.fetcher(), options);
  EXPECT_EQ(value(kList), 1);
  b.reset();
  advance(60'000);
  EXPECT_EQ(cache_.find(kList), nullptr);
  EXPECT_EQ(cache_.size(), 0u);
}

TEST_F(QueryCacheTest, InvalidationByPrefixOrExactly) {
  const QueryKey m1 = {"messages", "c_1"};
  const QueryKey m1_page = {"messages", "c_1", "before", "40"};
  const QueryKey m2 = {"messages", "c_2"};
  auto a = cache_.observe(m1, fetch_.fetcher());
  auto b = cache_.observe(m1_page, fetch_.fetcher());
  auto c = cache_.observe(m2, fetch_.fetcher());
  for (size_t i = 0; i < 3; ++i)
    fetch_.succeed(i, static_cast<int>(i));
  cache_.invalidate({"messages", "c_1"});
  EXPECT_EQ(fetch_.calls.size(), 5u) << "c_1 and its page refetch; c_2 does not";
  EXPECT_TRUE(cache_.find(m1)->invalidated);
  EXPECT_FALSE(cache_.find(m2)->invalidated);
  fetch_.succeed(3, 10);
  fetch_.succeed(4, 11);
  cache_.invalidate({"messages", "c_1"}, /*exact=*/true);
  EXPECT_EQ(fetch_.calls.size(), 6u) << "exact: only that key";
  // An unobserved query is only marked: it refetches when someone looks again.
  a.reset();
  fetch_.succeed(5, 12);
  cache_.invalidate(m1, /*exact=*/true);
  EXPECT_EQ(fetch_.calls.size(), 6u);
  auto again = cache_.observe(m1, fetch_.fetcher(), {.stale_ms = 1'000'000});
  EXPECT_EQ(fetch_.calls.size(), 7u) << "invalidated counts as stale, however young";
}

TEST_F(QueryCacheTest, AFetchStartedBeforeALocalChangeCannotOverwriteIt) {
  auto a = cache_.observe(kList, fetch_.fetcher());
  fetch_.succeed(0, 1);
  auto b = cache_.observe(kList, fetch_.fetcher());        // a refetch goes out…
  cache_.set_data(kList, std::make_shared<const int>(2));  // …then an optimistic update
  fetch_.succeed(1, 1);  // the refetch lands with what the server had before
  EXPECT_EQ(value(kList), 2) << "the older answer was discarded";
  EXPECT_EQ(cache_.find(kList)->fetch_status, FetchStatus::kIdle);
  // After an invalidation the new fetch's answer is the one that counts.
  cache_.invalidate(kList);
  ASSERT_EQ(fetch_.calls.size(), 3u);
  fetch_.succeed(2, 3);
  EXPECT_EQ(value(kList), 3);
}

TEST_F(QueryCacheTest, InvalidateCancelsTheFetchInFlightAndIgnoresItsLateAnswer) {
  auto a = cache_.observe(kList, fetch_.fetcher());
  cache_.invalidate(kList);
  ASSERT_EQ(fetch_.calls.size(), 2u);
  EXPECT_TRUE(fetch_.calls[0]->cancelled);
  fetch_.succeed(0, 99);  // a transport that answered anyway
  EXPECT_EQ(value(kList), -1);
  fetch_.succeed(1, 5);
  EXPECT_EQ(value(kList), 5);
}

TEST_F(QueryCacheTest, ServerErrorsRetryWithCappedBackoffThenFail) {
  auto a = cache_.observe(kList, fetch_.fetcher());
  random_ = 0.999;  // the most jitter: 25 % on top
  fetch_.fail(0, 503);
  const QueryState* q = cache_.find(kList);
  EXPECT_EQ(q->fetch_status, FetchStatus::kFetching) << "a retry is part of the fetch";
  EXPECT_EQ(q->status, QueryStatus::kPending);
  // 1st retry after 1000 ms (+ up to 250 ms jitter), 2nd after 2000, 3rd after 4000.
  for (auto [base, attempt] : {std::pair{1000, 1}, {2000, 2}, {4000, 3}}) {
    const int64_t due = *cache_.next_deadline_ms() - now_;
    EXPECT_GE(due, base);
    EXPECT_LE(due, base + base / 4);
    advance(due - 1);
    EXPECT_EQ(fetch_.calls.size(), static_cast<size_t>(attempt)) << "not before its time";
    advance(1);
    ASSERT_EQ(fetch_.calls.size(), static_cast<size_t>(attempt + 1));
    fetch_.fail(attempt, 500);
  }
  EXPECT_EQ(q->status, QueryStatus::kError) << "3 retries, then the error shows";
  EXPECT_EQ(q->fetch_status, FetchStatus::kIdle);
  EXPECT_EQ(q->error->status, 500);
  EXPECT_EQ(q->failure_count, 4);
  advance(120'000);
  EXPECT_EQ(fetch_.calls.size(), 4u);
}

TEST_F(QueryCacheTest, BackoffIsCappedAtThirtySeconds) {
  auto a = cache_.observe(kList, fetch_.fetcher(), {.retries = 10});
  for (size_t i = 0; i < 7; ++i) {
    fetch_.fail(i, 502);
    const int64_t due = *cache_.next_deadline_ms() - now_;
    EXPECT_LE(due, 30'000) << "retry " << i + 1;
    advance(due);
  }
  fetch_.fail(7, 502);
  EXPECT_EQ(cache_.next_deadline_ms(), now_ + 30'000) << "the 6th and later wait the cap";
}

TEST_F(QueryCacheTest, ClientErrorsAreNotRetried) {
  auto a = cache_.observe(kList, fetch_.fetcher());
  fetch_.fail(0, 404);
  EXPECT_EQ(cache_.find(kList)->status, QueryStatus::kError);
  EXPECT_FALSE(cache_.next_deadline_ms());
}

TEST_F(QueryCacheTest, NetworkErrorsAreRetried) {
  auto a = cache_.observe(kList, fetch_.fetcher());
  fetch_.calls[0]->done(make_error(ErrorCode::kNetwork, "connection refused"));
  EXPECT_TRUE(cache_.next_deadline_ms());
  EXPECT_EQ(cache_.find(kList)->status, QueryStatus::kPending);
}

TEST_F(QueryCacheTest, CancellationIsNotAnError) {
  auto a = cache_.observe(kList, fetch_.fetcher());
  fetch_.succeed(0, 1);
  auto b = cache_.observe(kList, fetch_.fetcher());
  cache_.cancel(kList);
  EXPECT_TRUE(fetch_.calls[1]->cancelled);
  const QueryState* q = cache_.find(kList);
  EXPECT_EQ(q->status, QueryStatus::kSuccess) << "what we had stays";
  EXPECT_EQ(q->fetch_status, FetchStatus::kIdle);
  EXPECT_FALSE(q->error);
  // A fetcher that reports its own cancellation changes nothing either.
  auto c = cache_.observe(kList, fetch_.fetcher());
  fetch_.calls[2]->done(make_error(ErrorCode::kCancelled, "cancelled"));
  EXPECT_EQ(q->status, QueryStatus::kSuccess);
  EXPECT_EQ(value(kList), 1);
}

TEST_F(QueryCacheTest, OfflineFetchesPauseAndResumeOnline) {
  cache_.set_online(false);
  auto a = cache_.observe(kList, fetch_.fetcher());
  EXPECT_TRUE(fetch_.calls.empty());
  EXPECT_EQ(cache_.find(kList)->fetch_status, FetchStatus::kPaused);
  cache_.set_online(true);
  ASSERT_EQ(fetch_.calls.size(), 1u);
  // A retry that comes due while offline waits too.
  fetch_.fail(0, 503);
  cache_.set_online(false);
  advance(2'000);
  EXPECT_EQ(fetch_.calls.size(), 1u);
  EXPECT_EQ(cache_.find(kList)->fetch_status, FetchStatus::kPaused);
  cache_.set_online(true);
  EXPECT_EQ(fetch_.calls.size(), 2u);
}

TEST_F(QueryCacheTest, RefetchStaleTouchesOnlyObservedStaleQueries) {
  QueryOptions fresh{.stale_ms = 60'000};
  auto a = cache_.observe({"a"}, fetch_.fetcher());
  auto b = cache_.observe({"b"}, fetch_.fetcher(), fresh);
  {
    auto c = cache_.observe({"c"}, fetch_.fetcher());
    fetch_.succeed(2, 3);
  }
  fetch_.succeed(0, 1);
  fetch_.succeed(1, 2);
  cache_.refetch_stale();  // page visible again / socket reconnected
  ASSERT_EQ(fetch_.calls.size(), 4u) << "only a: b is fresh, c has no observer";
}

TEST_F(QueryCacheTest, ObserversOutlivingTheCacheAreHarmless) {
  QueryCache::Observer survivor;
  Scripted fetch;
  {
    QueryCache cache({[this] { return now_; }, [] { return 0.0; }, true});
    survivor = cache.observe(kList, fetch.fetcher());
  }
  EXPECT_TRUE(fetch.calls[0]->cancelled) << "the cache cancelled its fetches";
  fetch.succeed(0, 1);  // a late answer into a dead cache
  survivor.reset();
}

}  // namespace
}  // namespace imchat::sdk
