// LiveSockets: the open WebSockets by the session that signed them in, so ending a
// session (sign-out, a password change, an account removed) closes its sockets at once
// instead of leaving them open until they drop. A socket adds itself once it is
// authenticated and removes itself when it ends.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace imchat::server {

class Disconnectable {
 public:
  virtual ~Disconnectable() = default;
  // From any thread: close with this code (4401: signed out) when it can.
  virtual void disconnect(uint16_t code, const std::string& reason) = 0;
};

class LiveSockets {
 public:
  // False when the session (or the user's account) was ended after the socket's token was
  // checked and before it got here: it must close (4401) instead of living on.
  bool add(const std::string& session_id, const std::string& user_id,
           const std::shared_ptr<Disconnectable>& socket);
  void remove(const Disconnectable* socket);

  void end_session(const std::string& session_id);
  void end_sessions(const std::vector<std::string>& session_ids);
  void end_user(const std::string& user_id);
  // The user's sockets signed in with tokens from before sessions (no session id).
  void end_sessionless(const std::string& user_id);
  size_t count() const;

 private:
  struct Entry {
    std::string session_id;
    std::string user_id;
    std::weak_ptr<Disconnectable> socket;
  };
  template <typename Match>
  void end_where(const std::vector<std::string>& ended_keys, Match match);

  void remember_ended(const std::string& key);

  mutable std::mutex mutex_;
  std::map<const Disconnectable*, Entry> sockets_;
  // What was ended lately ("s:<session>", "u:<user>", "l:<user>"), the newest 4,096: a
  // socket authenticated just before its session ended is turned away when it adds itself.
  std::set<std::string> ended_;
  std::deque<std::string> ended_order_;
};

}  // namespace imchat::server
