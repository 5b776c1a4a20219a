// Presence: who is typing and who has read what, per conversation (people, not the
// assistant) — others' as their typing and read frames arrive over the socket, this user's
// own as the rules for sending them: "typing" at most every kTypingRepeatMs while it lasts
// (others' indicators expire after kTypingExpiryMs), a read once per newer message.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "model/types.h"
#include "protocol/json.h"

namespace imchat::sdk {

class Presence {
 public:
  static constexpr int64_t kTypingRepeatMs = 3000;
  static constexpr int64_t kTypingExpiryMs = 6000;
  // Puts a frame on the socket; false when it is not open.
  using Send = std::function<bool(const protocol::Json& frame)>;

  // This user typing (true while text is in the composer) or not: sends what others need.
  void set_typing(const std::string& conversation_id, bool typing, int64_t now_ms,
                  const Send& send);
  // This user has seen the conversation up to the message: sends it when it is newer than
  // what was sent. True when it went (a socket that is closed sends it again next time).
  bool mark_read(const std::string& conversation_id, const Message& message, const Send& send);

  // A typing or read frame from the socket. Read field by field: a malformed one is ignored.
  void on_frame(const protocol::Json& frame, int64_t now_ms);

  // Others typing now (user ids).
  std::vector<std::string> typing(const std::string& conversation_id, int64_t now_ms) const;
  // Where each other reader is (user id → message id), or nullptr for nobody yet.
  const std::map<std::string, std::string>* read_positions(
      const std::string& conversation_id) const;
  // The newest seq this user marked read in the conversation (0: none).
  int64_t read_up_to(const std::string& conversation_id) const;
  // Bumped when a typing or read frame arrives (views cache what they derive from them).
  uint64_t version() const { return version_; }

 private:
  struct Conversation {
    std::map<std::string, int64_t> typing_until;  // user id → when the indicator expires
    std::map<std::string, std::string> read;      // user id → message id
    int64_t my_typing_sent_ms = -1;               // when "typing: true" last went out
    int64_t my_read_seq = 0;                      // newest seq this user marked read
  };
  std::map<std::string, Conversation> conversations_;
  uint64_t version_ = 0;
};

}  // namespace imchat::sdk
