// The REST list routes' query strings: QueryString::parse (percent-decoding), then the
// readers that turn skip/take/orderBy/where/before/after into storage queries. Whatever
// the target, an answer within the documented bounds or a 400 naming the field.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "server/api/list_query.h"
#include "server/api/query_string.h"

using namespace imchat::server;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view target(reinterpret_cast<const char*>(data), size);
  (void)url_decode(target);
  auto query = QueryString::parse(target);
  if (!query) return 0;
  if (auto c = read_conversation_query(*query)) {
    if (c->skip < 0 || c->take < 1 || c->take > 100) std::abort();
    if (c->order_field != "updatedAt" && c->order_field != "createdAt" && c->order_field != "title")
      std::abort();  // only allow-listed names may reach SQL
  } else if (c.error().message.size() > 300) {
    std::abort();  // an error must not echo the whole target back
  }
  if (auto m = read_message_query(*query)) {
    if (m->query.skip < 0 || m->query.take < 1 || m->query.take > 100) std::abort();
    if (m->conversation_id.empty() || m->conversation_id.size() > 64) std::abort();
    if ((m->query.before_seq && *m->query.before_seq < 0) ||
        (m->query.after_seq && *m->query.after_seq < 0))
      std::abort();
  } else if (m.error().message.size() > 300) {
    std::abort();
  }
  return 0;
}
