#include "sdk/query_cache.h"

#include <algorithm>

namespace imchat::sdk {

std::string to_string(const QueryKey& key) {
  std::string out = "[";
  for (size_t i = 0; i < key.size(); ++i) {
    if (i) out += ", ";
    out += '"' + key[i] + '"';
  }
  return out + "]";
}

bool starts_with(const QueryKey& key, const QueryKey& prefix) {
  return prefix.size() <= key.size() && std::equal(prefix.begin(), prefix.end(), key.begin());
}

const char* to_string(QueryStatus status) {
  switch (status) {
    case QueryStatus::kPending:
      return "pending";
    case QueryStatus::kError:
      return "error";
    case QueryStatus::kSuccess:
      return "success";
  }
  return "?";
}

const char* to_string(FetchStatus status) {
  switch (status) {
    case FetchStatus::kIdle:
      return "idle";
    case FetchStatus::kFetching:
      return "fetching";
    case FetchStatus::kPaused:
      return "paused";
  }
  return "?";
}

QueryCache::Observer& QueryCache::Observer::operator=(Observer&& other) noexcept {
  if (this != &other) {
    reset();
    cache_ = std::exchange(other.cache_, nullptr);
    alive_ = std::move(other.alive_);
    key_ = std::move(other.key_);
  }
  return *this;
}

void QueryCache::Observer::reset() {
  if (cache_ && alive_.lock()) cache_->release(key_);
  cache_ = nullptr;
}

QueryCache::QueryCache(Hooks hooks) : hooks_(std::move(hooks)) {}

QueryCache::~QueryCache() {
  *alive_ = false;
  for (auto& [key, e] : entries_) {
    if (e.cancel_fetch) e.cancel_fetch();
  }
}

QueryCache::Entry* QueryCache::entry(const QueryKey& key) {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

const QueryState* QueryCache::find(const QueryKey& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second.state;
}

std::vector<const QueryState*> QueryCache::queries() const {
  std::vector<const QueryState*> out;
  for (const auto& [key, e] : entries_)
    out.push_back(&e.state);
  return out;
}

bool QueryCache::is_stale(const Entry& e) const {
  return e.state.updated_at_ms < 0 || e.state.invalidated ||
         hooks_.now_ms() - e.state.updated_at_ms >= e.options.stale_ms;
}

QueryCache::Observer QueryCache::observe(const QueryKey& key, Fetcher fetcher,
                                         QueryOptions options) {
  Entry& e = entries_[key];
  e.state.key = key;
  e.fetcher = std::move(fetcher);
  e.options = options;
  ++e.state.observers;
  e.gc_at_ms.reset();
  // Dedup: a fetch in flight (or waiting to retry) serves this observer too.
  if (e.state.fetch_status == FetchStatus::kIdle && !e.retry_at_ms && is_stale(e)) start_fetch(e);
  return Observer(this, key);
}

void QueryCache::release(const QueryKey& key) {
  Entry* e = entry(key);
  if (!e || e->state.observers == 0) return;
  if (--e->state.observers == 0) e->gc_at_ms = hooks_.now_ms() + e->options.gc_ms;
}

void QueryCache::start_fetch(Entry& e, bool retry) {
  if (!e.fetcher) return;
  if (!retry) e.state.failure_count = 0;
  e.retry_at_ms.reset();
  if (!hooks_.online) {
    e.state.fetch_status = FetchStatus::kPaused;
    return;
  }
  const uint64_t id = next_fetch_id_++;
  e.fetch_id = id;
  e.fetch_generation = e.state.generation;
  e.state.fetch_status = FetchStatus::kFetching;
  std::weak_ptr<bool> alive = alive_;
  QueryKey key = e.state.key;
  e.cancel_fetch = e.fetcher([this, alive, key, id](Result<AnyData> result) {
    if (alive.lock()) on_result(key, id, std::move(result));
  });
}

void QueryCache::stop_fetch(Entry& e) {
  auto cancel = std::move(e.cancel_fetch);
  e.cancel_fetch = nullptr;
  e.fetch_id = 0;  // whatever still arrives belongs to no fetch
  e.retry_at_ms.reset();
  e.state.fetch_status = FetchStatus::kIdle;
  if (cancel) cancel();
}

void QueryCache::on_result(const QueryKey& key, uint64_t fetch_id, Result<AnyData> result) {
  Entry* e = entry(key);
  if (!e || e->fetch_id != fetch_id) return;  // cancelled or superseded
  e->cancel_fetch = nullptr;
  e->fetch_id = 0;
  QueryState& q = e->state;
  if (result) {
    q.fetch_status = FetchStatus::kIdle;
    q.failure_count = 0;
    // Started before the latest local change: its answer is older than what we show.
    if (q.generation != e->fetch_generation) return;
    q.data = std::move(*result);
    q.error.reset();
    q.status = QueryStatus::kSuccess;
    q.updated_at_ms = hooks_.now_ms();
    q.invalidated = false;
    return;
  }
  const Error& error = result.error();
  if (error.code == ErrorCode::kCancelled) {
    q.fetch_status = FetchStatus::kIdle;
    return;
  }
  ++q.failure_count;
  const bool client_error = error.status >= 400 && error.status < 500;
  if (!client_error && q.failure_count <= e->options.retries) {
    // Still fetching, as far as a view is concerned: the retry is part of this fetch.
    e->retry_at_ms = hooks_.now_ms() + retry_delay_ms(q.failure_count);
    return;
  }
  q.fetch_status = FetchStatus::kIdle;
  q.status = QueryStatus::kError;  // data, if any, stays for the view to keep showing
  q.error = error;
}

int64_t QueryCache::retry_delay_ms(int failures) const {
  const int64_t base = std::min<int64_t>(int64_t{1000} << std::min(failures - 1, 20), 30000);
  const double jitter = hooks_.random ? hooks_.random() : 0.0;
  return base + static_cast<int64_t>(base * 0.25 * jitter);
}

void QueryCache::set_data(const QueryKey& key, AnyData data) {
  auto [it, created] = entries_.try_emplace(key);
  Entry& e = it->second;
  if (created) {
    e.state.key = key;
    e.gc_at_ms = hooks_.now_ms() + e.options.gc_ms;
  }
  QueryState& q = e.state;
  q.data = std::move(data);
  q.error.reset();
  q.status = QueryStatus::kSuccess;
  q.updated_at_ms = hooks_.now_ms();
  q.invalidated = false;
  ++q.generation;
}

void QueryCache::patch_data(const QueryKey& key, AnyData data) {
  const Entry* e = entry(key);
  if (!e) return set_data(key, std::move(data));
  const uint64_t generation = e->state.generation;
  set_data(key, std::move(data));
  entry(key)->state.generation = generation;  // the fetch in flight may still land
}

AnyData* QueryCache::data_slot(const QueryKey& key) {
  Entry* e = entry(key);
  return e ? &e->state.data : nullptr;
}

void QueryCache::touched(const QueryKey& key, bool keep_fetch) {
  Entry* e = entry(key);
  if (!e) return;
  QueryState& q = e->state;
  q.error.reset();
  q.status = QueryStatus::kSuccess;
  q.updated_at_ms = hooks_.now_ms();
  if (!keep_fetch) ++q.generation;
}

void QueryCache::invalidate(const QueryKey& prefix, bool exact) {
  for (auto& [key, e] : entries_) {
    if (exact ? key != prefix : !starts_with(key, prefix)) continue;
    ++e.state.generation;
    e.state.invalidated = true;
    if (e.state.observers > 0) {
      stop_fetch(e);
      start_fetch(e);
    }
  }
}

void QueryCache::cancel(const QueryKey& key) {
  if (Entry* e = entry(key)) stop_fetch(*e);
}

void QueryCache::refetch_stale() {
  for (auto& [key, e] : entries_) {
    if (e.state.observers > 0 && e.state.fetch_status == FetchStatus::kIdle && !e.retry_at_ms &&
        is_stale(e)) {
      start_fetch(e);
    }
  }
}

void QueryCache::set_online(bool online) {
  hooks_.online = online;
  if (!online) return;
  for (auto& [key, e] : entries_) {
    if (e.state.fetch_status == FetchStatus::kPaused) start_fetch(e, true);
  }
}

void QueryCache::tick() {
  const int64_t now = hooks_.now_ms();
  std::vector<QueryKey> expired;
  for (auto& [key, e] : entries_) {
    if (e.retry_at_ms && now >= *e.retry_at_ms) start_fetch(e, true);
    if (e.gc_at_ms && now >= *e.gc_at_ms && e.state.observers == 0) expired.push_back(key);
  }
  for (const auto& key : expired) {
    Entry& e = entries_.at(key);
    stop_fetch(e);
    entries_.erase(key);
  }
}

std::optional<int64_t> QueryCache::next_deadline_ms() const {
  std::optional<int64_t> next;
  auto consider = [&](const std::optional<int64_t>& t) {
    if (t && (!next || *t < *next)) next = t;
  };
  for (const auto& [key, e] : entries_) {
    consider(e.retry_at_ms);
    if (e.state.observers == 0) consider(e.gc_at_ms);
  }
  return next;
}

}  // namespace imchat::sdk
