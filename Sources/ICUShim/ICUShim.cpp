// The only file that calls ICU. See include/ICUShim.h for the contract of each function.
//
// The word rules are ICU's own root-locale word rules (read at run time from the installed ICU, so
// they match its Unicode version) with the statement that defines `$dictionary` removed: ICU then
// keeps runs of Han/Kana as single segments instead of loading the CJK dictionary, which is ~12x
// faster. Copyright of the rule text: Unicode, Inc. and others (ICU licence, shipped with ICU).
#include "ICUShim.h"

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/rbbi.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>
#include <unicode/unorm2.h>
#include <unicode/utext.h>
#include <unicode/utf16.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

using namespace icu;

struct BSWordBreaker {
    BreakIterator *iterator;
};

static void writeError(char *err, size_t cap, const char *what, UErrorCode status) {
    if (cap == 0) return;
    std::snprintf(err, cap, "%s: %s", what, u_errorName(status));
}

static BSWordBreaker *wrap(BreakIterator *it) {
    if (it == nullptr) return nullptr;
    auto *b = new (std::nothrow) BSWordBreaker{it};
    if (b == nullptr) delete it;
    return b;
}

extern "C" BSWordBreaker *bs_wordbreaker_create(char *err, size_t errCapacity) {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<BreakIterator> builtin(BreakIterator::createWordInstance(Locale::getRoot(), status));
    if (U_FAILURE(status)) { writeError(err, errCapacity, "createWordInstance", status); return nullptr; }
    auto *rbbi = dynamic_cast<RuleBasedBreakIterator *>(builtin.get());
    if (rbbi == nullptr) { std::snprintf(err, errCapacity, "word iterator is not rule based"); return nullptr; }
    UnicodeString rules = rbbi->getRules();
    // Remove the statement "$dictionary=[...];" (only its definition; nothing else refers to it).
    int32_t at = rules.indexOf(UnicodeString(u"$dictionary="));
    if (at >= 0) {
        int32_t end = rules.indexOf(u';', at);
        if (end < 0) { std::snprintf(err, errCapacity, "unexpected ICU word rules"); return nullptr; }
        rules.remove(at, end - at + 1);
    }
    UParseError parseError;
    auto *compiled = new RuleBasedBreakIterator(rules, parseError, status);
    if (compiled == nullptr || U_FAILURE(status)) {
        delete compiled;
        writeError(err, errCapacity, "compiling word rules", status);
        return nullptr;
    }
    return wrap(compiled);
}

extern "C" BSWordBreaker *bs_dictionary_wordbreaker_create(char *err, size_t errCapacity) {
    UErrorCode status = U_ZERO_ERROR;
    BreakIterator *it = BreakIterator::createWordInstance(Locale("zh"), status);
    if (U_FAILURE(status)) { delete it; writeError(err, errCapacity, "createWordInstance", status); return nullptr; }
    return wrap(it);
}

extern "C" BSWordBreaker *bs_wordbreaker_clone(const BSWordBreaker *breaker) {
    return wrap(breaker->iterator->clone());
}

extern "C" void bs_wordbreaker_destroy(BSWordBreaker *breaker) {
    if (breaker == nullptr) return;
    delete breaker->iterator;
    delete breaker;
}

static bool setText(BreakIterator *it, const uint16_t *text, int32_t length) {
    UErrorCode status = U_ZERO_ERROR;
    UText ut = UTEXT_INITIALIZER;
    utext_openUChars(&ut, reinterpret_cast<const UChar *>(text), length, &status);
    if (U_FAILURE(status)) return false;
    it->setText(&ut, status);   // the iterator clones the UText shallowly; `text` must outlive use
    utext_close(&ut);
    return U_SUCCESS(status);
}

extern "C" int32_t bs_wordbreaker_words(BSWordBreaker *breaker, const uint16_t *text, int32_t length,
                                        int32_t *starts, int32_t *ends, int32_t capacity) {
    if (length <= 0) return 0;
    BreakIterator *it = breaker->iterator;
    if (!setText(it, text, length)) return -1;
    int32_t count = 0;
    int32_t start = it->first();
    for (int32_t end = it->next(); end != BreakIterator::DONE; start = end, end = it->next()) {
        if (it->getRuleStatus() == UBRK_WORD_NONE) continue;
        if (count >= capacity) return -1;
        starts[count] = start;
        ends[count] = end;
        count++;
    }
    return count;
}

extern "C" int32_t bs_wordbreaker_boundaries(BSWordBreaker *breaker, const uint16_t *text, int32_t length,
                                             int32_t *boundaries, int32_t capacity) {
    if (capacity < 1) return -1;
    if (length <= 0) { boundaries[0] = 0; return 1; }
    BreakIterator *it = breaker->iterator;
    if (!setText(it, text, length)) return -1;
    int32_t count = 0;
    for (int32_t b = it->first(); b != BreakIterator::DONE; b = it->next()) {
        if (count >= capacity) return -1;
        boundaries[count++] = b;
    }
    return count;
}

static const Normalizer2 *nfkcCasefold() {
    UErrorCode status = U_ZERO_ERROR;
    const Normalizer2 *n = Normalizer2::getNFKCCasefoldInstance(status);   // owned by ICU, thread-safe
    return U_SUCCESS(status) ? n : nullptr;
}

extern "C" int32_t bs_nfkc_casefold(const uint16_t *source, int32_t length, uint16_t *dest, int32_t capacity) {
    const Normalizer2 *n = nfkcCasefold();
    if (n == nullptr) return -1;
    UErrorCode status = U_ZERO_ERROR;
    int32_t out = unorm2_normalize(reinterpret_cast<const UNormalizer2 *>(n),
                                   reinterpret_cast<const UChar *>(source), length,
                                   reinterpret_cast<UChar *>(dest), capacity, &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) return out;
    return U_FAILURE(status) ? -1 : out;
}

extern "C" int32_t bs_nfkc_casefold_has_boundary_before(uint32_t codePoint) {
    const Normalizer2 *n = nfkcCasefold();
    return (n != nullptr && n->hasBoundaryBefore(static_cast<UChar32>(codePoint))) ? 1 : 0;
}

extern "C" int32_t bs_nfkc_casefold_bmp_table(uint32_t *single, uint64_t *boundaryBefore) {
    const Normalizer2 *n = nfkcCasefold();
    if (n == nullptr) return -1;
    for (UChar32 c = 0; c < 0x10000; c++) {
        if (n->hasBoundaryBefore(c)) boundaryBefore[c >> 6] |= uint64_t(1) << (c & 63);
        if ((c >= 0xD800 && c <= 0xDFFF) || n->isInert(c)) {   // unchanged, whatever surrounds it
            single[c] = static_cast<uint32_t>(c);
            continue;
        }
        UChar in[1] = {static_cast<UChar>(c)};
        UChar out[32];
        UErrorCode status = U_ZERO_ERROR;
        int32_t len = unorm2_normalize(reinterpret_cast<const UNormalizer2 *>(n), in, 1, out, 32, &status);
        if (U_FAILURE(status)) { single[c] = 0xFFFFFFFFu; continue; }
        UChar32 first;
        int32_t i = 0;
        if (len > 0) { U16_NEXT(out, i, len, first); }
        single[c] = (len > 0 && i == len) ? static_cast<uint32_t>(first) : 0xFFFFFFFFu;
    }
    return 0;
}

extern "C" int32_t bs_traditional_to_simplified_table(uint32_t first, uint32_t last, uint32_t *table,
                                                      char *err, size_t errCapacity) {
    UErrorCode status = U_ZERO_ERROR;
    UParseError pe;
    std::unique_ptr<Transliterator> t(
        Transliterator::createInstance(UnicodeString(u"Traditional-Simplified"), UTRANS_FORWARD, pe, status));
    if (U_FAILURE(status) || !t) { writeError(err, errCapacity, "Traditional-Simplified", status); return -1; }
    for (uint32_t cp = first; cp <= last; cp++) {
        UnicodeString s(static_cast<UChar32>(cp));
        t->transliterate(s);
        table[cp - first] = (s.countChar32() == 1) ? static_cast<uint32_t>(s.char32At(0)) : cp;
    }
    return 0;
}
