// Hosted unit tests of the allocator's pure parts: the generated size-class table
// (build/gen/size_classes.h, from tools/size_classes.cpp) and the span slot bitmap
// (runtime/span.h). The allocator itself is tested through tests/progs/allocator.cpp.
#include <catch2/catch.hpp>

#include <set>

#include "../../runtime/span.h"
#include "size_classes.h"

using namespace gort;
using namespace gort::size_classes;

TEST_CASE("size classes: increasing, aligned, bounded waste, fit a span bitmap", "[allocator][units]") {
  REQUIRE(count >= 40);
  REQUIRE(class_size[0] == 0);
  REQUIRE(class_size[1] == 8);
  REQUIRE(class_size[count - 1] == max_small_size);
  for (uint32_t c = 1; c < count; c++) {
    INFO("class " << c << " size " << class_size[c]);
    if (c > 1) CHECK(class_size[c] > class_size[c - 1]);
    // 24 is the one class of only 8-byte alignment above 8 (for collected objects that need
    // no more: class_for_8_aligned); every other is 16-aligned, malloc's and new's promise.
    CHECK(class_size[c] % (class_size[c] > 8 && class_size[c] != 24 ? 16 : 8) == 0);
    uint32_t span_bytes = class_pages[c] * page_size;
    CHECK(class_objects[c] == span_bytes / class_size[c]);
    CHECK(class_objects[c] <= max_objects_per_span);
    CHECK(span_bytes % class_size[c] <= span_bytes / 8);  // tail waste at most 1/8 of the span
    CHECK(class_pages[c] <= 8);
  }
}

// The smallest class that holds `size` and is aligned enough: every class for objects that
// need 8 bytes (collected ones of a type with alignof <= 8), 16-aligned ones above 8 bytes for
// malloc and new.
static uint32_t smallest_class(uint32_t size, bool eight_aligned_suffices) {
  for (uint32_t c = 1; c < count; c++)
    if (class_size[c] >= size && (eight_aligned_suffices || class_size[c] <= 8 || class_size[c] % 16 == 0)) return c;
  return 0;
}

TEST_CASE("size classes: every request size maps to the smallest class that holds it", "[allocator][units]") {
  uint32_t worst_percent = 0;
  for (uint32_t size = 1; size <= max_small_size; size++) {
    INFO("size " << size);
    uint32_t c = class_for(size);
    REQUIRE(c >= 1);
    REQUIRE(c < count);
    REQUIRE(class_size[c] >= size);
    REQUIRE(c == smallest_class(size, false));
    if (size > 8) REQUIRE(class_size[c] % 16 == 0);  // malloc's and new's alignment
    uint32_t c8 = class_for_8_aligned(size);
    REQUIRE(c8 == smallest_class(size, true));
    REQUIRE(class_size[c8 - 1] < size);  // the next smaller class would not hold it
    if (size >= 128) worst_percent = std::max(worst_percent, (class_size[c] - size) * 100 / class_size[c]);
  }
  CHECK(class_size[class_for(24)] == 32);
  CHECK(class_size[class_for_8_aligned(24)] == 24);
  INFO("worst rounding waste for requests of 128 bytes and more: " << worst_percent << "%");
  CHECK(worst_percent <= 25);
}

TEST_CASE("size classes: the reciprocal divides every offset in a span exactly", "[allocator][units]") {
  for (uint32_t c = 1; c < count; c++) {
    uint64_t span_bytes = uint64_t(class_pages[c]) * page_size;
    for (uint64_t offset = 0; offset < span_bytes; offset++) {
      if (((offset * class_reciprocal[c]) >> 32) != offset / class_size[c]) {
        FAIL("class " << c << " offset " << offset);
      }
    }
  }
}

TEST_CASE("size classes: the divisibility constant finds exactly the object starts", "[allocator][units]") {
  for (uint32_t c = 1; c < count; c++) {
    uint64_t span_bytes = uint64_t(class_pages[c]) * page_size;
    for (uint64_t offset = 0; offset < span_bytes; offset++) {
      bool start = uint64_t(offset * class_divisibility[c]) < class_divisibility[c];
      if (start != (offset % class_size[c] == 0)) {
        FAIL("class " << c << " offset " << offset);
      }
    }
  }
}

namespace {

Span make_span(uint32_t objects) {
  Span s{};
  s.start = 0x100000;
  s.object_size = 16;
  s.object_count = objects;
  load_window(&s, 0);
  return s;
}

uint32_t index_of(const Span& s, void* p) { return uint32_t((reinterpret_cast<uintptr_t>(p) - s.start) / s.object_size); }

}  // namespace

TEST_CASE("span bitmap: hands out every slot once, then reports exhaustion", "[allocator][units]") {
  for (uint32_t objects : {1u, 63u, 64u, 65u, 200u, 1024u}) {
    Span s = make_span(objects);
    std::set<uint32_t> seen;
    for (uint32_t i = 0; i < objects; i++) {
      void* p = take_slot(&s);
      REQUIRE(p != nullptr);
      REQUIRE(seen.insert(index_of(s, p)).second);
    }
    CHECK(take_slot(&s) == nullptr);
    CHECK(s.allocated == objects);
    CHECK(*seen.rbegin() == objects - 1);
  }
}

TEST_CASE("span bitmap: an owner's free is reusable at once; a double free is refused", "[allocator][units]") {
  Span s = make_span(200);
  void* slots[200];
  for (auto& p : slots) p = take_slot(&s);
  REQUIRE(take_slot(&s) == nullptr);
  REQUIRE(owner_free_slot(&s, 5));
  CHECK_FALSE(owner_free_slot(&s, 5));
  REQUIRE(owner_free_slot(&s, 150));
  void* again = take_slot(&s);
  CHECK(index_of(s, again) == 5);  // the lowest freed slot comes back first
  CHECK(index_of(s, take_slot(&s)) == 150);
  CHECK(take_slot(&s) == nullptr);
}

TEST_CASE("span bitmap: remote frees are folded in by merge", "[allocator][units]") {
  Span s = make_span(130);
  for (int i = 0; i < 130; i++) take_slot(&s);
  REQUIRE(remote_free_slot(&s, 3));
  REQUIRE(remote_free_slot(&s, 129));
  CHECK_FALSE(remote_free_slot(&s, 3));  // twice
  CHECK(take_slot(&s) == nullptr);       // not visible until merged
  CHECK(merge_remote_frees(&s) == 2);
  CHECK(s.allocated == 128);
  load_window(&s, 0);
  CHECK(index_of(s, take_slot(&s)) == 3);
  CHECK(index_of(s, take_slot(&s)) == 129);
  CHECK(take_slot(&s) == nullptr);
  CHECK(merge_remote_frees(&s) == 0);
}
