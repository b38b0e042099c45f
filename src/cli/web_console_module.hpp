#pragma once
// The web console module (issue 8): web/ served as static files, and the OpenAPI document (one of
// those files, web/openapi.json) also under /api/. The API works without them: a missing web
// root is a warning, and the document's route then answers 503.

#include "cli/module.hpp"

namespace ccteams::cli {

class WebConsoleModule final : public Module {
 public:
  // Loads the web root (CCTEAMS_WEB_ROOT, or where resolve_web_root finds it) and registers its
  // routes on router, which must outlive this.
  explicit WebConsoleModule(http::Router& router);

  // Nothing runs: the files are in memory from construction on.
  Result<void> start(const Listening&) override { return ok(); }
  void stop() override {}
};

}  // namespace ccteams::cli
