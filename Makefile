# tensorgrad — plain GNU Makefile. Out-of-tree objects in build/ (or $(BUILD)).
#   make              library (static + shared), tests, examples, benchmarks
#   make test         quick suite (what CI and the README run)
#   make test-full    suite + ASan/UBSan build + valgrind memcheck
#   make parity       regenerate fixtures with Debian's python3-torch and compare live
#   make demo         the tutorial, cell by cell
#   make bench        benchmarks against libtorch and PyTorch
#   make install PREFIX=/usr/local
# Switches: DEBUG=1, SAN=address,undefined, WERROR=1, CC=clang
CC      ?= cc
CXX     ?= c++
PYTHON  ?= /usr/bin/python3
PREFIX  ?= /usr/local
BUILD   ?= build
VERSION := 0.1.0

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla \
           -Wpointer-arith -Wcast-qual -Wformat=2
CFLAGS  ?= -O2 -g
ALL_CFLAGS := -std=c11 $(CFLAGS) $(WARN) -fPIC -fvisibility=hidden -Iinclude -Isrc/core \
              -D_POSIX_C_SOURCE=200809L
LDLIBS  := -lm -lpthread
ifeq ($(DEBUG),1)
  ALL_CFLAGS += -O0 -DTG_DEBUG
endif
ifneq ($(SAN),)
  ALL_CFLAGS += -fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all -DTG_DEBUG
  LDFLAGS += -fsanitize=$(SAN)
endif
ifeq ($(WERROR),1)
  ALL_CFLAGS += -Werror
endif

LIB_SRC  := $(sort $(wildcard src/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
TEST_UTIL := $(BUILD)/tests/testutil.o
EX_SRC   := $(sort $(wildcard examples/*.c))
EX_BIN   := $(EX_SRC:examples/%.c=$(BUILD)/examples/%)
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
STATIC   := $(BUILD)/libtensorgrad.a
SHARED   := $(BUILD)/libtensorgrad.so

.SECONDARY:
.PHONY: all lib test test-full test-san test-valgrind parity demo bench install clean fixtures \
        check-cxx
all: lib $(TEST_BIN) $(EX_BIN) $(BENCH_BIN) check-cxx
lib: $(STATIC) $(SHARED)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(STATIC): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(CC) -shared $(LDFLAGS) -Wl,-soname,libtensorgrad.so.0 -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_UTIL) $(STATIC)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/examples/%: $(BUILD)/examples/%.o $(STATIC)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(STATIC)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The public header must compile as C++ too.
check-cxx: $(BUILD)/check_cxx.o
$(BUILD)/check_cxx.o: include/tensorgrad.h
	@mkdir -p $(BUILD)
	printf '#include "tensorgrad.h"\nint main(void){ tg_ctx *c = tg_ctx_new(); tg_ctx_free(c); return 0; }\n' \
	  | $(CXX) -x c++ -std=c++11 -Wall -Wextra -Werror -Iinclude -c - -o $@

test: $(TEST_BIN)
	@tools/run_tests.sh $(TEST_BIN)

test-san:
	$(MAKE) BUILD=build-san SAN=address,undefined test

test-valgrind: $(TEST_BIN)
	@tools/run_tests.sh --valgrind $(TEST_BIN)

test-full: test test-san test-valgrind

demo: $(BUILD)/examples/autograd_tour
	@$(BUILD)/examples/autograd_tour

fixtures:
	$(PYTHON) tools/gen_fixtures.py tests/fixtures

parity: $(TEST_BIN) $(BUILD)/examples/autograd_tour
	@tools/parity.sh $(BUILD)

# The libtorch twin of bench/overhead.c, built only for `make bench` and only when Debian's
# libtorch-dev is installed (run_bench.sh says it skipped it otherwise). -isystem keeps
# libtorch's own header warnings out of our -Wall -Wextra.
TORCH_INC  ?= /usr/include/torch/csrc/api/include
TORCH_LIBS ?= -ltorch -ltorch_cpu -lc10
LIBTORCH_BENCH := $(if $(wildcard $(TORCH_INC)/torch/torch.h),$(BUILD)/bench/overhead_libtorch)

$(BUILD)/bench/overhead_libtorch: bench/overhead_libtorch.cpp
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -O2 -Wall -Wextra -D_GLIBCXX_USE_CXX11_ABI=1 -isystem $(TORCH_INC) \
	  $< -o $@ $(TORCH_LIBS)

bench: $(BENCH_BIN) $(LIBTORCH_BENCH)
	@PYTHON=$(PYTHON) tools/run_bench.sh $(BUILD)

install: lib
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/tensorgrad.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/libtensorgrad.so.$(VERSION)
	ln -sf libtensorgrad.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libtensorgrad.so.0
	ln -sf libtensorgrad.so.0 $(DESTDIR)$(PREFIX)/lib/libtensorgrad.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' tools/tensorgrad.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/tensorgrad.pc

clean:
	rm -rf build build-san build-clang

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
