// QueryCache: TanStack Query's semantics for a C++ UI that reads every frame.
//
// A query is a key (a small tuple of strings, invalidated by prefix), a fetcher, and what
// came back: data, error, `status` (pending / error / success — what we have) kept apart
// from `fetch_status` (fetching / paused / idle — what we are doing). Observers (the views
// showing a query) keep it alive; gc_ms after the last one leaves it is dropped. Data is
// stale_ms after it arrived, and stale data is refetched when someone observes it, on
// invalidate(), and on refetch_stale() (page visible again, socket reconnected).
//
// Rules the tests hold it to: one fetch per key at a time, shared by every observer; up to
// `retries` retries after min(1000·2^n, 30000) ms plus jitter, none after a 4xx;
// cancellation is its own outcome, not an error; and a generation counter per key, so a
// fetch started before the latest local change (set_data, invalidate) cannot overwrite
// it when it lands late.
//
// Single-threaded: everything runs on the UI thread; fetchers report through callbacks
// that the transport runs inside its poll(). Time comes from the clock given, so tests
// drive it by hand.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/result.h"

namespace imchat::sdk {

// ["messages", "c_1"], ["conversations", "list"], … Compared part by part.
using QueryKey = std::vector<std::string>;

std::string to_string(const QueryKey& key);
// True when key begins with every part of prefix.
bool starts_with(const QueryKey& key, const QueryKey& prefix);

enum class QueryStatus { kPending, kError, kSuccess };
enum class FetchStatus { kIdle, kFetching, kPaused };

const char* to_string(QueryStatus status);
const char* to_string(FetchStatus status);

struct QueryOptions {
  int64_t stale_ms = 0;           // data is fresh this long after it arrived
  int64_t gc_ms = 5 * 60 * 1000;  // kept this long after the last observer left
  int retries = 3;                // after the first failure
};

// Data is shared and immutable: an unchanged item keeps its identity from one version of
// the cache to the next, so a view can keep its layout for it.
using AnyData = std::shared_ptr<const void>;
using FetchDone = std::function<void(Result<AnyData>)>;
// Starts a fetch that reports once through done (unless cancelled); returns how to cancel
// it. done runs later, from the transport's poll(), never inside the call.
using Fetcher = std::function<std::function<void()>(FetchDone done)>;

struct QueryState {
  QueryKey key;
  AnyData data;
  std::optional<Error> error;
  QueryStatus status = QueryStatus::kPending;
  FetchStatus fetch_status = FetchStatus::kIdle;
  int64_t updated_at_ms = -1;  // when data last arrived or was set; -1: never
  int observers = 0;
  int failure_count = 0;     // of the current fetch, retries included
  uint64_t generation = 0;   // bumped by every local change and invalidation
  bool invalidated = false;  // stale whatever its age
};

class QueryCache {
 public:
  struct Hooks {
    std::function<int64_t()> now_ms;
    std::function<double()> random;  // uniform in [0, 1), for retry jitter
    bool online = true;              // offline: fetches wait as "paused"
  };

  explicit QueryCache(Hooks hooks);
  ~QueryCache();
  QueryCache(const QueryCache&) = delete;
  QueryCache& operator=(const QueryCache&) = delete;

  // A view's interest in a query: while an Observer lives the query is kept and fetched
  // when stale. Movable; destroying it (or reset()) lets the gc timer run.
  class Observer {
   public:
    Observer() = default;
    Observer(Observer&& other) noexcept { *this = std::move(other); }
    Observer& operator=(Observer&& other) noexcept;
    ~Observer() { reset(); }
    void reset();
    const QueryKey& key() const { return key_; }

   private:
    friend class QueryCache;
    Observer(QueryCache* cache, QueryKey key)
        : cache_(cache), alive_(cache->alive_), key_(std::move(key)) {}
    QueryCache* cache_ = nullptr;
    std::weak_ptr<bool> alive_;  // an observer outliving its cache does nothing
    QueryKey key_;
  };

  // Registers interest and the way to fetch; starts a fetch when there is no fresh data.
  Observer observe(const QueryKey& key, Fetcher fetcher, QueryOptions options = {});

  const QueryState* find(const QueryKey& key) const;
  template <typename T>
  std::shared_ptr<const T> data(const QueryKey& key) const {
    const QueryState* q = find(key);
    return q ? std::static_pointer_cast<const T>(q->data) : nullptr;
  }

  // A local change (an optimistic update, a realtime event): replaces the data at once and
  // makes any fetch already in flight for the key unable to overwrite it.
  void set_data(const QueryKey& key, AnyData data);
  // A change that a fetch in flight will carry too (ChatSync replays realtime events onto
  // every page it fetches): replaces the data without discarding that fetch's answer.
  void patch_data(const QueryKey& key, AnyData data);
  // Edits the key's data in place when the cache holds the only reference (a view reads
  // it per frame and lets go, so this is the common case and costs no copy), otherwise
  // edits a copy. The data must have been made mutable (std::make_shared<T>, not <const T>).
  // keep_fetch as in patch_data. False when the key has no data.
  template <typename T, typename Edit>
  bool edit_data(const QueryKey& key, Edit&& edit, bool keep_fetch = true) {
    AnyData* slot = data_slot(key);
    if (!slot || !*slot) return false;
    if (slot->use_count() == 1) {
      edit(*const_cast<T*>(static_cast<const T*>(slot->get())));
    } else {
      auto copy = std::make_shared<T>(*static_cast<const T*>(slot->get()));
      edit(*copy);
      *slot = std::move(copy);
    }
    touched(key, keep_fetch);
    return true;
  }
  // Every query whose key starts with prefix (or equals it, when exact) becomes stale;
  // observed ones refetch now, cancelling a fetch in flight (its answer may predate
  // whatever caused the invalidation).
  void invalidate(const QueryKey& prefix, bool exact = false);
  // Stops the key's fetch in flight. Its status stays what it was: not an error.
  void cancel(const QueryKey& key);
  // Refetch every observed stale query (page visible again, socket reconnected).
  void refetch_stale();
  // Offline: new fetches and retries wait ("paused"); online again: they go.
  void set_online(bool online);

  // Runs what is due: retries and garbage collection. Call once per frame.
  void tick();
  // The earliest time tick() has work, for an idle UI's sleep; nullopt: none.
  std::optional<int64_t> next_deadline_ms() const;

  std::vector<const QueryState*> queries() const;  // for the debug window
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    QueryState state;
    Fetcher fetcher;
    QueryOptions options;
    std::function<void()> cancel_fetch;
    uint64_t fetch_id = 0;          // which fetch a result belongs to
    uint64_t fetch_generation = 0;  // the generation when the fetch started
    std::optional<int64_t> retry_at_ms;
    std::optional<int64_t> gc_at_ms;
  };

  Entry* entry(const QueryKey& key);
  AnyData* data_slot(const QueryKey& key);
  void touched(const QueryKey& key, bool keep_fetch);
  bool is_stale(const Entry& e) const;
  void start_fetch(Entry& e, bool retry = false);
  void on_result(const QueryKey& key, uint64_t fetch_id, Result<AnyData> result);
  void stop_fetch(Entry& e);
  void release(const QueryKey& key);
  int64_t retry_delay_ms(int failures) const;

  Hooks hooks_;
  std::map<QueryKey, Entry> entries_;
  uint64_t next_fetch_id_ = 1;
  // Callbacks from fetches may outlive the cache (a transport polled after it is gone).
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace imchat::sdk
