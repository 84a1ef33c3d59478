#ifndef AMANAT_FUZZ_LIBFUZZER_H
#define AMANAT_FUZZ_LIBFUZZER_H
// libFuzzer's own mutator, for targets that define LLVMFuzzerCustomMutator (libFuzzer links it in).
#include <stddef.h>
#include <stdint.h>

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t maxSize);
#endif
