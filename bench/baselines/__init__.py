"""Baseline programs: standalone scripts run in fresh processes. They import no project code
(tests/test_bench_baselines.py checks), so the project's speed-ups cannot flatter them."""
