// CRC-32C (Castagnoli), the checksum of every index file (docs/FORMAT.md).
#ifndef BIGRAMSEARCH_CCHECKSUM_H
#define BIGRAMSEARCH_CCHECKSUM_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif
/// Continues a CRC-32C over `length` bytes at `data`; start with crc = 0.
/// Uses the SSE4.2 instruction when the CPU has it, else a table.
uint32_t bs_crc32c(uint32_t crc, const void *_Nullable data, size_t length);
#ifdef __cplusplus
}
#endif
#endif
