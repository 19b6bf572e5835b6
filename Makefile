# Openslot: the two commands a new machine needs are `make dev` and `make test`.
# Scripts live in tests/support/ and install whatever is missing first.
.PHONY: dev test build deploy deploy-build bench load cpu fuzz size fmt clean

dev:            ## run Openslot locally on workerd with local D1/KV and the provider fakes
	@bash tests/support/dev.sh

test:           ## every check and test; ends with an `N passed, N failed` line
	@bash tests/support/test.sh

build:          ## the Worker for local runs (no wasm-opt)
	@bash tests/support/install.sh
	@bash tests/support/build-worker.sh

deploy:         ## build, deploy (D1 and KV created on the first run), migrate, then list what is still missing
	@bash tests/support/deploy.sh

deploy-build:   ## the smallest Worker, ready for `npx wrangler deploy`
	@bash tests/support/install.sh
	@bash tests/support/build-worker.sh --release-opt

bench:          ## the availability engine benchmark (criterion), then the load test
	cargo bench --bench availability
	@bash tests/load/run.sh

load:           ## a bounded load test of the Worker on local workerd (wrk, loopback only)
	@bash tests/support/install.sh
	@bash tests/load/run.sh

cpu:            ## CPU per request on local workerd against a hello-world floor (V8 inspector profiles)
	@bash tests/cpu/run.sh

fuzz:           ## cargo-fuzz on the parsers and the .ics writer, FUZZ_SECONDS (60) per target
	@bash tests/fuzz/run.sh

size:           ## gzipped size of the deployable Worker
	@bash tests/support/install.sh
	@bash tests/support/build-worker.sh --release-opt
	@bash tests/support/size.sh

fmt:
	cargo fmt --all

clean:
	rm -rf build target .wrangler
