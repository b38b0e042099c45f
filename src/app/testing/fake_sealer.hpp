#pragma once
// Stand-ins for the SecretSealer and PkceHasher ports in app tests: reversible, purpose-bound,
// readable in a failure message.

#include <string>
#include <string_view>

#include "app/ports/secret_sealer.hpp"

namespace ccteams::testing {

class FakeSealer final : public SecretSealer {
 public:
  Result<std::string> seal(std::string_view plain, std::string_view purpose) const override {
    std::string s = "sealed[" + std::string(purpose) + "]";
    for (char c : plain) s.push_back(static_cast<char>(c ^ 0x20));
    return s;
  }
  Result<std::string> open(std::string_view sealed, std::string_view purpose) const override {
    const std::string prefix = "sealed[" + std::string(purpose) + "]";
    if (sealed.substr(0, prefix.size()) != prefix) {
      return make_error(Errc::internal, "wrong purpose");
    }
    std::string s;
    for (char c : sealed.substr(prefix.size())) s.push_back(static_cast<char>(c ^ 0x20));
    return s;
  }
};

class FakePkce final : public PkceHasher {
 public:
  std::string s256_challenge(std::string_view v) const override {
    return "S256(" + std::string(v) + ")";
  }
};

}  // namespace ccteams::testing
