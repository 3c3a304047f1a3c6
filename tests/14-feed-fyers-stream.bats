#!/usr/bin/env bats
# algo-feed fyers stream: the FYERS binary market-data socket (HSM). lib/fyers_hsm
# encodes and decodes its messages as tests/fixtures/fyers/HSM-LAYOUT.md writes them
# down from FYERS's SDKs; the mock (tests/mock/fyers_hsm.py) builds its frames from the
# same page.
load test_helper

@test "fyers stream: lib/fyers_hsm messages, records and scaling, byte for byte" { run_unit test_fyers_hsm; }
