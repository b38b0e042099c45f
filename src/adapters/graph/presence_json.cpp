// Presence resources (graph-protocol.md §3).
#include <boost/json.hpp>

#include "adapters/graph/graph_json.hpp"
#include "adapters/graph/json_reader.hpp"

namespace ccteams::graph {

namespace json = boost::json;

namespace {

Result<GraphPresence> decode_presence_object(const json::object& o, const std::string& path) {
  GraphPresence p;
  CCTEAMS_GRAPH_TRY(id, required_string(o, "id", path));
  if (id.empty()) return json_error(json_path(path, "id"), "must not be empty");
  // Values stay as sent; the core compares them case-insensitively (§3.1 doc bug).
  CCTEAMS_GRAPH_TRY(availability, required_string(o, "availability", path));
  CCTEAMS_GRAPH_TRY(activity, required_string(o, "activity", path));
  CCTEAMS_GRAPH_TRY(sequence, optional_string(o, "sequenceNumber", path));
  p.user_id = std::move(id);
  p.availability = std::move(availability);
  p.activity = std::move(activity);
  p.sequence_number = std::move(sequence);

  CCTEAMS_GRAPH_TRY(oof, optional_object(o, "outOfOfficeSettings", path));
  if (oof != nullptr) {
    const auto oof_path = json_path(path, "outOfOfficeSettings");
    CCTEAMS_GRAPH_TRY(is_oof, optional_bool(*oof, "isOutOfOffice", oof_path));
    CCTEAMS_GRAPH_TRY(message, optional_string(*oof, "message", oof_path));
    p.out_of_office = is_oof;
    p.out_of_office_message = std::move(message);
  }
  CCTEAMS_GRAPH_TRY(status, optional_object(o, "statusMessage", path));
  if (status != nullptr) {
    const auto status_path = json_path(path, "statusMessage");
    CCTEAMS_GRAPH_TRY(message, optional_object(*status, "message", status_path));
    if (message != nullptr) {
      CCTEAMS_GRAPH_TRY(content,
                        optional_string(*message, "content", json_path(status_path, "message")));
      p.status_message = std::move(content);
    }
  }
  return p;
}

Result<std::vector<GraphPresence>> decode_value_array(const json::object& root) {
  CCTEAMS_GRAPH_TRY(items, required_array(root, "value", ""));
  std::vector<GraphPresence> out;
  out.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {
    const auto path = json_path("value", i);
    CCTEAMS_GRAPH_TRY(item, as_object((*items)[i], path));
    CCTEAMS_GRAPH_TRY(p, decode_presence_object(*item, path));
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

Result<GraphPresence> decode_presence(std::string_view text) {
  CCTEAMS_GRAPH_TRY(doc, parse_document(text));
  CCTEAMS_GRAPH_TRY(root, as_object(doc, ""));
  if (root->contains("value") && !root->contains("availability")) {
    CCTEAMS_GRAPH_TRY(all, decode_value_array(*root));
    if (all.size() != 1) {
      return json_error("value", "expected exactly one presence, got " +
                                     std::to_string(all.size()));
    }
    return std::move(all.front());
  }
  return decode_presence_object(*root, "");
}

Result<std::vector<GraphPresence>> decode_presences(std::string_view text) {
  CCTEAMS_GRAPH_TRY(doc, parse_document(text));
  CCTEAMS_GRAPH_TRY(root, as_object(doc, ""));
  return decode_value_array(*root);
}

}  // namespace ccteams::graph
