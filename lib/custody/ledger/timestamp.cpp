#include <custody/crypto/crypto.hpp>
#include <custody/ledger/timestamp.hpp>
#include <custody/sys/fs.hpp>
#include <custody/sys/spawn.hpp>

#include <fmt/core.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <openssl/x509_vfy.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>

namespace custody::timestamp {

namespace {

template<typename T, void (*Free)(T*)> struct Deleter
{
  void
  operator()(T* p) const
  {
    Free(p);
  }
};
using ReqPtr = std::unique_ptr<TS_REQ, Deleter<TS_REQ, TS_REQ_free>>;
using RespPtr = std::unique_ptr<TS_RESP, Deleter<TS_RESP, TS_RESP_free>>;
using CtxPtr =
  std::unique_ptr<TS_VERIFY_CTX, Deleter<TS_VERIFY_CTX, TS_VERIFY_CTX_free>>;
using ImprintPtr =
  std::unique_ptr<TS_MSG_IMPRINT, Deleter<TS_MSG_IMPRINT, TS_MSG_IMPRINT_free>>;
using AlgPtr =
  std::unique_ptr<X509_ALGOR, Deleter<X509_ALGOR, X509_ALGOR_free>>;
using IntPtr =
  std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER, ASN1_INTEGER_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using StorePtr =
  std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>>;

// OpenSSL's queued error reasons, oldest first, emptying the queue.
std::string
openssl_errors()
{
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    const char* reason = ERR_reason_error_string(code);
    if (!out.empty()) {
      out += "; ";
    }
    out += reason != nullptr ? reason : buffer;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

Result<ReqPtr>
decode_request(ByteView der)
{
  const unsigned char* p = der.data();
  ReqPtr req(d2i_TS_REQ(nullptr, &p, static_cast<long>(der.size())));
  if (!req || p != der.data() + der.size()) {
    ERR_clear_error();
    return fail(Errc::invalid_input,
                "not a DER RFC 3161 time-stamp request (TimeStampReq)");
  }
  // Only what custody writes (version 1, DER, certReq true): OpenSSL also
  // reads BER, so a changed byte could otherwise leave an equivalent request.
  // OpenSSL keeps a BOOLEAN's byte as read (0xfe stays 0xfe); set it, so
  // that the encoding below is DER's 0xff.
  const bool cert_req = TS_REQ_get_cert_req(req.get()) == 1;
  TS_REQ_set_cert_req(req.get(), cert_req ? 1 : 0);
  unsigned char* encoded = nullptr;
  const int length = i2d_TS_REQ(req.get(), &encoded);
  const bool canonical = length == static_cast<int>(der.size())
                         && std::memcmp(encoded, der.data(), der.size()) == 0;
  OPENSSL_free(encoded);
  if (!canonical || TS_REQ_get_version(req.get()) != 1 || !cert_req) {
    return fail(Errc::invalid_input,
                "the time-stamp request is not one custody writes (DER, "
                "version 1, certificates requested)");
  }
  return req;
}

// The CA certificates in `pem`, as a store. Parsed from memory: the caller
// read the file once, with a bound, and a pipe cannot be read twice.
Result<StorePtr>
load_store(std::string_view pem)
{
  StorePtr store(X509_STORE_new());
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!store || !bio) {
    return fail(Errc::internal, "OpenSSL: {}", openssl_errors());
  }
  int added = 0;
  while (
    X509Ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
    if (X509_STORE_add_cert(store.get(), cert.get()) != 1) {
      return fail(Errc::internal, "OpenSSL: {}", openssl_errors());
    }
    ++added;
  }
  // Reading past the last certificate queues a "no start line" error.
  ERR_clear_error();
  if (added == 0) {
    return make_error(Errc::invalid_input,
                      "not a PEM file of CA certificates",
                      "give the TSA's CA certificate, as `openssl ts -verify "
                      "-CAfile` takes it");
  }
  return store;
}

std::string
integer_hex(const ASN1_INTEGER* value)
{
  if (value == nullptr) {
    return {};
  }
  BnPtr bn(ASN1_INTEGER_to_BN(value, nullptr));
  if (!bn) {
    return {};
  }
  char* hex = BN_bn2hex(bn.get());
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  return out;
}

std::string
rfc3339(const ASN1_GENERALIZEDTIME* time)
{
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    return {};
  }
  char buffer[32];
  if (std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    return {};
  }
  return buffer;
}

} // namespace

Result<Bytes>
make_request(ByteView data)
{
  const Digest digest = sha256(data);
  ReqPtr req(TS_REQ_new());
  ImprintPtr imprint(TS_MSG_IMPRINT_new());
  AlgPtr algorithm(X509_ALGOR_new());
  BnPtr nonce_bn(BN_new());
  if (!req || !imprint || !algorithm || !nonce_bn) {
    return fail(Errc::internal, "OpenSSL: {}", openssl_errors());
  }
  X509_ALGOR_set0(
    algorithm.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr);
  // A nonce lets the response be tied to this request and no replay of an
  // older one (RFC 3161 2.4.2).
  if (BN_rand(nonce_bn.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) {
    return fail(Errc::internal, "OpenSSL: {}", openssl_errors());
  }
  IntPtr nonce(BN_to_ASN1_INTEGER(nonce_bn.get(), nullptr));
  if (!nonce || TS_REQ_set_version(req.get(), 1) != 1
      || TS_MSG_IMPRINT_set_algo(imprint.get(), algorithm.get()) != 1
      || TS_MSG_IMPRINT_set_msg(
           imprint.get(),
           // OpenSSL copies the digest; its prototype
           // predates const.
           // NOLINTNEXTLINE(cppcoreguidelines-pro-type-const-cast)
           const_cast<std::uint8_t*>(digest.data()),
           static_cast<int>(digest.size()))
           != 1
      || TS_REQ_set_msg_imprint(req.get(), imprint.get()) != 1
      || TS_REQ_set_nonce(req.get(), nonce.get()) != 1
      // certReq: the token carries the TSA's certificate, so `openssl ts
      // -verify` needs only the CA.
      || TS_REQ_set_cert_req(req.get(), 1) != 1) {
    return fail(Errc::internal, "OpenSSL: {}", openssl_errors());
  }
  unsigned char* der = nullptr;
  const int length = i2d_TS_REQ(req.get(), &der);
  if (length <= 0) {
    return fail(Errc::internal, "OpenSSL: {}", openssl_errors());
  }
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

Result<void>
check_ca(std::string_view pem)
{
  CUSTODY_TRY(load_store(pem));
  return {};
}

Result<void>
check_request(ByteView request, ByteView data)
{
  CUSTODY_ASSIGN(req, decode_request(request));
  TS_MSG_IMPRINT* imprint = TS_REQ_get_msg_imprint(req.get());
  const X509_ALGOR* algorithm = TS_MSG_IMPRINT_get_algo(imprint);
  const ASN1_OCTET_STRING* message = TS_MSG_IMPRINT_get_msg(imprint);
  const Digest digest = sha256(data);
  if (OBJ_obj2nid(algorithm->algorithm) != NID_sha256 || message == nullptr
      || ASN1_STRING_length(message) != static_cast<int>(digest.size())
      || std::memcmp(
           ASN1_STRING_get0_data(message), digest.data(), digest.size())
           != 0) {
    return fail(Errc::invalid_input,
                "the request's message imprint is not the SHA-256 of the "
                "checkpoint");
  }
  return {};
}

namespace {

// A response whose status, imprint (and nonce) were checked: with `ca`, its
// signature and the TSA's chain too, apart, so that the message says which
// failed; then what the token says.
Result<Token>
verified_token(TS_RESP* resp, const std::optional<std::string>& ca)
{
  if (ca) {
    CUSTODY_ASSIGN(store, load_store(*ca));
    CtxPtr signature(TS_VERIFY_CTX_new());
    if (!signature) {
      return fail(Errc::internal, "OpenSSL: {}", openssl_errors());
    }
    TS_VERIFY_CTX_set_flags(signature.get(), TS_VFY_SIGNATURE);
    // The context owns the store from here.
    TS_VERIFY_CTX_set_store(signature.get(), store.release());
    if (TS_RESP_verify_response(signature.get(), resp) != 1) {
      return fail(Errc::invalid_input,
                  "the token's signature or the TSA's certificate does not "
                  "verify against the CA given (--tsa-ca): {}",
                  openssl_errors());
    }
  }
  TS_TST_INFO* info = TS_RESP_get_tst_info(resp);
  if (info == nullptr) {
    return fail(Errc::invalid_input, "the time-stamp response has no token");
  }
  Token token;
  token.gen_time = rfc3339(TS_TST_INFO_get_time(info));
  token.serial = integer_hex(TS_TST_INFO_get_serial(info));
  char oid[128] = {};
  if (ASN1_OBJECT* policy = TS_TST_INFO_get_policy_id(info)) {
    OBJ_obj2txt(oid, sizeof oid, policy, 1);
  }
  token.policy = oid;
  token.signature_verified = ca.has_value();
  return token;
}

} // namespace

Result<Token>
check_response(ByteView request,
               ByteView response,
               ByteView data,
               const std::optional<std::string>& ca)
{
  CUSTODY_ASSIGN(req, decode_request(request));
  CUSTODY_TRY(check_request(request, data));
  const unsigned char* p = response.data();
  RespPtr resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(response.size())));
  if (!resp || p != response.data() + response.size()) {
    ERR_clear_error();
    return fail(Errc::invalid_input,
                "not a DER RFC 3161 time-stamp response (TimeStampResp)");
  }
  CtxPtr ctx(TS_REQ_to_TS_VERIFY_CTX(req.get(), nullptr));
  if (!ctx) {
    return fail(Errc::internal, "OpenSSL: {}", openssl_errors());
  }
  // Status, version, imprint and nonce always; then, apart, so that the
  // message says which failed, the signature and the TSA's chain, only
  // against a CA the caller trusts, as `openssl ts -verify -CAfile` does.
  TS_VERIFY_CTX_set_flags(ctx.get(),
                          TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
  if (TS_RESP_verify_response(ctx.get(), resp.get()) != 1) {
    return fail(Errc::invalid_input,
                "the time-stamp response does not answer this request: {}",
                openssl_errors());
  }
  return verified_token(resp.get(), ca);
}

Result<Token>
check_token(ByteView response,
            ByteView data,
            const std::optional<std::string>& ca)
{
  const unsigned char* p = response.data();
  RespPtr resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(response.size())));
  if (!resp || p != response.data() + response.size()) {
    ERR_clear_error();
    return fail(Errc::invalid_input,
                "not a DER RFC 3161 time-stamp response (TimeStampResp)");
  }
  TS_TST_INFO* info = TS_RESP_get_tst_info(resp.get());
  if (info == nullptr) {
    return fail(Errc::invalid_input,
                "the time-stamp response has no token (not granted)");
  }
  const ASN1_OBJECT* algorithm = nullptr;
  X509_ALGOR_get0(&algorithm,
                  nullptr,
                  nullptr,
                  TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(info)));
  if (algorithm == nullptr || OBJ_obj2nid(algorithm) != NID_sha256) {
    return fail(Errc::invalid_input,
                "the time-stamp token's imprint is not a SHA-256 hash");
  }
  CtxPtr ctx(TS_VERIFY_CTX_new());
  const Digest digest = sha256(data);
  auto* imprint = static_cast<unsigned char*>(OPENSSL_malloc(digest.size()));
  if (!ctx || imprint == nullptr) {
    OPENSSL_free(imprint);
    return fail(Errc::internal, "OpenSSL: {}", openssl_errors());
  }
  std::memcpy(imprint, digest.data(), digest.size());
  // The context owns the imprint from here.
  TS_VERIFY_CTX_set_imprint(
    ctx.get(), imprint, static_cast<long>(digest.size()));
  TS_VERIFY_CTX_set_flags(ctx.get(), TS_VFY_VERSION | TS_VFY_IMPRINT);
  if (TS_RESP_verify_response(ctx.get(), resp.get()) != 1) {
    return fail(Errc::invalid_input,
                "the time-stamp response is not about these bytes: {}",
                openssl_errors());
  }
  return verified_token(resp.get(), ca);
}

Result<Bytes>
ask(const std::string& url, ByteView request)
{
  std::string pattern =
    (std::filesystem::temp_directory_path() / "custody-tsa.XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return tl::unexpected(fs::errno_error("mkdtemp", pattern, errno));
  }
  const fs::Path scratch = pattern;
  // Removes the scratch directory, whatever happens.
  const std::unique_ptr<const fs::Path, void (*)(const fs::Path*)> cleanup(
    &scratch, [](const fs::Path* path) {
      std::error_code ignored;
      std::filesystem::remove_all(*path, ignored);
    });
  CUSTODY_TRY(fs::write_file_atomic(scratch / "request.tsq", request));
  const fs::Path reply = scratch / "reply.tsr";
  spawn::Command curl;
  curl.argv = {"curl",
               "-sS",
               "--fail",
               "--max-time",
               "60",
               "-H",
               "Content-Type: application/timestamp-query",
               "--data-binary",
               "@" + (scratch / "request.tsq").string(),
               "-o",
               reply.string(),
               "--",
               url};
  curl.search_path = true;
  curl.environment = spawn::proxy_environment();
  curl.environment.emplace_back("LC_ALL=C");
  curl.timeout = std::chrono::seconds(70);
  curl.max_output = 1 << 16;
  curl.capture_stderr = true;
  CUSTODY_ASSIGN(ran, spawn::run(curl));
  if (ran.end != spawn::Finished::End::exited || ran.code != 0) {
    std::string said = ran.output;
    while (!said.empty() && (said.back() == '\n' || said.back() == '\r')) {
      said.pop_back();
    }
    if (const auto newline = said.rfind('\n'); newline != std::string::npos) {
      said.erase(0, newline + 1);
    }
    return make_error(
      Errc::io,
      fmt::format("the timestamp authority at {} did not answer ({})",
                  url,
                  said.empty() ? fmt::format("curl exit status {}", ran.code)
                               : said));
  }
  return fs::read_file(reply, 1 << 20);
}

} // namespace custody::timestamp
