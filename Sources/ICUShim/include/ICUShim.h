// ICUShim: the project's only contact with ICU's C/C++ API.
//
// ICU renames its C symbols per version (ubrk_open -> ubrk_open_72) through macros Swift cannot
// import, and Foundation on Linux ships its own ICU headers that clash with the system's. So this
// header uses nothing but <stdint.h>/<stddef.h> types and opaque handles; ICU stays inside
// ICUShim.cpp. Every function is safe to call from any thread unless its comment says otherwise.
#ifndef BIGRAMSEARCH_ICUSHIM_H
#define BIGRAMSEARCH_ICUSHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An ICU word break iterator compiled from ICU's own word rules minus the CJK dictionary.
/// One handle must be used by one thread at a time; `bs_wordbreaker_clone` makes another.
typedef struct BSWordBreaker BSWordBreaker;

/// Compiles the dictionary-free word rules. Returns NULL on failure and writes a message to `err`.
BSWordBreaker *_Nullable bs_wordbreaker_create(char *_Nonnull err, size_t errCapacity);
/// Creates the ICU dictionary-based word iterator (slow; used for word-boundary ranking only).
BSWordBreaker *_Nullable bs_dictionary_wordbreaker_create(char *_Nonnull err, size_t errCapacity);
/// A copy usable on another thread. Returns NULL on failure.
BSWordBreaker *_Nullable bs_wordbreaker_clone(const BSWordBreaker *_Nonnull breaker);
void bs_wordbreaker_destroy(BSWordBreaker *_Nullable breaker);

/// Segments `text` (UTF-16, `length` units) and writes the word-like segments (rule status not
/// "none": letters, numbers, kana, ideographs) as UTF-16 offsets `starts[i] ..< ends[i]`.
/// `capacity` must be at least `length`. Returns the number of segments, or -1 on an ICU error.
int32_t bs_wordbreaker_words(BSWordBreaker *_Nonnull breaker, const uint16_t *_Nonnull text,
                             int32_t length, int32_t *_Nonnull starts, int32_t *_Nonnull ends,
                             int32_t capacity);

/// Writes every boundary of `text` (0 and `length` included). Returns the count, or -1 on error.
/// `capacity` must be at least `length + 1`.
int32_t bs_wordbreaker_boundaries(BSWordBreaker *_Nonnull breaker, const uint16_t *_Nonnull text,
                                  int32_t length, int32_t *_Nonnull boundaries, int32_t capacity);

/// NFKC_Casefold of `source` into `dest`. Returns the length of the result (which may exceed
/// `capacity`: call again with a larger buffer), or -1 on an ICU error.
int32_t bs_nfkc_casefold(const uint16_t *_Nonnull source, int32_t length,
                         uint16_t *_Nonnull dest, int32_t capacity);

/// 1 if NFKC_Casefold always has a boundary before `codePoint` (it never combines with what
/// precedes it), else 0.
int32_t bs_nfkc_casefold_has_boundary_before(uint32_t codePoint);

/// Describes NFKC_Casefold for every BMP code point in one call. For each code point c:
/// `single[c]` is its normalization when that is exactly one code point, else 0xFFFFFFFF (the
/// caller asks `bs_nfkc_casefold` for the expansion); bit c of `boundaryBefore` (65536 bits, as
/// 1024 u64 words) is set when c has a normalization boundary before it. Returns 0, or -1 on error.
int32_t bs_nfkc_casefold_bmp_table(uint32_t *_Nonnull single, uint64_t *_Nonnull boundaryBefore);

/// Fills `table[i]` with the Traditional->Simplified folding of code point `first + i` for
/// `first ... last`, by ICU's "Traditional-Simplified" transliterator. A code point that does not
/// change, or that maps to more or fewer than one code point, maps to itself.
/// Returns 0, or -1 if the transliterator is unavailable (message in `err`).
int32_t bs_traditional_to_simplified_table(uint32_t first, uint32_t last, uint32_t *_Nonnull table,
                                           char *_Nonnull err, size_t errCapacity);

#ifdef __cplusplus
}
#endif

#endif
