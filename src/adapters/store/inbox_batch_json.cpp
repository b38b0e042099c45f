#include "adapters/store/inbox_batch_json.hpp"

#include <boost/json.hpp>

#include "adapters/graph/graph_json.hpp"
#include "core/time.hpp"

namespace ccteams::store {
namespace json = boost::json;

namespace {

constexpr std::int64_t kFormVersion = 2;

void put(json::object& o, std::string_view key, const std::optional<std::string>& v) {
  if (v) o[key] = *v;
}

json::object encode_notification(const ChangeNotification& n) {
  json::object o;
  put(o, "id", n.id);
  o["subscription_id"] = n.subscription_id;
  if (n.subscription_expiration) {
    o["subscription_expiration"] = format_iso8601(*n.subscription_expiration);
  }
  put(o, "change_type", n.change_type);
  put(o, "resource", n.resource);
  put(o, "tenant_id", n.tenant_id);
  put(o, "organization_id", n.organization_id);
  put(o, "client_state", n.client_state);
  if (n.lifecycle_event_text) {
    o["lifecycle_event"] = *n.lifecycle_event_text;
  } else if (n.lifecycle_event) {
    o["lifecycle_event"] = graph::lifecycle_event_wire_name(*n.lifecycle_event);
  }
  if (const auto& rd = n.resource_data) {
    json::object d;
    put(d, "id", rd->id);
    put(d, "odata_type", rd->odata_type);
    put(d, "odata_id", rd->odata_id);
    o["resource_data"] = std::move(d);
  }
  if (const auto& e = n.encrypted_content) {
    o["encrypted_content"] =
        json::object{{"data", e->data},
                     {"data_signature", e->data_signature},
                     {"data_key", e->data_key},
                     {"encryption_certificate_id", e->encryption_certificate_id},
                     {"encryption_certificate_thumbprint", e->encryption_certificate_thumbprint}};
  }
  return o;
}

// Reads one object's fields; the first problem is kept and named.
class Fields {
 public:
  Fields(const json::object& o, std::string path) : o_(o), path_(std::move(path)) {}

  std::optional<std::string> text(std::string_view key) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_string()) {
      fail(key, "is not a string");
      return std::nullopt;
    }
    return std::string(v->get_string());
  }
  std::string required_text(std::string_view key) {
    auto v = text(key);
    if (!v && !error_) fail(key, "is missing");
    return v.value_or("");
  }
  const json::object* object(std::string_view key) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr || v->is_null()) return nullptr;
    if (!v->is_object()) fail(key, "is not an object");
    return v->if_object();
  }
  std::string path(std::string_view key) const { return path_ + "." + std::string(key); }
  void fail(std::string_view key, std::string_view why) {
    if (!error_) {
      error_ = make_error(Errc::invalid_input, "inbox body: " + path(key) + " " + std::string(why));
    }
  }
  const std::optional<Error>& error() const { return error_; }
  void adopt(const std::optional<Error>& e) {
    if (!error_) error_ = e;
  }

 private:
  const json::object& o_;
  std::string path_;
  std::optional<Error> error_;
};

Result<ChangeNotification> decode_notification(const json::object& o, const std::string& path) {
  Fields f(o, path);
  ChangeNotification n;
  n.id = f.text("id");
  n.subscription_id = f.required_text("subscription_id");
  if (auto t = f.text("subscription_expiration")) {
    n.subscription_expiration = parse_iso8601(*t);
    if (!n.subscription_expiration) f.fail("subscription_expiration", "is not a date-time");
  }
  n.change_type = f.text("change_type");
  n.resource = f.text("resource");
  n.tenant_id = f.text("tenant_id");
  n.organization_id = f.text("organization_id");
  n.client_state = f.text("client_state");
  n.lifecycle_event_text = f.text("lifecycle_event");
  if (n.lifecycle_event_text) {
    n.lifecycle_event = graph::decode_lifecycle_event(*n.lifecycle_event_text);
  }
  if (const json::object* d = f.object("resource_data")) {
    Fields rf(*d, f.path("resource_data"));
    n.resource_data = ResourceData{rf.text("id"), rf.text("odata_type"), rf.text("odata_id")};
    f.adopt(rf.error());
  }
  if (const json::object* e = f.object("encrypted_content")) {
    Fields ef(*e, f.path("encrypted_content"));
    EncryptedContent c;
    c.data = ef.required_text("data");
    c.data_signature = ef.required_text("data_signature");
    c.data_key = ef.required_text("data_key");
    c.encryption_certificate_id = ef.text("encryption_certificate_id").value_or("");
    c.encryption_certificate_thumbprint = ef.text("encryption_certificate_thumbprint").value_or("");
    n.encrypted_content = std::move(c);
    f.adopt(ef.error());
  }
  if (f.error()) return *f.error();
  n.user = graph::presence_user_of(n);  // derived, as when the webhook decoded it
  return n;
}

}  // namespace

std::string encode_inbox_batch(const NotificationBatch& batch) {
  json::array notifications;
  notifications.reserve(batch.notifications.size());
  for (const auto& n : batch.notifications) notifications.emplace_back(encode_notification(n));
  json::array tokens;
  for (const auto& t : batch.validation_tokens) tokens.emplace_back(t);
  return json::serialize(json::object{{"v", kFormVersion},
                                      {"notifications", std::move(notifications)},
                                      {"validation_tokens", std::move(tokens)}});
}

Result<NotificationBatch> decode_inbox_batch(std::string_view text) {
  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  const auto invalid = [](std::string why) {
    return make_error(Errc::invalid_input, "inbox body: " + std::move(why));
  };
  if (ec) return invalid("not JSON (" + ec.message() + ")");
  const json::object* root = doc.if_object();
  if (root == nullptr) return invalid("not an object");
  const json::value* version = root->if_contains("v");
  if (version == nullptr || !version->is_int64() || version->get_int64() != kFormVersion) {
    return invalid("not in form " + std::to_string(kFormVersion));
  }
  NotificationBatch batch;
  const json::value* items = root->if_contains("notifications");
  if (items == nullptr || !items->is_array()) return invalid("notifications is not an array");
  batch.notifications.reserve(items->get_array().size());
  for (std::size_t i = 0; i < items->get_array().size(); ++i) {
    const std::string path = "notifications[" + std::to_string(i) + "]";
    const json::object* item = items->get_array()[i].if_object();
    if (item == nullptr) return invalid(path + " is not an object");
    auto n = decode_notification(*item, path);
    if (!n) return std::move(n).error();
    batch.notifications.push_back(std::move(*n));
  }
  if (const json::value* tokens = root->if_contains("validation_tokens");
      tokens != nullptr && !tokens->is_null()) {
    if (!tokens->is_array()) return invalid("validation_tokens is not an array");
    for (const auto& t : tokens->get_array()) {
      if (!t.is_string()) return invalid("validation_tokens holds a non-string");
      batch.validation_tokens.emplace_back(t.get_string());
    }
  }
  return batch;
}

}  // namespace ccteams::store
