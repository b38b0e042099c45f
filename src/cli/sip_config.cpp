#include "cli/sip_config.hpp"

#include <set>

#include "adapters/telephony/trunk_sources.hpp"
#include "core/telephony/call_routing.hpp"

namespace ccteams::cli {

namespace {

struct Checker {
  const std::string& source;
  Error fail(const std::string& key, const std::string& what) const {
    return make_error(Errc::invalid_input, source + ": " + key + " " + what);
  }
};

Result<void> known_keys(const Checker& c, const toml::table& t, const std::string& where,
                        const std::set<std::string>& keys) {
  for (const auto& [k, _] : t) {
    if (!keys.contains(std::string(k.str()))) {
      return c.fail(where + "." + std::string(k.str()), "is not a known key");
    }
  }
  return ok();
}

Result<void> text(const Checker& c, const toml::table& t, const std::string& where,
                  const char* key, std::string& out) {
  const auto* node = t.get(key);
  if (node == nullptr) return ok();
  if (!node->is_string()) return c.fail(where + "." + key, "must be a string");
  out = node->as_string()->get();
  return ok();
}

Result<void> positive(const Checker& c, const toml::table& t, const std::string& where,
                      const char* key, std::int64_t& out) {
  const auto* node = t.get(key);
  if (node == nullptr || !node->is_integer() || node->as_integer()->get() < 1) {
    return c.fail(where + "." + key, "must be a positive integer (an id)");
  }
  out = node->as_integer()->get();
  return ok();
}

// [[sip.<key>]]: an array of tables; each element's name for messages is sip.<key>[i].
Result<const toml::array*> tables(const Checker& c, const toml::table& sip, const char* key) {
  const auto* node = sip.get(key);
  if (node == nullptr) return static_cast<const toml::array*>(nullptr);
  const auto* array = node->as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    return c.fail(std::string("sip.") + key, std::string("must be tables ([[sip.") + key + "]])");
  }
  return array;
}

Result<void> read_trunks(const Checker& c, const toml::table& sip, SipConfig& out) {
  auto array = tables(c, sip, "trunks");
  if (!array) return std::move(array).error();
  if (*array == nullptr) return ok();
  std::set<std::string> names;
  std::size_t i = 0;
  for (const auto& node : **array) {
    const std::string where = "sip.trunks[" + std::to_string(i++) + "]";
    const auto& t = *node.as_table();
    if (auto r = known_keys(c, t, where, {"name", "sources", "address"}); !r) return r;
    SipTrunkConfig trunk;
    if (auto r = text(c, t, where, "name", trunk.name); !r) return r;
    if (auto r = text(c, t, where, "address", trunk.address); !r) return r;
    if (trunk.name.empty()) return c.fail(where + ".name", "must be set");
    if (!names.insert(trunk.name).second) {
      return c.fail(where + ".name", "'" + trunk.name + "' names two trunks");
    }
    if (!trunk.address.empty() && !parse_host_port(trunk.address)) {
      return c.fail(where + ".address", "must be host:port (got '" + trunk.address + "')");
    }
    const auto* sources = t.get("sources");
    if (sources == nullptr || !sources->is_array() || sources->as_array()->empty()) {
      return c.fail(where + ".sources", "must be a non-empty array of addresses or CIDRs");
    }
    for (const auto& s : *sources->as_array()) {
      if (!s.is_string()) return c.fail(where + ".sources", "must be an array of strings");
      trunk.sources.push_back(s.as_string()->get());
    }
    if (auto parsed = telephony::TrunkSources::parse({{trunk.name, trunk.sources}}); !parsed) {
      return c.fail(where + ".sources", "holds a bad entry: " + parsed.error().message);
    }
    out.trunks.push_back(std::move(trunk));
  }
  return ok();
}

Result<void> read_numbers(const Checker& c, const toml::table& sip, SipConfig& out) {
  auto array = tables(c, sip, "numbers");
  if (!array) return std::move(array).error();
  if (*array == nullptr) return ok();
  std::size_t i = 0;
  for (const auto& node : **array) {
    const std::string where = "sip.numbers[" + std::to_string(i++) + "]";
    const auto& t = *node.as_table();
    if (auto r = known_keys(c, t, where, {"number", "org", "queue"}); !r) return r;
    SipNumberConfig n;
    if (auto r = text(c, t, where, "number", n.number); !r) return r;
    if (auto r = positive(c, t, where, "org", n.org); !r) return r;
    if (auto r = positive(c, t, where, "queue", n.queue); !r) return r;
    std::vector<telephony::NumberRoute> routes;
    for (const auto& before : out.numbers) {
      routes.push_back({before.number, OrgId{before.org}, QueueId{before.queue}});
    }
    routes.push_back({n.number, OrgId{n.org}, QueueId{n.queue}});
    if (auto why = telephony::invalid_number_routes(routes)) return c.fail(where + ".number", *why);
    n.number = routes.back().number;
    out.numbers.push_back(std::move(n));
  }
  return ok();
}

}  // namespace

Result<void> parse_sip_config(const toml::table& root, const std::string& source, SipConfig& out) {
  const Checker c{source};
  const auto* node = root.get("sip");
  if (node == nullptr || !node->is_table()) return ok();
  const auto& sip = *node->as_table();
  SipConfig parsed;
  if (auto r = text(c, sip, "sip", "listen", parsed.listen); !r) return r;
  if (auto r = text(c, sip, "sip", "advertise", parsed.advertise); !r) return r;
  if (auto r = read_trunks(c, sip, parsed); !r) return r;
  if (auto r = read_numbers(c, sip, parsed); !r) return r;
  if (!parsed.listen.empty()) {
    const auto at = parse_host_port(parsed.listen);
    if (!at) {
      return c.fail("sip.listen", "must be host:port, e.g. \"0.0.0.0:5060\" (got '" +
                                      parsed.listen + "')");
    }
    if ((at->host == "0.0.0.0" || at->host == "::") && parsed.advertise.empty()) {
      return c.fail("sip.advertise",
                    "must be set when sip.listen is a wildcard address: the address phones and "
                    "trunks reach us at (Contact, SDP)");
    }
  }
  out = std::move(parsed);
  return ok();
}

}  // namespace ccteams::cli
