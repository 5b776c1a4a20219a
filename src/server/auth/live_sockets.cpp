// LiveSockets (live_sockets.h): open WebSockets by session, closed when it ends.
#include "server/auth/live_sockets.h"

#include <algorithm>

namespace imchat::server {

bool LiveSockets::add(const std::string& session_id, const std::string& user_id,
                      const std::shared_ptr<Disconnectable>& socket) {
  std::lock_guard lock(mutex_);
  if (ended_.count("u:" + user_id) ||
      (session_id.empty() ? ended_.count("l:" + user_id) : ended_.count("s:" + session_id)))
    return false;
  sockets_[socket.get()] = Entry{session_id, user_id, socket};
  return true;
}

void LiveSockets::remember_ended(const std::string& key) {
  if (!ended_.insert(key).second) return;
  ended_order_.push_back(key);
  if (ended_order_.size() > 4096) {
    ended_.erase(ended_order_.front());
    ended_order_.pop_front();
  }
}

void LiveSockets::remove(const Disconnectable* socket) {
  std::lock_guard lock(mutex_);
  sockets_.erase(socket);
}

template <typename Match>
void LiveSockets::end_where(const std::vector<std::string>& ended_keys, Match match) {
  std::vector<std::shared_ptr<Disconnectable>> ending;
  {
    std::lock_guard lock(mutex_);
    for (const std::string& key : ended_keys)
      remember_ended(key);
    for (auto it = sockets_.begin(); it != sockets_.end();) {
      if (!match(it->second)) {
        ++it;
        continue;
      }
      if (auto socket = it->second.socket.lock()) ending.push_back(std::move(socket));
      it = sockets_.erase(it);
    }
  }
  // Outside the lock: a socket's disconnect only posts to its strand, but never call out
  // while holding it.
  for (auto& socket : ending)
    socket->disconnect(4401, "signed out");
}

void LiveSockets::end_session(const std::string& session_id) {
  end_where({"s:" + session_id}, [&](const Entry& e) { return e.session_id == session_id; });
}

void LiveSockets::end_sessions(const std::vector<std::string>& session_ids) {
  std::vector<std::string> keys;
  for (const auto& id : session_ids)
    keys.push_back("s:" + id);
  end_where(keys, [&](const Entry& e) {
    return std::find(session_ids.begin(), session_ids.end(), e.session_id) != session_ids.end();
  });
}

void LiveSockets::end_user(const std::string& user_id) {
  end_where({"u:" + user_id}, [&](const Entry& e) { return e.user_id == user_id; });
}

void LiveSockets::end_sessionless(const std::string& user_id) {
  end_where({"l:" + user_id},
            [&](const Entry& e) { return e.user_id == user_id && e.session_id.empty(); });
}

size_t LiveSockets::count() const {
  std::lock_guard lock(mutex_);
  return sockets_.size();
}

}  // namespace imchat::server
