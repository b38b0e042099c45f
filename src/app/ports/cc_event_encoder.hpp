#pragma once
// The wire form of the contact center's events: the event log keeps it and the events
// WebSocket sends it as is. A port, so that app decides what happened and knows no JSON
// (adapters/http/api/cc_json.hpp implements it).
//
// Thread-safety: encode may be called from any thread, concurrently.

#include <string>

#include "app/cc_events.hpp"
#include "core/time.hpp"

namespace ccteams {

class CcEventEncoder {
 public:
  virtual ~CcEventEncoder() = default;
  // The complete event, seq excepted, e.g. {"type":"contact","at":"…","contact":{…}}.
  virtual std::string encode(const CcEvent& event, Timestamp at) const = 0;
};

}  // namespace ccteams
