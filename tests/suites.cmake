# Every doctest TEST_SUITE in tests/unit; unit:all-suites-listed fails when one is missing here.
set(custody_unit_suites
  age
  bech32
  bytes
  canonical_json
  crypto
  form
  fs
  hardening
  identity
  ledger
  merkle
  minisign
  schema
  vault
)
