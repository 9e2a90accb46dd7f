// Test-only age command over custody's age module, for interop with age.
//
//   keygen OUT              write an identity file, print its recipient
//   recipient IDFILE        print the recipient of each identity in IDFILE
//   encrypt [-a] (-r AGE1 | -R RECIPIENTSFILE)...        stdin -> stdout
//   encrypt-passphrase [-a] --passphrase-file F [--work-factor N]
//   decrypt -i IDFILE...                                 stdin -> stdout
//   decrypt-passphrase --passphrase-file F               stdin -> stdout
//   work-factor             print the scrypt work factor of stdin
//
// Encryption and decryption stream stdin to stdout in 64 KiB chunks. Exit
// status: 0 success, 1 failure (message on stderr), 2 usage error.
#include <custody/crypto/age/age.hpp>
#include <custody/crypto/crypto.hpp>

#include <fmt/core.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

using namespace custody;

namespace {

constexpr int k_exit_failure = 1;
constexpr int k_exit_usage = 2;

struct Usage
{
  std::string message;
};

[[nodiscard]] Result<void>
write_all(int fd, ByteView data)
{
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(Errc::io, "write failed: {}", std::strerror(errno));
    }
    data = data.subspan(static_cast<std::size_t>(n));
  }
  return {};
}

// Fills `out` unless the input ends first; returns the bytes read.
[[nodiscard]] Result<std::size_t>
read_full(int fd, std::span<std::uint8_t> out)
{
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(Errc::io, "read failed: {}", std::strerror(errno));
    }
    if (n == 0) {
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  return done;
}

// Reads a whole file straight into secure memory (identity files, passphrase
// files).
[[nodiscard]] Result<SecretBytes>
read_secret_file(const std::string& path)
{
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return fail(Errc::io, "cannot open \"{}\": {}", path, std::strerror(errno));
  }
  struct stat info
  {
  };
  if (::fstat(fd, &info) != 0) {
    ::close(fd);
    return fail(Errc::io, "cannot stat \"{}\": {}", path, std::strerror(errno));
  }
  SecretBytes data(static_cast<std::size_t>(info.st_size));
  auto n = read_full(fd, {data.data(), data.size()});
  ::close(fd);
  if (!n) {
    return tl::unexpected<Error>(n.error());
  }
  data.truncate(*n);
  return data;
}

// A passphrase file holds the passphrase and at most one final newline.
[[nodiscard]] Result<SecretBytes>
read_passphrase_file(const std::string& path)
{
  CUSTODY_ASSIGN(data, read_secret_file(path));
  if (!data.empty() && data.data()[data.size() - 1] == '\n') {
    data.truncate(data.size() - 1);
  }
  return data;
}

[[nodiscard]] Result<std::vector<age::X25519Identity>>
read_identity_file(const std::string& path)
{
  CUSTODY_ASSIGN(text, read_secret_file(path));
  auto identities = age::parse_identity_file(text.text());
  if (!identities) {
    return tl::unexpected<Error>(
      with_context(identities.error(), fmt::format("\"{}\"", path)));
  }
  return identities;
}

// Streams stdin through `encryptor` to stdout. One chunk of look-ahead tells
// which is last.
[[nodiscard]] Result<void>
encrypt_stream(age::Encryptor& encryptor)
{
  CUSTODY_TRY(write_all(STDOUT_FILENO, encryptor.header()));
  Bytes current(age::k_chunk_size);
  Bytes next(age::k_chunk_size);
  Bytes out;
  CUSTODY_ASSIGN(current_size, read_full(STDIN_FILENO, current));
  for (;;) {
    std::size_t next_size = 0;
    if (current_size == age::k_chunk_size) {
      CUSTODY_ASSIGN(n, read_full(STDIN_FILENO, next));
      next_size = n;
    }
    const bool last = next_size == 0;
    out.clear();
    CUSTODY_TRY(encryptor.encrypt_chunk(ByteView(current).first(current_size),
                                        last ? age::Last::yes : age::Last::no,
                                        out));
    CUSTODY_TRY(write_all(STDOUT_FILENO, out));
    if (last) {
      return {};
    }
    std::swap(current, next);
    current_size = next_size;
  }
}

[[nodiscard]] Result<void>
decrypt_stream(age::Decryptor& decryptor)
{
  Bytes chunk(age::k_chunk_size);
  for (;;) {
    CUSTODY_ASSIGN(n, decryptor.read_chunk(chunk));
    if (n == 0) {
      return {};
    }
    CUSTODY_TRY(write_all(STDOUT_FILENO, ByteView(chunk).first(n)));
  }
}

[[nodiscard]] Result<void>
run_keygen(const std::vector<std::string>& args)
{
  if (args.size() != 1) {
    throw Usage{"keygen OUT"};
  }
  const auto identity = age::X25519Identity::generate();
  const auto text =
    age::format_identity_file(identity, std::chrono::system_clock::now());
  const int fd =
    ::open(args[0].c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return fail(
      Errc::io, "cannot create \"{}\": {}", args[0], std::strerror(errno));
  }
  auto written = write_all(fd, text.view());
  ::close(fd);
  CUSTODY_TRY(written);
  fmt::print("{}\n", identity.recipient().encode());
  return {};
}

[[nodiscard]] Result<void>
run_recipient(const std::vector<std::string>& args)
{
  if (args.size() != 1) {
    throw Usage{"recipient IDENTITYFILE"};
  }
  CUSTODY_ASSIGN(identities, read_identity_file(args[0]));
  for (const auto& identity : identities) {
    fmt::print("{}\n", identity.recipient().encode());
  }
  return {};
}

[[nodiscard]] Result<void>
run_encrypt(const std::vector<std::string>& args)
{
  std::vector<age::X25519Recipient> recipients;
  auto armor = age::Armor::no;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-a") {
      armor = age::Armor::yes;
    } else if (args[i] == "-r" && i + 1 < args.size()) {
      CUSTODY_ASSIGN(recipient, age::X25519Recipient::parse(args[++i]));
      recipients.push_back(recipient);
    } else if (args[i] == "-R" && i + 1 < args.size()) {
      // A recipients file: one age1 per line, '#' comments and blank lines
      // ignored.
      CUSTODY_ASSIGN(text, read_secret_file(args[++i]));
      std::string_view rest = text.text();
      while (!rest.empty()) {
        const auto newline = rest.find('\n');
        const std::string_view line = rest.substr(0, newline);
        rest = newline == std::string_view::npos ? std::string_view()
                                                 : rest.substr(newline + 1);
        if (line.empty() || line.front() == '#') {
          continue;
        }
        CUSTODY_ASSIGN(recipient, age::X25519Recipient::parse(line));
        recipients.push_back(recipient);
      }
    } else {
      throw Usage{"encrypt [-a] (-r RECIPIENT | -R FILE)..."};
    }
  }
  CUSTODY_ASSIGN(encryptor, age::Encryptor::create(recipients, armor));
  return encrypt_stream(encryptor);
}

[[nodiscard]] Result<void>
run_encrypt_passphrase(const std::vector<std::string>& args)
{
  std::string passphrase_file;
  int work_factor = age::k_default_work_factor;
  auto armor = age::Armor::no;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-a") {
      armor = age::Armor::yes;
    } else if (args[i] == "--passphrase-file" && i + 1 < args.size()) {
      passphrase_file = args[++i];
    } else if (args[i] == "--work-factor" && i + 1 < args.size()) {
      work_factor = std::stoi(args[++i]);
    } else {
      throw Usage{
        "encrypt-passphrase [-a] --passphrase-file F [--work-factor N]"};
    }
  }
  if (passphrase_file.empty()) {
    throw Usage{"encrypt-passphrase needs --passphrase-file"};
  }
  CUSTODY_ASSIGN(passphrase, read_passphrase_file(passphrase_file));
  CUSTODY_ASSIGN(encryptor,
                 age::Encryptor::create_with_passphrase(
                   passphrase.view(), work_factor, armor));
  return encrypt_stream(encryptor);
}

[[nodiscard]] Result<void>
run_decrypt(const std::vector<std::string>& args)
{
  std::vector<age::X25519Identity> identities;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-i" && i + 1 < args.size()) {
      CUSTODY_ASSIGN(more, read_identity_file(args[++i]));
      for (auto& identity : more) {
        identities.push_back(std::move(identity));
      }
    } else {
      throw Usage{"decrypt -i IDENTITYFILE..."};
    }
  }
  if (identities.empty()) {
    throw Usage{"decrypt needs -i IDENTITYFILE"};
  }
  age::FdSource source(STDIN_FILENO);
  CUSTODY_ASSIGN(decryptor, age::Decryptor::open(source, identities));
  return decrypt_stream(decryptor);
}

[[nodiscard]] Result<void>
run_decrypt_passphrase(const std::vector<std::string>& args)
{
  if (args.size() != 2 || args[0] != "--passphrase-file") {
    throw Usage{"decrypt-passphrase --passphrase-file F"};
  }
  CUSTODY_ASSIGN(passphrase, read_passphrase_file(args[1]));
  age::FdSource source(STDIN_FILENO);
  CUSTODY_ASSIGN(
    decryptor, age::Decryptor::open_with_passphrase(source, passphrase.view()));
  return decrypt_stream(decryptor);
}

[[nodiscard]] Result<void>
run_work_factor(const std::vector<std::string>& args)
{
  if (!args.empty()) {
    throw Usage{"work-factor < FILE"};
  }
  // The header is at most 1 MiB; a prefix that holds it is enough.
  Bytes prefix(age::k_max_header_size + 64 * 1024);
  CUSTODY_ASSIGN(n, read_full(STDIN_FILENO, prefix));
  prefix.resize(n);
  CUSTODY_ASSIGN(work_factor, age::scrypt_work_factor(prefix));
  fmt::print("{}\n", work_factor);
  return {};
}

} // namespace

int
main(int argc, char** argv)
{
  if (!crypto_init()) {
    return 70;
  }
  if (argc < 2) {
    fmt::print(stderr,
               "usage: custody_agetool COMMAND ARGS... (see the source)\n");
    return k_exit_usage;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  try {
    Result<void> result;
    if (command == "keygen") {
      result = run_keygen(args);
    } else if (command == "recipient") {
      result = run_recipient(args);
    } else if (command == "encrypt") {
      result = run_encrypt(args);
    } else if (command == "encrypt-passphrase") {
      result = run_encrypt_passphrase(args);
    } else if (command == "decrypt") {
      result = run_decrypt(args);
    } else if (command == "decrypt-passphrase") {
      result = run_decrypt_passphrase(args);
    } else if (command == "work-factor") {
      result = run_work_factor(args);
    } else {
      throw Usage{fmt::format("unknown command {}", command)};
    }
    if (!result) {
      fmt::print(
        stderr, "custody_agetool: error: {}\n", result.error().message);
      if (!result.error().hint.empty()) {
        fmt::print(stderr, "custody_agetool: hint: {}\n", result.error().hint);
      }
      return k_exit_failure;
    }
  } catch (const Usage& usage) {
    fmt::print(stderr, "usage: custody_agetool {}\n", usage.message);
    return k_exit_usage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "custody_agetool: usage error: {}\n", e.what());
    return k_exit_usage;
  }
  return 0;
}
