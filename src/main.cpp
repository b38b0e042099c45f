// Wiring and the command line only (DESIGN.md, layers).
#include "cli/cli.hpp"

int main(int argc, char** argv) { return ccteams::cli::run(argc, argv); }
