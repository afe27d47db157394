# StrataDB developer entry points. The README's two commands are `make run` and `make test`.
BUILD_DIR   ?= build
ASAN_DIR    ?= build-asan
TSAN_DIR    ?= build-tsan
FUZZ_DIR    ?= build-fuzz
DATA_DIR    ?= ./stratadb-data
PORT        ?= 3306
ADMIN_PORT  ?= 8080
JOBS        ?= $(shell nproc)
CTEST_ARGS  ?=
# Seconds each libFuzzer target runs in `make test` (tests/fuzz/run_fuzz.sh).
FUZZ_SECONDS ?= 30
export JOBS CTEST_ARGS

# Labels each tree runs. The sanitizer trees build only the binaries those labels need
# (targets tests_<label>, tests/CMakeLists.txt), never the benchmarks.
ASAN_LABELS := unit model process crash cluster
TSAN_LABELS := unit process crash cluster
empty :=
space := $(empty) $(empty)
# Anchored: ctest -L matches a regular expression, and `cluster` must not select
# `cluster-faults`.
label_regex = ^($(subst $(space),|,$(strip $(1))))$$
label_targets = $(addprefix tests_,$(1))

.PHONY: setup setup-server configure build build-server run test test-release test-fast test-asan build-asan \
        test-tsan build-tsan test-fuzz build-fuzz soak cluster-faults-soak conformance bench format clean

setup:
	@bash scripts/setup.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: $(BUILD_DIR)/build.ninja

build: setup configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Only the server binary: a fresh machine serves in minutes, not after every test target.
setup-server:
	@bash scripts/setup.sh server

build-server: setup-server configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target stratadb

run: build-server
	$(BUILD_DIR)/stratadb start --data-dir $(DATA_DIR) --port $(PORT) --admin-port $(ADMIN_PORT)

# What CI runs (.ci/run). Each step is one checked ctest run (scripts/run_ctest.sh:
# --no-tests=error, unlisted skips and sanitizer reports fail it):
#   1. release build: every label at CI-sized counts;
#   2. ASan+UBSan:    unit, model, process, crash and cluster;
#   3. TSan:          unit, process, crash and cluster;
#   4. libFuzzer:     every fuzz target for FUZZ_SECONDS from its repo corpus.
# One after the other (also under make -j): each step builds its own tree with every core.
test:
	$(MAKE) test-release
	$(MAKE) test-asan
	$(MAKE) test-tsan
	$(MAKE) test-fuzz

test-release: build
	scripts/run_ctest.sh $(BUILD_DIR)

test-fast: build
	scripts/run_ctest.sh $(BUILD_DIR) unit

# ASan + UBSan (g++, Debug).
$(ASAN_DIR)/build.ninja:
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSTRATA_SANITIZE=ON

build-asan: setup $(ASAN_DIR)/build.ninja
	cmake --build $(ASAN_DIR) -j $(JOBS) --target $(call label_targets,$(ASAN_LABELS))

test-asan: build-asan
	scripts/run_ctest.sh $(ASAN_DIR) '$(call label_regex,$(ASAN_LABELS))'

# ThreadSanitizer (g++, RelWithDebInfo: TSan at -O0 is too slow for the process tests).
$(TSAN_DIR)/build.ninja:
	cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRATA_SANITIZE=thread

build-tsan: setup $(TSAN_DIR)/build.ninja
	cmake --build $(TSAN_DIR) -j $(JOBS) --target $(call label_targets,$(TSAN_LABELS))

test-tsan: build-tsan
	scripts/run_ctest.sh $(TSAN_DIR) '$(call label_regex,$(TSAN_LABELS))'

# libFuzzer targets (clang, coverage + ASan + UBSan), tests/fuzz/.
$(FUZZ_DIR)/build.ninja:
	cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++ -DSTRATA_FUZZ=ON

build-fuzz: setup $(FUZZ_DIR)/build.ninja
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target tests_fuzz

# Each target is one single-threaded process: JOBS of them fuzz at once.
test-fuzz: build-fuzz
	STRATA_FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/run_ctest.sh $(FUZZ_DIR) fuzz

# Long variants (many seeds, many kill cycles); not part of `make test`.
soak: build
	cd $(BUILD_DIR) && STRATA_SOAK=1 ctest --output-on-failure -j $(JOBS) -L '^(unit|sim|crash|process)$$'

# The cluster fault harness for FAULTS_SECONDS (default 20 minutes) of faults, every nemesis;
# the history lands in FAULTS_OUT. Not part of `make test` (CI runs 75 s of it).
FAULTS_SECONDS ?= 1200
FAULTS_OUT     ?= $(BUILD_DIR)/cluster-faults-soak
FAULTS_NODES   ?= 3
cluster-faults-soak: build
	STRATADB_BIN=$(BUILD_DIR)/stratadb /usr/bin/python3 tests/cluster_faults/cluster_faults.py \
	  --duration $(FAULTS_SECONDS) --nodes $(FAULTS_NODES) --out $(FAULTS_OUT)

# sqllogictest: any directory or file (default: the whole external corpus), per-file
# run/passed/failed/skipped and a total; exits non-zero when a record fails
# (tests/sqllogic/). PEER=mariadb runs the same files against a throwaway MariaDB.
SLT  ?= ../shared/conformance/slt
PEER ?=
conformance: build
	STRATADB_BIN=$(BUILD_DIR)/stratadb SLT_RUNNER_BIN=$(BUILD_DIR)/tests/sqllogic/slt_runner \
	  /usr/bin/python3 tests/sqllogic/run_slt.py $(if $(PEER),--peer $(PEER)) \
	  --root $(if $(wildcard $(SLT)/.),$(SLT),$(dir $(SLT))) $(SLT)

bench: build
	cmake --build $(BUILD_DIR) --target benchmarks -j $(JOBS)

format:
	git ls-files '*.h' '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR) $(FUZZ_DIR)
