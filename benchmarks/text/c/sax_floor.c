// The floor for libxml2's HTML parser: the same pages through the same SAX
// push parser with handlers that only count text bytes. Our extractor does
// this plus offsets, segments and hidden-text tracking, so this is what it
// can at best approach. `tree_floor_parse` builds a tree instead
// (htmlReadMemory) and walks its text nodes: the alternative to streaming,
// measured the same way.
#include "sax_floor.h"
#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <string.h>

static const int options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET;

static void on_characters(void *ctx, const xmlChar *ch, int len) { (void)ch; *(size_t *)ctx += (size_t)len; }
static void on_start(void *ctx, const xmlChar *name, const xmlChar **atts) { (void)ctx; (void)name; (void)atts; }
static void on_end(void *ctx, const xmlChar *name) { (void)ctx; (void)name; }

size_t sax_floor_parse(const char *page, size_t length) {
    htmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.characters = on_characters;
    sax.ignorableWhitespace = on_characters;
    sax.startElement = on_start;
    sax.endElement = on_end;
    size_t text = 0;
    htmlParserCtxtPtr ctxt = htmlCreatePushParserCtxt(&sax, &text, NULL, 0, NULL, XML_CHAR_ENCODING_UTF8);
    if (!ctxt) return 0;
    htmlCtxtUseOptions(ctxt, options);
    size_t at = 0;
    while (at < length) {
        size_t n = length - at < 65536 ? length - at : 65536;
        htmlParseChunk(ctxt, page + at, (int)n, at + n >= length);
        at += n;
    }
    htmlFreeParserCtxt(ctxt);
    return text;
}

size_t tree_floor_parse(const char *page, size_t length) {
    htmlDocPtr doc = htmlReadMemory(page, (int)length, NULL, "UTF-8", options);
    if (!doc) return 0;
    size_t total = 0;
    xmlNodePtr node = xmlDocGetRootElement(doc);
    while (node) {
        if (node->type == XML_TEXT_NODE && node->content) total += strlen((const char *)node->content);
        if (node->children && node->type == XML_ELEMENT_NODE) { node = node->children; continue; }
        while (node && !node->next) node = node->parent;
        if (node) node = node->next;
    }
    xmlFreeDoc(doc);
    return total;
}
