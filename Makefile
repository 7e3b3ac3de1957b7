# flexedge: the two commands of the README, and a few more. Logic lives in scripts/.
.PHONY: dev test pkg mock bench fuzz setup

dev:    ## set up, then run the Worker under wrangler dev on http://127.0.0.1:8787
	scripts/dev.sh

test:   ## set up, then run every check (fmt, clippy, tests, wasm builds, browser, e2e)
	scripts/test.sh

pkg:    ## build the browser module into www/pkg/
	scripts/setup.sh dev && scripts/pkg.sh

mock:   ## run the native mock upstream server on http://127.0.0.1:8790
	cargo run --release --features mock --bin flexedge-mock -- --port 8790

bench:  ## run the benchmarks (prints figures; asserts nothing about speed)
	scripts/bench.sh

setup:  ## only install what is missing
	scripts/setup.sh test

fuzz:   ## fuzz the filter parser for three minutes (scripts/fuzz.sh TARGET for another target)
	scripts/fuzz.sh parse -max_total_time=180
