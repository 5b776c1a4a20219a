#include "server/live_sockets.h"

#include <algorithm>

namespace imchat::server {

void LiveSockets::add(const std::string& session_id, const std::string& user_id,
                      const std::shared_ptr<Disconnectable>& socket) {
  std::lock_guard lock(mutex_);
  sockets_[socket.get()] = Entry{session_id, user_id, socket};
}

void LiveSockets::remove(const Disconnectable* socket) {
  std::lock_guard lock(mutex_);
  sockets_.erase(socket);
}

template <typename Match>
void LiveSockets::end_where(Match match) {
  std::vector<std::shared_ptr<Disconnectable>> ending;
  {
    std::lock_guard lock(mutex_);
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
  end_where([&](const Entry& e) { return e.session_id == session_id; });
}

void LiveSockets::end_sessions(const std::vector<std::string>& session_ids) {
  end_where([&](const Entry& e) {
    return std::find(session_ids.begin(), session_ids.end(), e.session_id) != session_ids.end();
  });
}

void LiveSockets::end_user(const std::string& user_id) {
  end_where([&](const Entry& e) { return e.user_id == user_id; });
}

size_t LiveSockets::count() const {
  std::lock_guard lock(mutex_);
  return sockets_.size();
}

}  // namespace imchat::server
