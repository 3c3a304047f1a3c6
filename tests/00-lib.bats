#!/usr/bin/env bats
# Unit drivers for the core library modules.
load test_helper

@test "lib: decimal" { run_unit test_decimal; }
@test "lib: timeutil" { run_unit test_timeutil; }
@test "lib: event" { run_unit test_event; }
@test "lib: replay record" { run_unit test_replay; }
@test "lib: stage loop (idle interval, wake fd)" { run_unit test_stage; }
@test "lib: order id registry (filter, spill, state database)" { run_unit test_idreg; }
@test "lib: bar writer (one buffer, the member writer's bytes)" { run_unit test_barout; }
