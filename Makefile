# sluice — top-level driver.
#   make        build build/sluice (Release, -Wall -Wextra -Werror)
#   make run    build, import the examples and start sluice serve (prints a curl line)
#   make test   check formatting, build and run every test, then again under ASan+UBSan
#   make fuzz   build the libFuzzer targets with clang and fuzz each for FUZZ_SECONDS
# Missing Debian packages are installed first (scripts/install-deps).
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60

.PHONY: all deps run test test-release test-asan format format-check fuzz clean
all: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@scripts/install-deps --check >/dev/null 2>&1 || scripts/install-deps

run: all
	scripts/run-examples $(BUILD)/sluice

test: format-check test-release test-asan

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c')

format-check: deps
	scripts/check-format

test-release: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_SANITIZE=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)

fuzz: deps
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_FUZZ=ON \
	    -DSLUICE_SANITIZE=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	for t in workflow expr items xml body cron retry_after; do \
	    mkdir -p $(FUZZ_BUILD)/corpus-$$t && \
	    $(FUZZ_BUILD)/tests/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	        $(FUZZ_BUILD)/corpus-$$t tests/fuzz/corpus/$$t || exit 1; \
	done

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
