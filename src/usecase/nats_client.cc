#include "usecase/nats_client.h"

#include <fmt/format.h>
#include <nats/nats.h>

#include <mutex>
#include <optional>
#include <thread>

namespace keel::usecase {
namespace {

using Clock = std::chrono::steady_clock;

// The client's text for `s`, with its last error's detail when it has one.
std::string NatsText(natsStatus s) {
  std::string text = natsStatus_GetText(s);
  natsStatus last = NATS_OK;
  const char* last_error = nats_GetLastError(&last);
  if (last_error == nullptr || last != s) return text;
  // The client's detail starts with its source location, "(conn.c:2088): ": left out.
  std::string_view detail = last_error;
  if (!detail.empty() && detail.front() == '(') {
    const size_t close = detail.find("): ");
    if (close != std::string_view::npos) detail.remove_prefix(close + 3);
  }
  if (!detail.empty() && detail != text) {
    text += ": ";
    text += detail;
  }
  return text;
}

}  // namespace

struct NatsConsumer::Impl {
  natsOptions* opts = nullptr;
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  natsSubscription* sub = nullptr;
  std::optional<Clock::time_point> down_since;

  // Publish acknowledgements, counted on the client's thread.
  std::atomic<uint64_t> duplicates{0};
  std::atomic<uint64_t> failures{0};
  std::mutex first_failure_mu;
  std::string first_failure;

  ~Impl() {
    if (sub != nullptr) natsSubscription_Destroy(sub);
    if (js != nullptr) jsCtx_Destroy(js);
    if (nc != nullptr) {
      natsConnection_Close(nc);  // flushes the acks still buffered
      natsConnection_Destroy(nc);
    }
    if (opts != nullptr) natsOptions_Destroy(opts);
  }

  static void OnPublishAck(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
    auto* self = static_cast<Impl*>(closure);
    if (pa != nullptr && pa->Duplicate) self->duplicates.fetch_add(1);
    if (pae != nullptr) {
      if (self->failures.fetch_add(1) == 0) {
        std::lock_guard<std::mutex> lock(self->first_failure_mu);
        self->first_failure =
            pae->ErrText != nullptr && *pae->ErrText != '\0' ? pae->ErrText : NatsText(pae->Err);
      }
    }
    natsMsg_Destroy(msg);
  }

  // Records a failed call (`why`): OK while the failures have lasted less than `timeout`,
  // Unavailable after.
  Status Failed(const std::string& url, std::chrono::milliseconds timeout, std::string why) {
    const Clock::time_point now = Clock::now();
    if (!down_since) down_since = now;
    last_failure = std::move(why);
    if (now - *down_since > timeout) {
      return Status::Unavailable("the NATS server at {} has been unreachable for {:.1f} s ({})",
                                 url, std::chrono::duration<double>(now - *down_since).count(),
                                 last_failure);
    }
    return Status::OK();
  }
  std::string last_failure;
};

NatsMessages::NatsMessages(NatsMessages&& o) noexcept : items(std::move(o.items)) {
  o.items.clear();
}

NatsMessages& NatsMessages::operator=(NatsMessages&& o) noexcept {
  if (this != &o) {
    for (NatsMessage& m : items) natsMsg_Destroy(m.msg);
    items = std::move(o.items);
    o.items.clear();
  }
  return *this;
}

NatsMessages::~NatsMessages() {
  for (NatsMessage& m : items) natsMsg_Destroy(m.msg);
}

NatsConsumer::NatsConsumer(NatsConsumerOptions options, std::unique_ptr<Impl> impl)
    : options_(std::move(options)), impl_(std::move(impl)) {}

NatsConsumer::~NatsConsumer() = default;

Result<std::unique_ptr<NatsConsumer>> NatsConsumer::Open(const NatsConsumerOptions& o,
                                                         const Context& ctx) {
  auto impl = std::make_unique<Impl>();
  if (natsOptions_Create(&impl->opts) != NATS_OK) {
    return Status::IoError("NATS client: cannot create connection options");
  }
  natsStatus s = natsOptions_SetURL(impl->opts, o.url.c_str());
  if (s != NATS_OK) {
    return Status::InvalidArgument("--from {}: not a NATS URL ({})", o.url, NatsText(s));
  }
  // Reconnect forever in the background; the calls above decide when a gone server is an
  // error (server_timeout).
  natsOptions_SetMaxReconnect(impl->opts, -1);
  natsOptions_SetReconnectWait(impl->opts, 250);
  natsOptions_SetReconnectBufSize(impl->opts, 64 << 20);
  natsOptions_SetTimeout(impl->opts, 2000);
  natsOptions_SetPingInterval(impl->opts, 2000);
  natsOptions_SetMaxPingsOut(impl->opts, 2);
  const Clock::time_point start = Clock::now();
  for (;;) {
    s = natsConnection_Connect(&impl->nc, impl->opts);
    if (s == NATS_OK) break;
    if (s != NATS_NO_SERVER && s != NATS_TIMEOUT) {
      return Status::IoError("cannot connect to NATS at {}: {}", o.url, NatsText(s));
    }
    if (Clock::now() - start > o.server_timeout) {
      return Status::Unavailable(
          "no NATS server answered at {} within {} s ({}); is nats-server running with "
          "JetStream (-js)?",
          o.url, std::chrono::duration<double>(o.server_timeout).count(), NatsText(s));
    }
    KEEL_RETURN_IF_ERROR(ctx.CheckCancelled("keel stream"));
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }

  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = o.server_timeout.count();
  jo.PublishAsync.MaxPending = 65536;
  jo.PublishAsync.StallWait = o.server_timeout.count();
  jo.PublishAsync.AckHandler = &Impl::OnPublishAck;
  jo.PublishAsync.AckHandlerClosure = impl.get();
  s = natsConnection_JetStream(&impl->js, impl->nc, &jo);
  if (s != NATS_OK) {
    return Status::IoError("NATS at {}: cannot use JetStream: {}", o.url, NatsText(s));
  }

  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  s = js_GetStreamInfo(&info, impl->js, o.stream.c_str(), nullptr, &jerr);
  if (info != nullptr) jsStreamInfo_Destroy(info);
  if (s == NATS_NOT_FOUND) {
    return Status::NotFound(
        "NATS at {} has no JetStream stream '{}' (create it first, e.g. `nats stream add {} "
        "--subjects '{}'`)",
        o.url, o.stream, o.stream, o.subject);
  }
  if (s != NATS_OK) {
    return Status::IoError(
        "NATS at {}: cannot read stream '{}': {}{}", o.url, o.stream, NatsText(s),
        s == NATS_NO_RESPONDERS ? " (is JetStream enabled: nats-server -js?)" : "");
  }

  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = o.stream.c_str();
  so.ManualAck = true;
  so.Config.Durable = o.consumer.c_str();
  so.Config.AckPolicy = js_AckExplicit;
  so.Config.AckWait = std::chrono::duration_cast<std::chrono::nanoseconds>(o.ack_wait).count();
  so.Config.FilterSubject = o.subject.c_str();
  so.Config.MaxAckPending = 65536;
  s = js_PullSubscribe(&impl->sub, impl->js, o.subject.c_str(), o.consumer.c_str(), nullptr, &so,
                       &jerr);
  if (s != NATS_OK) {
    return Status::InvalidArgument(
        "NATS at {}: cannot bind consumer '{}' on stream '{}' for subject '{}': {}", o.url,
        o.consumer, o.stream, o.subject, NatsText(s));
  }
  return std::unique_ptr<NatsConsumer>(new NatsConsumer(o, std::move(impl)));
}

Result<NatsMessages> NatsConsumer::Fetch(int batch, std::chrono::milliseconds wait) {
  NatsMessages out;
  // A server that is away (or answers fetches with errors, as one shutting down does) is
  // waited for, up to server_timeout, while the client reconnects.
  if (natsConnection_Status(impl_->nc) != NATS_CONN_STATUS_CONNECTED) {
    KEEL_RETURN_IF_ERROR(
        impl_->Failed(options_.url, options_.server_timeout, "disconnected, reconnecting"));
    std::this_thread::sleep_for(std::min(wait, std::chrono::milliseconds(100)));
    return out;
  }
  natsMsgList list{nullptr, 0};
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = natsSubscription_Fetch(&list, impl_->sub, batch, wait.count(), &jerr);
  if (s != NATS_OK && s != NATS_TIMEOUT) {
    natsMsgList_Destroy(&list);
    KEEL_RETURN_IF_ERROR(impl_->Failed(
        options_.url, options_.server_timeout,
        fmt::format("fetching from consumer '{}': {}", options_.consumer, NatsText(s))));
    std::this_thread::sleep_for(std::min(wait, std::chrono::milliseconds(100)));
    return out;
  }
  impl_->down_since.reset();
  out.items.reserve(static_cast<size_t>(list.Count));
  for (int i = 0; i < list.Count; ++i) {
    NatsMessage m;
    m.msg = list.Msgs[i];
    list.Msgs[i] = nullptr;  // owned by `out` from here
    m.data =
        std::string_view(natsMsg_GetData(m.msg), static_cast<size_t>(natsMsg_GetDataLength(m.msg)));
    m.subject = natsMsg_GetSubject(m.msg);
    const char* id = nullptr;
    if (natsMsgHeader_Get(m.msg, "Nats-Msg-Id", &id) == NATS_OK && id != nullptr) m.msg_id = id;
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, m.msg) == NATS_OK) {
      m.stream_sequence = meta->Sequence.Stream;
      m.delivered = meta->NumDelivered;
      m.pending = meta->NumPending;
      jsMsgMetaData_Destroy(meta);
    }
    out.items.push_back(m);
  }
  natsMsgList_Destroy(&list);
  return out;
}

Status NatsConsumer::Publish(const std::string& subject, std::string_view data,
                             const std::vector<NatsHeader>& headers, const std::string& msg_id) {
  natsMsg* msg = nullptr;
  natsStatus s =
      natsMsg_Create(&msg, subject.c_str(), nullptr, data.data(), static_cast<int>(data.size()));
  for (size_t i = 0; s == NATS_OK && i < headers.size(); ++i) {
    s = natsMsgHeader_Set(msg, headers[i].first, headers[i].second.c_str());
  }
  if (s == NATS_OK) {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = msg_id.c_str();
    s = js_PublishMsgAsync(impl_->js, &msg, &po);
  }
  natsMsg_Destroy(msg);  // no-op when the client took it
  if (s != NATS_OK) {
    return Status::IoError("NATS at {}: publishing to '{}' failed: {}", options_.url, subject,
                           NatsText(s));
  }
  return Status::OK();
}

Status NatsConsumer::WaitPublished(uint64_t* duplicates) {
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = options_.server_timeout.count();
  const natsStatus s = js_PublishAsyncComplete(impl_->js, &po);
  if (s != NATS_OK) {
    natsMsgList pending{nullptr, 0};
    if (js_PublishAsyncGetPendingList(&pending, impl_->js) == NATS_OK) {
      natsMsgList_Destroy(&pending);
    }
    return Status::Unavailable(
        "NATS at {}: published predictions were not acknowledged within {} s: {}", options_.url,
        std::chrono::duration<double>(options_.server_timeout).count(), NatsText(s));
  }
  *duplicates = impl_->duplicates.exchange(0);
  if (impl_->failures.exchange(0) > 0) {
    std::lock_guard<std::mutex> lock(impl_->first_failure_mu);
    return Status::IoError("NATS at {}: a published prediction was refused: {}", options_.url,
                           impl_->first_failure);
  }
  return Status::OK();
}

Status NatsConsumer::Ack(const NatsMessage& m) {
  const natsStatus s = natsMsg_Ack(m.msg, nullptr);
  if (s != NATS_OK) {
    return Status::IoError("NATS at {}: acknowledging message {} failed: {}", options_.url,
                           m.stream_sequence, NatsText(s));
  }
  return Status::OK();
}

void NatsConsumer::Nak(const NatsMessage& m) {
  natsMsg_Nak(m.msg, nullptr);
}

}  // namespace keel::usecase
