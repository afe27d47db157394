# StrataDB developer entry points. The README's two commands are `make run` and `make test`.
BUILD_DIR   ?= build
ASAN_DIR    ?= build-asan
DATA_DIR    ?= ./stratadb-data
PORT        ?= 3306
ADMIN_PORT  ?= 8080
JOBS        ?= $(shell nproc)
CTEST_ARGS  ?=

.PHONY: setup configure build run test test-fast test-asan build-asan soak bench format clean

setup:
	@bash scripts/setup.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: $(BUILD_DIR)/build.ninja

build: setup configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/stratadb start --data-dir $(DATA_DIR) --port $(PORT) --admin-port $(ADMIN_PORT)

# Every label at CI-sized counts, then the unit and model tests again under ASan+UBSan.
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)
	$(MAKE) test-asan

test-fast: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L unit

$(ASAN_DIR)/build.ninja:
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSTRATA_SANITIZE=ON

build-asan: setup $(ASAN_DIR)/build.ninja
	cmake --build $(ASAN_DIR) -j $(JOBS)

test-asan: build-asan
	cd $(ASAN_DIR) && ctest --output-on-failure -j $(JOBS) -L 'unit|model'

# Long variants (many seeds, many kill cycles); not part of `make test`.
soak: build
	cd $(BUILD_DIR) && STRATA_SOAK=1 ctest --output-on-failure -j $(JOBS) -L 'unit|sim|crash|process'

bench: build
	cmake --build $(BUILD_DIR) --target benchmarks -j $(JOBS)

format:
	git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
