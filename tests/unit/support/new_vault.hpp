// A new vault in a temporary directory: its creator (a legal member) and a
// recovery member, for the tests that need a real vault.
#pragma once

#include "temp_dir.hpp"

#include <custody/keys/identity.hpp>
#include <custody/vault/vault.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <utility>

namespace custody::test {

struct NewVault
{
  NewVault()
  {
    vault::InitOptions options;
    options.directory = directory;
    options.recovery_member = &recovery;
    REQUIRE(vault::init(options, creator));
  }

  // The vault opened by `member` for writing.
  vault::Vault
  open(const identity::Member& member)
  {
    vault::Notes notes;
    vault::OpenOptions options;
    options.access = vault::Access::write;
    auto opened = vault::Vault::open(directory, member, options, notes);
    if (!opened) {
      FAIL(opened.error().message);
    }
    return std::move(*opened);
  }

  TempDir dir;
  identity::Member creator{age::X25519Identity::generate()};
  identity::Member recovery{age::X25519Identity::generate()};
  std::filesystem::path directory = dir.path() / "vault";
};

} // namespace custody::test
