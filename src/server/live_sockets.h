// LiveSockets: the open WebSockets by the session that signed them in, so ending a
// session (sign-out, a password change, an account removed) closes its sockets at once
// instead of leaving them open until they drop. A socket adds itself once it is
// authenticated and removes itself when it ends.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
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
  void add(const std::string& session_id, const std::string& user_id,
           const std::shared_ptr<Disconnectable>& socket);
  void remove(const Disconnectable* socket);

  void end_session(const std::string& session_id);
  void end_sessions(const std::vector<std::string>& session_ids);
  void end_user(const std::string& user_id);
  size_t count() const;

 private:
  struct Entry {
    std::string session_id;
    std::string user_id;
    std::weak_ptr<Disconnectable> socket;
  };
  template <typename Match>
  void end_where(Match match);

  mutable std::mutex mutex_;
  std::map<const Disconnectable*, Entry> sockets_;
};

}  // namespace imchat::server
