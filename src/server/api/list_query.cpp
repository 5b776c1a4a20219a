// The list routes' query strings (list_query.h) read into store queries, with the field at fault.
#include "server/api/list_query.h"

#include <cstdint>
#include <cstdlib>
#include <initializer_list>

#include "server/api/responses.h"

namespace imchat::server {
namespace {

// skip / take with the REST shape's bounds.
Status read_paging(const QueryString& q, int64_t& skip, int64_t& take, int64_t default_take) {
  auto number = [&](const char* key, int64_t fallback, int64_t lo, int64_t hi,
                    int64_t& out) -> Status {
    auto text = q.get(key);
    if (!text) {
      out = fallback;
      return Ok{};
    }
    char* end = nullptr;
    const long long v = std::strtoll(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0' || v < lo || v > hi) {
      return bad_request(std::string(key) + " must be an integer within " + std::to_string(lo) +
                             ".." + std::to_string(hi),
                         key);
    }
    out = v;
    return Ok{};
  };
  if (auto s = number("skip", 0, 0, INT32_MAX, skip); !s) return s;
  return number("take", default_take, 1, 100, take);
}

Result<std::optional<int64_t>> optional_seq(const QueryString& q, const char* key) {
  auto text = q.get(key);
  if (!text) return std::optional<int64_t>();
  char* end = nullptr;
  const long long v = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || v < 0)
    return bad_request(std::string(key) + " must be a sequence number", key);
  return std::optional<int64_t>(v);
}

// orderBy[field]=asc|desc, with the field from an allow-list.
Status read_order(const QueryString& q, std::initializer_list<const char*> allowed,
                  std::string& field, bool& desc) {
  for (const auto& [key, value] : q.items()) {
    if (key.rfind("orderBy[", 0) != 0 || key.back() != ']') continue;
    const std::string name = key.substr(8, key.size() - 9);
    bool known = false;
    for (const char* a : allowed)
      known = known || name == a;
    if (!known) return bad_request("cannot order by " + name.substr(0, 40), key.substr(0, 60));
    if (value != "asc" && value != "desc")
      return bad_request(key.substr(0, 60) + " must be asc or desc", key.substr(0, 60));
    field = name;
    desc = value == "desc";
  }
  return Ok{};
}

}  // namespace

Result<ConversationQuery> read_conversation_query(const QueryString& query) {
  ConversationQuery q;
  if (auto s = read_paging(query, q.skip, q.take, 20); !s) return s.error();
  if (auto s = read_order(query, {"updatedAt", "createdAt", "title"}, q.order_field, q.order_desc);
      !s)
    return s.error();
  q.title_contains = query.get("where[title][contains]");
  if (q.title_contains && q.title_contains->size() > 200)
    return bad_request("where[title][contains] is longer than 200", "where[title][contains]");
  return q;
}

Result<MessageListQuery> read_message_query(const QueryString& query) {
  MessageListQuery out;
  auto conversation_id = query.get("where[conversationId][equals]");
  if (!conversation_id || conversation_id->empty() || conversation_id->size() > 64) {
    return bad_request("where[conversationId][equals] is required (an id)",
                       "where[conversationId][equals]");
  }
  out.conversation_id = std::move(*conversation_id);
  MessageQuery& q = out.query;
  if (auto s = read_paging(query, q.skip, q.take, 50); !s) return s.error();
  std::string field;
  if (auto s = read_order(query, {"createdAt", "seq"}, field, q.order_desc); !s) return s.error();
  auto before = optional_seq(query, "before");
  if (!before) return before.error();
  auto after = optional_seq(query, "after");
  if (!after) return after.error();
  q.before_seq = *before;
  q.after_seq = *after;
  return out;
}

}  // namespace imchat::server
