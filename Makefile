# Top-level driver: `make` builds build/sluice, `make test` runs every test,
# `make run` runs the example. Dependencies are installed on demand.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps run test clean
all: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@scripts/install-deps --check >/dev/null 2>&1 || scripts/install-deps

run: all
	$(BUILD)/sluice run examples/order-processor.json --input examples/orders.json

test: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD) build-asan
