# Every doctest TEST_SUITE in tests/unit; unit:all-suites-listed fails when one is missing here.
set(custody_unit_suites
  bytes
  crypto
)
