// The few ICU calls the text normaliser needs, behind a header free of ICU
// types. Swift cannot call ICU's C functions directly (macros rename them to
// versioned symbols), and ICU's headers clash with the copy of ICU that
// Foundation bundles; this target is the only place that includes them.
//
// Every function takes UTF-16 in and writes UTF-16 out, and returns the
// length it wrote, or -1 if ICU reported an error (including an output that
// does not fit in `capacity`).
#ifndef TRIAGE_ICU_SHIM_H
#define TRIAGE_ICU_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Unicode NFKC with full case folding (NFKC_Casefold).
int32_t triage_icu_nfkc_casefold(const uint16_t *source, int32_t length, uint16_t *destination, int32_t capacity);

/// Canonical decomposition (NFD), used to strip diacritics.
int32_t triage_icu_nfd(const uint16_t *source, int32_t length, uint16_t *destination, int32_t capacity);

/// Unicode NFKC (case kept).
int32_t triage_icu_nfkc(const uint16_t *source, int32_t length, uint16_t *destination, int32_t capacity);

/// 1 if `scalar` is a nonspacing or enclosing combining mark (Mn, Me).
int32_t triage_icu_is_combining_mark(uint32_t scalar);

/// 1 if `scalar` has the Default_Ignorable_Code_Point property.
int32_t triage_icu_is_default_ignorable(uint32_t scalar);

/// Decodes `length` bytes in the charset called `label` (an ICU converter
/// name or alias) to UTF-16; `offsets[i]` receives the index of the source
/// byte that produced output unit i. Invalid input becomes U+FFFD. Returns
/// the units written, -1 on an error, -2 for a label ICU does not know.
int32_t triage_icu_decode(const char *label, const uint8_t *source, int32_t length,
                          uint16_t *destination, int32_t *offsets, int32_t capacity);

/// 1 if ICU's normalisers could be opened.
int32_t triage_icu_available(void);

#ifdef __cplusplus
}
#endif

#endif
