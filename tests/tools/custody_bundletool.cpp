// Test-only checker of court bundles over verify::verify_bundle, until the
// command line has one: lets a CLI test check what `custody export` wrote.
//
//   custody_bundletool BUNDLE [--key RW...] [--tsa-ca PEM-FILE]
//
// Prints one line per check ("ok|FAIL  what: detail"), then the summary.
// Exit status: 0 every check held, 1 a check failed, 3 not a bag (message on
// stderr), 2 usage error.
#include <custody/crypto/crypto.hpp>
#include <custody/verify/bundle.hpp>

#include <fmt/core.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

using namespace custody;

int
main(int argc, char** argv)
{
  if (!crypto_init()) {
    return 70;
  }
  verify::BundleOptions options;
  std::string bundle;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if ((arg == "--key" || arg == "--tsa-ca") && i + 1 < argc) {
      if (arg == "--key") {
        options.key = argv[++i];
      } else {
        std::ifstream in(argv[++i], std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        options.tsa_ca_pem = text.str();
      }
    } else if (bundle.empty() && !arg.starts_with("-")) {
      bundle = arg;
    } else {
      fmt::print(stderr,
                 "usage: custody_bundletool BUNDLE [--key RW...] [--tsa-ca "
                 "PEM-FILE]\n");
      return 2;
    }
  }
  if (bundle.empty()) {
    fmt::print(stderr, "usage: custody_bundletool BUNDLE\n");
    return 2;
  }
  auto report = verify::verify_bundle(bundle, options);
  if (!report) {
    fmt::print(stderr, "{}\n", report.error().message);
    return 3;
  }
  for (const auto& check : report->checks) {
    fmt::print(
      "{:4}  {}: {}\n", check.ok ? "ok" : "FAIL", check.what, check.detail);
  }
  fmt::print("key {} ({}); checkpoint {}; {} records, {} entries, {} "
             "originals; {}\n",
             report->key,
             report->key_id,
             report->checkpoint_size,
             report->records,
             report->entries,
             report->originals,
             report->timestamped ? "timestamped" : "not timestamped");
  return report->ok() ? 0 : 1;
}
