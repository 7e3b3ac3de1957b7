.PHONY: bench fuzz

# Records/s of the filter engine vs a hand-written closure over 100,000 records.
bench:
	cargo bench --bench filter

# Fuzz the filter parser for three minutes (needs cargo-fuzz and nightly).
fuzz:
	cd fuzz && cargo +nightly fuzz run parse -- -max_total_time=180
