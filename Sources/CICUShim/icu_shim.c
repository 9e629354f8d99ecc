#include "icu_shim.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>

// ICU's normaliser instances are process-wide singletons owned by ICU and
// safe to share between threads.

static int32_t normalize(const UNormalizer2 *normalizer, const uint16_t *source, int32_t length,
                         uint16_t *destination, int32_t capacity) {
    if (normalizer == NULL) return -1;
    UErrorCode status = U_ZERO_ERROR;
    int32_t written = unorm2_normalize(normalizer, (const UChar *)source, length, (UChar *)destination, capacity, &status);
    return U_FAILURE(status) ? -1 : written;
}

int32_t triage_icu_nfkc_casefold(const uint16_t *source, int32_t length, uint16_t *destination, int32_t capacity) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *normalizer = unorm2_getNFKCCasefoldInstance(&status);
    return U_FAILURE(status) ? -1 : normalize(normalizer, source, length, destination, capacity);
}

int32_t triage_icu_nfd(const uint16_t *source, int32_t length, uint16_t *destination, int32_t capacity) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *normalizer = unorm2_getNFDInstance(&status);
    return U_FAILURE(status) ? -1 : normalize(normalizer, source, length, destination, capacity);
}

int32_t triage_icu_nfkc(const uint16_t *source, int32_t length, uint16_t *destination, int32_t capacity) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *normalizer = unorm2_getNFKCInstance(&status);
    return U_FAILURE(status) ? -1 : normalize(normalizer, source, length, destination, capacity);
}

int32_t triage_icu_is_combining_mark(uint32_t scalar) {
    int8_t type = u_charType((UChar32)scalar);
    return type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK;
}

int32_t triage_icu_is_default_ignorable(uint32_t scalar) {
    return u_hasBinaryProperty((UChar32)scalar, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) ? 1 : 0;
}

int32_t triage_icu_available(void) {
    UErrorCode status = U_ZERO_ERROR;
    unorm2_getNFKCCasefoldInstance(&status);
    unorm2_getNFKCInstance(&status);
    unorm2_getNFDInstance(&status);
    return U_FAILURE(status) ? 0 : 1;
}

int32_t triage_icu_decode(const char *label, const uint8_t *source, int32_t length,
                          uint16_t *destination, int32_t *offsets, int32_t capacity) {
    UErrorCode status = U_ZERO_ERROR;
    UConverter *converter = ucnv_open(label, &status);
    if (U_FAILURE(status) || converter == NULL) return -2;
    // Invalid sequences become U+FFFD (ICU's default substitution for
    // Unicode output), never an error.
    const char *in = (const char *)source;
    UChar *out = (UChar *)destination;
    ucnv_toUnicode(converter, &out, (UChar *)destination + capacity, &in, in + length, offsets, 1, &status);
    ucnv_close(converter);
    if (U_FAILURE(status)) return -1;
    return (int32_t)(out - (UChar *)destination);
}
