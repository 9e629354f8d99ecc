// libxml2's HTML parser, for PageText (the only target that imports it).
#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU, so libxml/encoding.h would pull in ICU's
// headers, whose types clash with the ICU that Foundation bundles in any Swift
// module that sees both (text-bench, the triage executable). Nothing here uses
// libxml2's ICU converters (it is always given UTF-8), and the one structure
// this macro changes (xmlCharEncodingHandler) is only ever reached through
// pointers, never by value, so its layout does not matter to Swift.
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
