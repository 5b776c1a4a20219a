// Limits both ends of the wire know (docs/protocol.md, "Limits"), declared once. The server
// may be started with another content limit (--max-message-bytes); the SDK checks this one
// before it sends, so a person hears "too long" at once rather than after a round trip.
#pragma once

#include <cstddef>

namespace imchat::protocol {

inline constexpr size_t kMaxContentBytes = 32 * 1024;  // a message's content, in bytes
inline constexpr size_t kMaxClientIdBytes = 64;        // the sender's idempotency key

}  // namespace imchat::protocol
