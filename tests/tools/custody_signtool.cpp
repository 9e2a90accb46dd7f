// Test-only minisign driver, so CLI tests can compare us with minisign.
//
//   custody_signtool generate PUBFILE SECFILE
//   custody_signtool sign SECFILE FILE [--trusted-comment T] [--legacy]
//   [--password P] custody_signtool verify PUBFILE FILE [--prehashed-only]
//
// sign writes FILE.minisig; verify reads it and prints the trusted comment. A
// prehashed signature is made and checked by streaming FILE through Prehash, as
// the vault will. Exit status: 0 ok, 1 the signature does not verify, 2 usage,
// 3 invalid input, 5 auth, 6 io.
#include <custody/crypto/crypto.hpp>
#include <custody/crypto/minisign.hpp>

#include <fmt/core.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace custody;

namespace {

int
report(const Error& error)
{
  fmt::print(stderr, "custody_signtool: error: {}\n", error.message);
  if (!error.hint.empty()) {
    fmt::print(stderr, "custody_signtool: hint: {}\n", error.hint);
  }
  return exit_status(error.code);
}

Result<std::string>
read_file(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(Errc::io, "cannot read \"{}\"", path);
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Result<void>
write_file(const std::string& path, std::string_view data)
{
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) {
    return fail(Errc::io, "cannot write \"{}\"", path);
  }
  return {};
}

// Streams the file through BLAKE2b-512 in fixed-size pieces.
Result<minisign::MessageHash>
prehash_file(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(Errc::io, "cannot read \"{}\"", path);
  }
  minisign::Prehash hasher;
  std::vector<char> buffer(64 * 1024);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    hasher.update({reinterpret_cast<const std::uint8_t*>(buffer.data()), got});
  }
  if (in.bad()) {
    return fail(Errc::io, "cannot read \"{}\"", path);
  }
  return hasher.finish();
}

Result<void>
generate(const std::string& public_path, const std::string& secret_path)
{
  const auto key = minisign::SecretKey::generate();
  CUSTODY_ASSIGN(secret_text, key.to_unencrypted_file_text());
  CUSTODY_TRY(write_file(secret_path, secret_text.text()));
  CUSTODY_TRY(write_file(public_path, key.public_key().to_file_text()));
  fmt::print("{}\n", key.key_id());
  return {};
}

Result<void>
sign(const std::string& secret_path,
     const std::string& path,
     const std::string& trusted_comment,
     bool legacy,
     const std::string& password)
{
  CUSTODY_ASSIGN(secret_text, read_file(secret_path));
  CUSTODY_ASSIGN(key,
                 minisign::SecretKey::from_file_text(secret_text, password));
  std::string signature;
  if (legacy) {
    CUSTODY_ASSIGN(message, read_file(path));
    CUSTODY_ASSIGN(text,
                   minisign::sign(key,
                                  as_bytes(message),
                                  trusted_comment,
                                  minisign::k_default_untrusted_comment,
                                  minisign::Algorithm::legacy));
    signature = std::move(text);
  } else {
    CUSTODY_ASSIGN(hash, prehash_file(path));
    CUSTODY_ASSIGN(
      text,
      minisign::sign_prehashed(
        key, hash, trusted_comment, minisign::k_default_untrusted_comment));
    signature = std::move(text);
  }
  return write_file(path + ".minisig", signature);
}

Result<void>
verify(const std::string& public_path,
       const std::string& path,
       bool prehashed_only)
{
  CUSTODY_ASSIGN(public_text, read_file(public_path));
  CUSTODY_ASSIGN(key, minisign::PublicKey::from_file_text(public_text));
  CUSTODY_ASSIGN(signature_text, read_file(path + ".minisig"));
  CUSTODY_ASSIGN(signature, minisign::parse_signature(signature_text));
  std::string trusted_comment;
  if (signature.algorithm == minisign::Algorithm::prehashed) {
    CUSTODY_ASSIGN(hash, prehash_file(path));
    CUSTODY_ASSIGN(comment,
                   minisign::verify_prehashed(key, hash, signature_text));
    trusted_comment = std::move(comment);
  } else {
    CUSTODY_ASSIGN(message, read_file(path));
    CUSTODY_ASSIGN(comment,
                   minisign::verify(key,
                                    as_bytes(message),
                                    signature_text,
                                    prehashed_only ? minisign::Legacy::reject
                                                   : minisign::Legacy::accept));
    trusted_comment = std::move(comment);
  }
  fmt::print("Signature and comment signature verified\nTrusted comment: {}\n",
             trusted_comment);
  return {};
}

int
usage()
{
  fmt::print(
    stderr,
    "usage: custody_signtool generate PUBFILE SECFILE\n"
    "       custody_signtool sign SECFILE FILE [--trusted-comment T] "
    "[--legacy] "
    "[--password P]\n"
    "       custody_signtool verify PUBFILE FILE [--prehashed-only]\n");
  return 2;
}

} // namespace

int
main(int argc, char** argv)
{
  if (!crypto_init()) {
    return 70;
  }
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() < 3) {
    return usage();
  }
  const auto& command = args[0];
  std::string trusted_comment = "custody_signtool test signature";
  std::string password;
  bool legacy = false;
  bool prehashed_only = false;
  for (std::size_t i = 3; i < args.size(); ++i) {
    if (args[i] == "--trusted-comment" && i + 1 < args.size()) {
      trusted_comment = args[++i];
    } else if (args[i] == "--password" && i + 1 < args.size()) {
      password = args[++i];
    } else if (args[i] == "--legacy") {
      legacy = true;
    } else if (args[i] == "--prehashed-only") {
      prehashed_only = true;
    } else {
      return usage();
    }
  }

  Result<void> outcome;
  if (command == "generate" && args.size() == 3) {
    outcome = generate(args[1], args[2]);
  } else if (command == "sign") {
    outcome = sign(args[1], args[2], trusted_comment, legacy, password);
  } else if (command == "verify") {
    outcome = verify(args[1], args[2], prehashed_only);
  } else {
    return usage();
  }
  return outcome ? 0 : report(outcome.error());
}
