// The doctest runner: initialises the crypto libraries once before any test.
#define DOCTEST_CONFIG_IMPLEMENT
#include <custody/crypto/crypto.hpp>

#include <doctest/doctest.h>

int
main(int argc, char** argv)
{
  if (!custody::crypto_init()) {
    return 70;
  }
  doctest::Context context(argc, argv);
  return context.run();
}
