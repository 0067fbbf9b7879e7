# gort: a freestanding Go-style runtime for x86-64 Linux.
#
#   make            build the runtime library, the examples and the test programs
#   make demo       build and run the hello example
#   make test       build everything and run the Catch2 harness (tests/harness)
#   make bench      run every benchmark on gort and on Go; writes docs/benchmarks.md
#   make bench-quick  the same in about a minute (fewer runs, smaller sizes)
#   make bench BENCH_ONLY=trees   only the workloads whose label or program names "trees"
#   make stack-report  worst-case stack use of each runtime entry point (tools/stack-check)
#   make disasm     annotated disassembly and a symbol list of the hello example, for study
#   make clean      remove build/
#
#   make install PREFIX=dir / make uninstall PREFIX=dir   the driver, library, headers, pkg-config, CMake
#
# A user program is built with the driver, tools/gort (tools/gort-build is a wrapper for it),
# which reads the flags this file writes to build/gort-flags.sh: they live in this file only.

CXX       := clang++
NASM      := nasm
LD        := ld
AR        := ar
BUILD     := build

# Freestanding C++ for the runtime and for user programs: no libc, no C++ runtime library,
# no exceptions or RTTI. -fno-stack-protector because the canary would live at fs:0x28,
# which is our thread-local block. Frame pointers stay on: crash reports walk them.
# User programs are compiled the same way except for -ffreestanding, which would make `main`
# an ordinary (mangled) function; -fno-math-errno keeps math inline instead of calling libm.
# Lock checks (runtime/lock_rank.h) come in two variants, each a directory holding a
# lock_checks.h: the release build only counts the runtime locks a thread holds; the debug
# build (build/debug/) also checks the rank of every acquisition. An -I chooses: the debug
# rules put theirs first, so it wins over this default.
LOCK_CHECKS       := -Iruntime/checks/release
DEBUG_LOCK_CHECKS := -Iruntime/checks/debug

NO_LIBC_CXXFLAGS := -std=c++20 -O2 -nostdlib -fno-exceptions -fno-rtti \
    -fno-stack-protector -fno-pic -fno-pie -fno-omit-frame-pointer -fcf-protection=none \
    -fno-asynchronous-unwind-tables -ffunction-sections -fdata-sections -fno-math-errno \
    -fno-stack-clash-protection
RUNTIME_CXXFLAGS := $(NO_LIBC_CXXFLAGS) -ffreestanding -Wall -Wextra -Werror -I$(BUILD)/gen $(LOCK_CHECKS)
# gort's own headers are reached with -iquote only ("gort.h"), so runtime/time.h or
# runtime/syscall.h never stand in for <time.h> or <syscall.h> inside the C++ library's
# headers; runtime/cxx_shims stands in front of the headers that cannot work in a gort program
# (<iostream>, <thread>, ...) so that including one is an error naming gort's alternative.
USER_CXXFLAGS    := $(NO_LIBC_CXXFLAGS) -Wall -iquote runtime -iquote $(BUILD)/gen -Iruntime/cxx_shims $(LOCK_CHECKS)
# -fstack-usage writes x.su next to each x.o: every function's frame size, which
# tools/stack-check adds up along the call graph (docs/03-stacks.md, "What the build checks").
STACK_USAGE      := -fstack-usage
NASMFLAGS        := -f elf64 -I$(BUILD)/gen/
# Static, no interpreter, no libc; drop unused sections; 4 KiB segment alignment keeps
# small binaries small. -z noseparate-code puts the ELF headers, code and read-only data in
# one read+execute segment, as linkers did before binutils 2.31, instead of three segments
# each padded to a page in the file: that padding was 4-8 KiB of a 60 KiB hello world, and it
# made the size jump by a page whenever code or constants crossed a boundary. The cost:
# constants are mapped executable (more gadgets for an exploit to choose from).
# -z start-stop-gc: a reference to __start_gort_barrier_ranges (the write barrier's table of
# sites, runtime/barrier.h) does not keep every entry, and so every function with a barrier,
# alive; each entry goes with its function instead.
LINK_FLAGS       := -static -nostdlib --gc-sections -z noexecstack -z max-page-size=4096 -z noseparate-code \
                    -z start-stop-gc -e _start -u _start
LDFLAGS          := $(LINK_FLAGS) -T tools/gort.ld

# Hosted C++ for the test harness (it is an ordinary Linux program using Catch2).
HOSTED_CXXFLAGS := -std=c++17 -O1 -Wall -Wextra

RUNTIME_SRCS := $(wildcard runtime/*.cpp)
ASM_SRCS     := $(wildcard asm/*.asm)
RUNTIME_OBJS := $(RUNTIME_SRCS:%.cpp=$(BUILD)/%.o) $(ASM_SRCS:%.asm=$(BUILD)/%.o)
LIBGORT      := $(BUILD)/libgort.a
GORT_FLAGS   := $(BUILD)/gort-flags.sh
STACK_TABLE  := $(BUILD)/gen/runtime-stack.tsv
STACK_PLANTED := $(BUILD)/stack-planted/runtime_over_budget.o $(BUILD)/stack-planted/user_over_budget.o \
                 $(BUILD)/stack-planted/user_library.o

EXAMPLES     := $(patsubst examples/%.cpp,$(BUILD)/examples/%,$(wildcard examples/*.cpp))
TEST_PROGS   := $(patsubst tests/progs/%.cpp,$(BUILD)/tests/%,$(wildcard tests/progs/*.cpp))
HARNESS_SRCS := $(wildcard tests/harness/*.cpp)
BENCH_GORT   := $(patsubst tests/bench/%.cpp,$(BUILD)/bench/gort/%,$(filter-out tests/bench/malloc_c.cpp,$(wildcard tests/bench/*.cpp)))
# The allocator benchmark's hosted twin, once per C allocator and the library it links.
MALLOC_VARIANTS := glibc jemalloc mimalloc tcmalloc
malloc_lib_glibc    :=
malloc_lib_jemalloc := -ljemalloc
malloc_lib_mimalloc := -lmimalloc
malloc_lib_tcmalloc := -ltcmalloc_minimal
BENCH_C      := $(MALLOC_VARIANTS:%=$(BUILD)/bench/c/malloc-%)
# tests/bench/pauses.go is not a twin: the collector twins (GC_GO_TWINS) are built with it.
GO_PAUSES    := tests/bench/pauses.go
GC_GO_TWINS  := $(BUILD)/bench/go/binary_trees $(BUILD)/bench/go/gcbench $(BUILD)/bench/go/gc_pauses
BENCH_GO     := $(patsubst tests/bench/%.go,$(BUILD)/bench/go/%,$(filter-out $(GO_PAUSES),$(wildcard tests/bench/*.go)))
# The collector benchmarks' third twins, on Boehm's collector (tests/bench/NAME_boehm.c):
# built by `make bench` only, so `make test` needs no libgc (deps-bench installs it).
BENCH_BOEHM  := $(patsubst tests/bench/%_boehm.c,$(BUILD)/bench/boehm/%,$(wildcard tests/bench/*_boehm.c))
HARNESS      := $(BUILD)/tests/harness
# The debug build: the same runtime with rank-checked locks, and the test programs that
# `make test` also runs under it.
DEBUG_LIBGORT     := $(BUILD)/debug/libgort.a
DEBUG_RUNTIME_OBJS := $(RUNTIME_SRCS:%.cpp=$(BUILD)/debug/%.o) $(BUILD)/debug/runtime/checks/debug/lock_checks.o \
                      $(ASM_SRCS:%.asm=$(BUILD)/%.o)
DEBUG_TEST_PROGS  := $(BUILD)/debug/tests/scheduler $(BUILD)/debug/tests/channels $(BUILD)/debug/tests/threads \
                     $(BUILD)/debug/tests/collector $(BUILD)/debug/tests/gc_channels $(BUILD)/debug/tests/gc_torture \
                     $(BUILD)/debug/tests/gc_final $(BUILD)/debug/tests/gc_sweep $(BUILD)/debug/tests/gc_barrier \
                     $(BUILD)/debug/tests/gc_mark $(BUILD)/debug/tests/gc_vector

# `make V=1` shows each command; by default one short line per file.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @echo "  $(1)	$(2)"
endif

.PHONY: all deps demo test disasm clean bench bench-quick bench-programs library install uninstall stack-report
all: $(LIBGORT) $(GORT_FLAGS) $(STACK_TABLE) $(EXAMPLES) $(TEST_PROGS) $(HARNESS) bench-programs $(DEBUG_TEST_PROGS) \
     $(STACK_PLANTED)

# Install the Debian packages each kind of target needs, when missing (tools/install-deps.sh):
# deps for the runtime and the examples, deps-test for the harness and the benchmark programs
# (make test smoke-tests them), deps-bench for the benchmark runner.
.PHONY: deps-test deps-bench
deps:
	@tools/install-deps.sh demo
deps-test: deps
	@tools/install-deps.sh test
deps-bench: deps-test
	@tools/install-deps.sh bench

$(BUILD)/gen/offsets.inc: tools/asm_offsets.cpp tools/gen_offsets.sh runtime/*.h arch/amd64/*.h $(BUILD)/gen/size_classes.h | deps
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)$(CXX) $(RUNTIME_CXXFLAGS) -S -o $(BUILD)/gen/asm_offsets.s $<
	$(Q)tools/gen_offsets.sh $(BUILD)/gen/asm_offsets.s > $@

# The size-class table is generated by a host program (tools/size_classes.cpp).
$(BUILD)/gen/size_classes.h: tools/size_classes.cpp | deps
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)$(CXX) -std=c++17 -O1 -o $(BUILD)/gen/size_classes $<
	$(Q)$(BUILD)/gen/size_classes > $@

# malloc/free/new/delete fast paths are leaves (their slow paths are tail calls): without a
# frame of their own they lose nothing in a crash report and save two instructions a call.
$(BUILD)/runtime/malloc.o $(BUILD)/runtime/malloc.su $(BUILD)/debug/runtime/malloc.o: EXTRA_CXXFLAGS := -momit-leaf-frame-pointer

# Code that runs once (start-up, GODEBUG and the environment, the vDSO lookup, the cgroup
# limit) or only on the way out (fatal errors, signal reports, schedtrace), and print's
# formatting, which ends in a write system call, are compiled for size: -Os takes 2.6 KB off
# every program (hello: 69.8 -> 67.2 KB, 2026-12-02) and none of it is on a measured path.
COLD_RUNTIME := environment fatal godebug memory_limit print schedtrace signals start vdso
$(foreach f,$(COLD_RUNTIME),$(BUILD)/runtime/$(f).o $(BUILD)/runtime/$(f).su $(BUILD)/debug/runtime/$(f).o): EXTRA_CXXFLAGS := -Os

# One compile writes both x.o and x.su (a build from before -fstack-usage lacks the .su).
$(BUILD)/runtime/%.o $(BUILD)/runtime/%.su: runtime/%.cpp | deps $(BUILD)/gen/size_classes.h
	@mkdir -p $(dir $@)
	$(call say,CXX,$<)
	$(Q)$(CXX) $(RUNTIME_CXXFLAGS) $(EXTRA_CXXFLAGS) $(STACK_USAGE) -MMD -MP -c -o $(BUILD)/runtime/$*.o $<

$(BUILD)/asm/%.o: asm/%.asm $(BUILD)/gen/offsets.inc | deps
	@mkdir -p $(dir $@)
	$(call say,NASM,$<)
	$(Q)$(NASM) $(NASMFLAGS) -o $@ $<

# The out-of-line half of the C++ containers, taken from the compiler's own libstdc++.a so it
# matches the headers programs compile against: red-black tree rebalancing (map, set), list
# hooks, the hash tables' prime rehash policy and std::_Hash_bytes (unordered_*, std::hash).
# These four members need nothing from libc; what else the headers expect (the __throw_*
# functions, __libc_single_threaded) is in runtime/cxx_library.cpp. See docs/06-cxx.md.
LIBSTDCXX_A       := $(shell $(CXX) -print-file-name=libstdc++.a 2>/dev/null)
LIBSTDCXX_MEMBERS := tree.o list.o hashtable_c++0x.o hash_bytes.o
LIBSTDCXX_OBJS    := $(LIBSTDCXX_MEMBERS:%=$(BUILD)/libstdcxx/%)

$(LIBSTDCXX_OBJS) &: | deps
	@mkdir -p $(BUILD)/libstdcxx
	$(call say,AR x,$(LIBSTDCXX_A))
	$(Q)[ -f "$(LIBSTDCXX_A)" ] || { echo "gort: $(CXX) has no libstdc++.a (apt-get install libstdc++-12-dev)" >&2; exit 1; }
	$(Q)cd $(BUILD)/libstdcxx && $(AR) x $(LIBSTDCXX_A) $(LIBSTDCXX_MEMBERS)

$(LIBGORT): $(RUNTIME_OBJS) $(LIBSTDCXX_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)$(AR) rcs $@ $^

$(BUILD)/debug/%.o: %.cpp | deps $(BUILD)/gen/size_classes.h
	@mkdir -p $(dir $@)
	$(call say,CXX,$< (debug))
	$(Q)$(CXX) $(DEBUG_LOCK_CHECKS) $(RUNTIME_CXXFLAGS) $(EXTRA_CXXFLAGS) -MMD -MP -c -o $@ $<

$(DEBUG_LIBGORT): $(DEBUG_RUNTIME_OBJS)
	@rm -f $@
	$(call say,AR,$@)
	$(Q)$(AR) rcs $@ $^

$(BUILD)/debug/tests/%: tests/progs/%.cpp $(DEBUG_LIBGORT)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CXX) $(DEBUG_LOCK_CHECKS) $(USER_CXXFLAGS) -MMD -MP -MT $@ -MF $@.d -c -o $@.o $<
	$(Q)$(LD) $(LDFLAGS) -o $@ $@.o $(DEBUG_LIBGORT)

# The runtime keeps its own stack budget: tools/stack-check adds the frame sizes along the
# call graph and fails the build when a runtime entry point can use more than the reserve on
# a goroutine's stack. The table it writes tells user builds what each runtime call costs.
$(STACK_TABLE): $(RUNTIME_OBJS) $(RUNTIME_SRCS:%.cpp=$(BUILD)/%.su) tools/stack-check
	$(call say,STACK,$@)
	$(Q)tools/stack-check --runtime --table $@ $(RUNTIME_OBJS) > $(BUILD)/stack-report.txt || \
	    { cat $(BUILD)/stack-report.txt; exit 1; }

stack-report: $(STACK_TABLE)
	@cat $(BUILD)/stack-report.txt

# Planted budget violations the tests run tools/stack-check on (tests/stack/): one
# over-budget runtime function, one user object with each kind of user warning, one user
# object calling the C++ library's recursive algorithms with and without GORT_STACK_RESERVE.
$(BUILD)/stack-planted/runtime_over_budget.o: tests/stack/runtime_over_budget.cpp | deps
	@mkdir -p $(dir $@)
	$(call say,CXX,$<)
	$(Q)$(CXX) $(RUNTIME_CXXFLAGS) $(STACK_USAGE) -Iruntime -c -o $@ $<

$(BUILD)/stack-planted/user_over_budget.o: tests/stack/user_over_budget.cpp $(LIBGORT) | deps
	@mkdir -p $(dir $@)
	$(call say,CXX,$<)
	$(Q)$(CXX) $(USER_CXXFLAGS) $(STACK_USAGE) -c -o $@ $<

$(BUILD)/stack-planted/user_library.o: tests/stack/user_library.cpp $(LIBGORT) | deps
	@mkdir -p $(dir $@)
	$(call say,CXX,$<)
	$(Q)$(CXX) $(USER_CXXFLAGS) $(STACK_USAGE) -c -o $@ $<

# One user program: compile with the user flags, link against libgort.a. The dependency file
# names the program itself (-MT) as the target, so editing any header it includes relinks it.
define link_program
	@mkdir -p $(dir $(2))
	$(call say,LINK,$(2))
	$(Q)$(CXX) $(USER_CXXFLAGS) $(STACK_USAGE) -MMD -MP -MT $(2) -MF $(2).d -c -o $(2).o $(1)
	$(Q)$(LD) $(LDFLAGS) -o $(2) $(2).o $(LIBGORT)
	$(Q)tools/trim-symbols $(2)
endef

$(BUILD)/examples/%: examples/%.cpp $(LIBGORT)
	$(call link_program,$<,$@)
# Examples built before they moved from tests/examples/ to examples/ name the old source in
# their dependency files; this empty rule lets make rebuild them instead of stopping.
tests/examples/%.cpp: ;

$(BUILD)/tests/%: tests/progs/%.cpp $(LIBGORT)
	$(call link_program,$<,$@)

# Benchmarks: each tests/bench/NAME.cpp has a Go twin NAME.go (tools/bench.py runs both).
$(BUILD)/bench/gort/%: tests/bench/%.cpp $(LIBGORT)
	$(call link_program,$<,$@)

$(BUILD)/bench/go/%: tests/bench/%.go | deps-test
	@mkdir -p $(dir $@)
	$(call say,GO,$<)
	$(Q)cd $(BUILD) && GOCACHE=$(CURDIR)/$(BUILD)/gocache GO111MODULE=off go build -o $(CURDIR)/$@ $(CURDIR)/$< \
	  $(if $(filter $(GO_PAUSES),$^),$(CURDIR)/$(GO_PAUSES))
$(GC_GO_TWINS): $(GO_PAUSES)

$(BUILD)/bench/c/malloc-%: tests/bench/malloc_c.cpp tests/bench/malloc_workload.h | deps-test
	@mkdir -p $(dir $@)
	$(call say,CXX,$@)
	$(Q)$(CXX) -std=c++17 -O2 -fno-builtin-malloc -fno-builtin-free -o $@ $< $(malloc_lib_$*) -lpthread

$(BUILD)/bench/boehm/%: tests/bench/%_boehm.c tests/bench/boehm_pauses.h | deps-bench
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)clang -std=c11 -O2 -Wall -Wextra -pthread -o $@ $< -lgc

# The runner's launcher (tools/bench.py measures each program's peak RSS through it).
$(BUILD)/bench/peak_rss: tests/bench/peak_rss.c | deps-test
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)clang -std=c11 -O2 -Wall -Wextra -o $@ $<

bench-programs: $(BENCH_GORT) $(BENCH_GO) $(BENCH_C) $(BUILD)/bench/peak_rss

# What the driver (tools/gort) needs before it compiles a user program in this tree.
library: $(LIBGORT) $(GORT_FLAGS)

# The user-program flags above, written for the driver, `make install`, pkg-config and CMake:
# the Makefile stays the one place they are spelled. GORT_LINK_DRIVER_FLAGS is LINK_FLAGS in
# the form a compiler driver (clang++, CMake's link step) passes to ld.
comma := ,
GORT_VERSION := 0.1
# One -Wl, word: CMake removes repeated link options, which would break "-Wl,-z -Wl,...".
empty :=
space := $(empty) $(empty)
GORT_LINK_DRIVER_FLAGS := -static -nostdlib -Wl,$(subst $(space),$(comma),$(strip $(filter-out -static -nostdlib,$(LINK_FLAGS))))
$(GORT_FLAGS): Makefile
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)printf "%s\n" "# gort's compiler and linker flags (generated from the Makefile)" \
	  "GORT_VERSION='$(GORT_VERSION)'" "GORT_CXX='$(CXX)'" "GORT_LD='$(LD)'" \
	  "GORT_CXXFLAGS='$(NO_LIBC_CXXFLAGS) -Wall'" "GORT_LDFLAGS='$(LINK_FLAGS)'" \
	  "GORT_LINK_DRIVER_FLAGS='$(GORT_LINK_DRIVER_FLAGS)'" > $@

# --- make install PREFIX=... / make uninstall PREFIX=... ---
# bin/gort (the driver), lib/libgort.a, include/gort/ (gort.h and the headers it includes,
# plus cxx_shims/), lib/gort/ (linker script, flags), lib/pkgconfig/gort.pc and
# lib/cmake/gort/ (find_package(gort)). include/gort, lib/gort and lib/cmake/gort are gort's
# own folders: uninstall removes them whole. See docs/06-cxx.md.
PREFIX         ?= /usr/local
# gort.h and every gort header it includes, as the compiler finds them (a list kept by hand
# went stale when lock.h began to include lock_rank.h). Evaluated when install runs, after
# size_classes.h exists.
PUBLIC_HEADERS  = $(filter-out %:,$(subst \,,$(shell $(CXX) -std=c++20 -iquote runtime -iquote $(BUILD)/gen \
                    $(LOCK_CHECKS) -MM -x c++ runtime/gort.h)))
DEST           := $(DESTDIR)$(PREFIX)
install: $(LIBGORT) $(GORT_FLAGS) $(STACK_TABLE)
	$(call say,INSTALL,$(DEST))
	$(Q)install -d $(DEST)/bin $(DEST)/lib/gort $(DEST)/lib/pkgconfig $(DEST)/lib/cmake/gort $(DEST)/include/gort/cxx_shims
	$(Q)install -m 755 tools/gort $(DEST)/bin/gort
	$(Q)install -m 644 $(LIBGORT) $(DEST)/lib/libgort.a
	$(Q)install -m 644 $(PUBLIC_HEADERS) $(DEST)/include/gort/
	$(Q)install -m 644 runtime/cxx_shims/* $(DEST)/include/gort/cxx_shims/
	$(Q)install -m 644 tools/gort.ld $(GORT_FLAGS) $(STACK_TABLE) $(DEST)/lib/gort/
	$(Q)install -m 755 tools/stack-check tools/trim-symbols $(DEST)/lib/gort/
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(GORT_VERSION)|' \
	  -e 's|@CXXFLAGS@|$(NO_LIBC_CXXFLAGS) -Wall|' -e 's|@LINK_FLAGS@|$(GORT_LINK_DRIVER_FLAGS)|' \
	  tools/gort.pc.in > $(DEST)/lib/pkgconfig/gort.pc
	$(Q)sed -e 's|@VERSION@|$(GORT_VERSION)|' -e 's|@CXXFLAGS@|$(NO_LIBC_CXXFLAGS) -Wall|' \
	  -e 's|@LINK_FLAGS@|$(GORT_LINK_DRIVER_FLAGS)|' tools/gortConfig.cmake.in > $(DEST)/lib/cmake/gort/gortConfig.cmake
	$(Q)sed -e 's|@VERSION@|$(GORT_VERSION)|' tools/gortConfigVersion.cmake.in > $(DEST)/lib/cmake/gort/gortConfigVersion.cmake

uninstall:
	$(call say,UNINSTALL,$(DEST))
	$(Q)rm -f $(DEST)/bin/gort $(DEST)/lib/libgort.a $(DEST)/lib/pkgconfig/gort.pc
	$(Q)rm -rf $(DEST)/include/gort $(DEST)/lib/gort $(DEST)/lib/cmake/gort

$(BUILD)/harness/%.o: tests/harness/%.cpp | deps-test $(BUILD)/gen/size_classes.h
	@mkdir -p $(dir $@)
	$(call say,CXX,$<)
	$(Q)$(CXX) $(HOSTED_CXXFLAGS) -I$(BUILD)/gen -DGORT_ROOT='"$(CURDIR)"' -MMD -MP -c -o $@ $<

$(HARNESS): $(HARNESS_SRCS:tests/harness/%.cpp=$(BUILD)/harness/%.o)
	$(call say,LINK,$@)
	$(Q)$(CXX) -o $@ $^

demo: $(BUILD)/examples/hello
	$(BUILD)/examples/hello gopher

# Everything, then the scheduler, channel, thread and collector tests again with their programs built
# on the debug runtime (child_process.cpp reads GORT_TEST_BUILD).
test: all
	$(HARNESS)
	GORT_TEST_BUILD=debug $(HARNESS) "[scheduler],[channels],[threads],[collector]"

# BENCH_ONLY=WORD runs only the workloads whose label or program name contains WORD (see
# tools/bench.py --only), writing build/bench/benchmarks-only.md.
bench: bench-programs $(BENCH_BOEHM) | deps-bench
	python3 tools/bench.py $(if $(BENCH_ONLY),--only '$(BENCH_ONLY)')

bench-quick: bench-programs $(BENCH_BOEHM) | deps-bench
	python3 tools/bench.py --quick $(if $(BENCH_ONLY),--only '$(BENCH_ONLY)')

disasm: $(BUILD)/examples/hello
	objdump -d -M intel --no-show-raw-insn $< > $(BUILD)/hello.disasm
	nm -n -S $< > $(BUILD)/hello.symbols
	@echo "wrote $(BUILD)/hello.disasm and $(BUILD)/hello.symbols"

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
