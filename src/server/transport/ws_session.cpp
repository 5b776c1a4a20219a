// WsSession (ws_session.h): one WebSocket's bytes — reads, a bounded queue, batching.
#include "server/transport/ws_session.h"

#include <boost/asio/post.hpp>

#include "protocol/frames.h"

#include "server/log.h"

namespace imchat::server {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {
constexpr size_t kMaxFrameBytes = 64 * 1024;
}  // namespace

WsSession::WsSession(Upgrade upgrade, WsContext context, Admission admission)
    : ws_(std::move(upgrade.stream)),
      upgrade_(std::move(upgrade.request)),
      context_(context),
      work_strand_(boost::asio::make_strand(context_.workers)),
      user_id_(admission.principal ? admission.principal->user.id : std::string()),
      remote_(std::move(upgrade.remote)),
      admission_(std::move(admission)),
      flush_timer_(ws_.get_executor()),
      expiry_timer_(ws_.get_executor()) {
  admission_.leases.push_back(std::move(upgrade.lease));
}

WsSession::~WsSession() {
  log_event("info", "ws_closed", {{"remote", remote_}, {"user", user_id_}});
}

void WsSession::off_thread(std::function<std::function<void()>()> work) {
  jobs_in_flight_++;
  boost::asio::post(work_strand_, [self = shared_from_this(), work = std::move(work)]() mutable {
    auto then = work();
    // Runs even after the connection ended: what the work did stands (a stored message
    // still starts its reply); sending is a no-op by then.
    boost::asio::post(self->ws_.get_executor(), [self, then = std::move(then)] {
      then();
      // Reading waits while too much of this connection's work is queued (see on_read).
      if (--self->jobs_in_flight_ <= kMaxJobs / 2 && self->read_paused_ && !self->closing_) {
        self->read_paused_ = false;
        self->do_read();
      }
    });
  });
}

void WsSession::run() {
  beast::get_lowest_layer(ws_).expires_never();  // the websocket has its own timeouts
  websocket::stream_base::timeout timeouts =
      websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.idle_timeout = std::chrono::seconds(30);  // a ping after 15 s idle, dropped at 30 s
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "imchat"); }));
  ws_.read_message_max(kMaxFrameBytes);
  ws_.async_accept(upgrade_, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
}

void WsSession::on_accept(beast::error_code ec) {
  if (ec) return;
  upgrade_ = {};
  if (admission_.refuse_code) {
    log_event("warn", "ws_refused",
              {{"remote", remote_}, {"reason", admission_.refuse_reason}, {"user", user_id_}});
    return close(admission_.refuse_code, admission_.refuse_reason.c_str());
  }
  const Principal& who = *admission_.principal;
  if (context_.live && !context_.live->add(who.session_id, user_id_, shared_from_this())) {
    // Signed out between the token's check and now.
    return close(4401, "signed out");
  }
  api_.emplace(context_.api, *this, user_id_);
  // A token is good until its exp, on this door as on REST: the socket ends with it.
  const int64_t left_ms = who.expires_at * 1000 - now_utc().ms;
  expiry_timer_.expires_after(std::chrono::milliseconds(std::max<int64_t>(0, left_ms)));
  expiry_timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
    if (!wait_ec) self->close(4401, "token expired");
  });
  log_event("info", "ws_open", {{"remote", remote_}, {"user", user_id_}});
  do_read();
}

void WsSession::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
}

void WsSession::on_read(beast::error_code ec, size_t) {
  if (ec) {
    // Closed, timed out, or a protocol violation (Beast closes with 1007 on invalid UTF-8
    // and 1009 on an oversized frame): nothing more to read.
    return ended();
  }
  // A frame that arrives once the connection is closing (signed out, cut off) is not
  // handled: nothing may be stored or subscribed for a session that has ended.
  if (closing_) return;
  if (!ws_.got_text()) {
    buffer_.consume(buffer_.size());
    api_->on_binary();
  } else {
    const auto data = buffer_.data();
    api_->on_text(std::string_view(static_cast<const char*>(data.data()), data.size()));
    buffer_.consume(buffer_.size());
  }
  if (closing_) return;
  // A client that sends faster than its work is done does not get a longer queue: the
  // server stops reading it (TCP pushes back) until half of it is through.
  if (jobs_in_flight_ >= kMaxJobs) {
    read_paused_ = true;
    return;
  }
  do_read();
}

void WsSession::deliver(const Delivery& delivery) {
  boost::asio::post(ws_.get_executor(), [self = shared_from_this(), delivery] {
    if (self->api_ && !self->ended_) self->api_->on_delivery(delivery);
  });
}

void WsSession::disconnect(uint16_t code, const std::string& reason) {
  boost::asio::post(ws_.get_executor(), [self = shared_from_this(), code, reason] {
    self->close(code, reason.c_str());
  });
}

void WsSession::send(std::shared_ptr<const std::string> frame) {
  if (closing_ || !frame) return;
  if (queued_bytes_ + frame->size() > kMaxQueuedBytes) {
    // A consumer that does not read would make us buffer without bound: let it go.
    return cut_off("slow consumer");
  }
  queued_bytes_ += frame->size();
  queue_.push_back(std::move(frame));
  schedule_write();
}

void WsSession::schedule_write() {
  if (writing_ || flush_scheduled_ || queue_.empty() || closing_) return;
  const auto due = last_write_ + context_.flush_interval;
  if (queue_.size() >= kMaxBatch || std::chrono::steady_clock::now() >= due) return do_write();
  flush_scheduled_ = true;
  flush_timer_.expires_at(due);
  flush_timer_.async_wait([self = shared_from_this()](beast::error_code) {
    self->flush_scheduled_ = false;
    self->do_write();
  });
}

void WsSession::do_write() {
  if (writing_ || queue_.empty() || closing_) return;
  writing_ = true;
  last_write_ = std::chrono::steady_clock::now();
  if (queue_.size() == 1) {
    in_flight_ = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= in_flight_->size();
  } else {
    // Frames are JSON text already: join them without parsing anything again.
    std::string batch = protocol::frames::batch_open();
    for (size_t i = 0; i < kMaxBatch && !queue_.empty(); ++i) {
      if (i && batch.size() + queue_.front()->size() > kMaxBatchBytes) break;
      if (i) batch += ',';
      batch += *queue_.front();
      queued_bytes_ -= queue_.front()->size();
      queue_.pop_front();
    }
    batch += "]}";
    in_flight_ = std::make_shared<const std::string>(std::move(batch));
  }
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(*in_flight_),
                  beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
}

void WsSession::on_write(beast::error_code ec, size_t) {
  writing_ = false;
  in_flight_.reset();
  if (ec) return ended();
  schedule_write();
}

void WsSession::close(uint16_t code, const char* reason) {
  if (closing_) return;
  flush_timer_.cancel();
  ended();
  ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason),
                  [self = shared_from_this()](beast::error_code) {});
}

void WsSession::cut_off(const char* why) {
  if (closing_) return;
  log_event("warn", "ws_slow_consumer", {{"remote", remote_}, {"user", user_id_}, {"why", why}});
  queue_.clear();
  queued_bytes_ = 0;
  flush_timer_.cancel();
  ended();
  // No close handshake: a peer that does not read would not read that either, and the
  // frame in flight would hold its memory until a timeout. Closing the socket fails the
  // pending write and read at once, and their handlers release everything.
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both,
                                                 ignored);
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

void WsSession::ended() {
  if (ended_) return;
  ended_ = true;
  closing_ = true;  // nothing more goes out
  expiry_timer_.cancel();
  if (api_) api_->on_closed();  // leaves exactly the channels it joined
  if (context_.live) context_.live->remove(this);
}

}  // namespace imchat::server
