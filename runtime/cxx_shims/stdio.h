// <stdio.h> in a gort program: the declarations stay (libstdc++'s <string> includes it for
// std::to_string), but every use of C's stream I/O is a compile-time error naming gort's
// alternative, instead of an undefined reference at link time. See docs/06-cxx.md.
#include_next <stdio.h>

#ifndef GORT_CXX_SHIMS_STDIO
#define GORT_CXX_SHIMS_STDIO
#define GORT_NO_STDIO __attribute__((unavailable("C stdio is not available in gort programs: print with gort::fmt::println / gort::fmt::print (stdout) or gort::println (stderr); read and write files with gort::os::read / gort::os::write")))
extern "C" {
int printf(const char*, ...) GORT_NO_STDIO;
int fprintf(FILE*, const char*, ...) GORT_NO_STDIO;
int vprintf(const char*, __gnuc_va_list) GORT_NO_STDIO;
int vfprintf(FILE*, const char*, __gnuc_va_list) GORT_NO_STDIO;
int puts(const char*) GORT_NO_STDIO;
int fputs(const char*, FILE*) GORT_NO_STDIO;
int putchar(int) GORT_NO_STDIO;
int fputc(int, FILE*) GORT_NO_STDIO;
int putc(int, FILE*) GORT_NO_STDIO;
FILE* fopen(const char*, const char*) GORT_NO_STDIO;
int fclose(FILE*) GORT_NO_STDIO;
size_t fread(void*, size_t, size_t, FILE*) GORT_NO_STDIO;
size_t fwrite(const void*, size_t, size_t, FILE*) GORT_NO_STDIO;
char* fgets(char*, int, FILE*) GORT_NO_STDIO;
int getchar() GORT_NO_STDIO;
int fgetc(FILE*) GORT_NO_STDIO;
int scanf(const char*, ...) GORT_NO_STDIO;
int fscanf(FILE*, const char*, ...) GORT_NO_STDIO;
int sscanf(const char*, const char*, ...) GORT_NO_STDIO;
int sprintf(char*, const char*, ...) GORT_NO_STDIO;
int snprintf(char*, size_t, const char*, ...) GORT_NO_STDIO;
int fflush(FILE*) GORT_NO_STDIO;
void perror(const char*) GORT_NO_STDIO;
}
#undef GORT_NO_STDIO
#endif
