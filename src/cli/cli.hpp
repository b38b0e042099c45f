#pragma once

namespace ccteams::cli {

// Parses the command line and runs the chosen command; returns the process exit status.
int run(int argc, char** argv);

}  // namespace ccteams::cli
