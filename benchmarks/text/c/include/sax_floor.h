// The floor for libxml2's HTML parser, called page by page by the text
// benchmark's harness (interleaved with our extractor, so both see the same
// machine at the same moment).
#ifndef SAX_FLOOR_H
#define SAX_FLOOR_H
#include <stddef.h>

/// Parses one page with libxml2's SAX push parser (64 KiB chunks, as ours)
/// and handlers that only count text bytes; returns that count.
size_t sax_floor_parse(const char *page, size_t length);

/// Parses one page into a tree (htmlReadMemory) and walks its text nodes
/// without recursion: the tree-building alternative to streaming.
size_t tree_floor_parse(const char *page, size_t length);

#endif
