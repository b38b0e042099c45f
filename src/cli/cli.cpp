#include "cli/cli.hpp"

#include <iostream>

namespace ccteams::cli {

int run(int, char**) {
  std::cout << "ccteams " << CCTEAMS_VERSION << "\n";
  return 0;
}

}  // namespace ccteams::cli
