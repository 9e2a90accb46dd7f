# Every doctest TEST_SUITE in tests/unit; unit:all-suites-listed fails when one is missing here.
set(custody_unit_suites
  age
  bech32
  bytes
  canonical_json
  crypto
  fs
  hardening
  identity
  index
  ledger
  merkle
  minisign
  records
  vault
)
