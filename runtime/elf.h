// The few ELF64 structures the runtime reads in memory (the System V gABI's Elf64_Ehdr,
// Elf64_Phdr, Elf64_Dyn and Elf64_Sym, without libc's <elf.h>): the vDSO's symbol table
// (runtime/vdso.cpp) and the program's own writable segments, which the collector scans as
// roots (runtime/collector.cpp). Plain layouts, read-only; nothing here allocates.
#pragma once
#include <stdint.h>

namespace gort::elf {

struct Header {  // Elf64_Ehdr
  uint8_t ident[16];
  uint16_t type, machine;
  uint32_t version;
  uint64_t entry, phoff, shoff;
  uint32_t flags;
  uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct ProgramHeader {  // Elf64_Phdr
  uint32_t type, flags;
  uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct Dynamic {  // Elf64_Dyn
  int64_t tag;
  uint64_t value;
};

struct Symbol {  // Elf64_Sym
  uint32_t name;
  uint8_t info, other;
  uint16_t section;
  uint64_t value, size;
};

constexpr uint32_t PT_LOAD = 1, PT_DYNAMIC = 2;  // ProgramHeader::type
constexpr uint32_t PF_W = 2;                     // ProgramHeader::flags: writable
constexpr int64_t DT_NULL = 0, DT_HASH = 4, DT_STRTAB = 5, DT_SYMTAB = 6;  // Dynamic::tag

// The i-th program header of the image whose ELF header is at `header` (in memory, as the
// loader or the kernel mapped it).
inline const ProgramHeader* program_header(const Header* header, uint16_t i) {
  auto base = reinterpret_cast<uintptr_t>(header);
  return reinterpret_cast<const ProgramHeader*>(base + header->phoff + uintptr_t(i) * header->phentsize);
}

}  // namespace gort::elf
