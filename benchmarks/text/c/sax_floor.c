// The floor for libxml2's HTML parser: the same pages through the same SAX
// push parser with handlers that only count text bytes. Our extractor does
// this plus offsets, segments and hidden-text tracking, so this is what it
// can at best approach. With `tree`, the pages are instead parsed into a
// tree (htmlReadMemory) and its text nodes walked iteratively: the
// tree-building alternative to streaming, measured the same way.
//
//   sax_floor CORPUS.html REPEAT [tree]  ->  one JSON line
#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t text_bytes;
static void on_characters(void *ctx, const xmlChar *ch, int len) { (void)ctx; (void)ch; text_bytes += (size_t)len; }
static void on_start(void *ctx, const xmlChar *name, const xmlChar **atts) { (void)ctx; (void)name; (void)atts; }
static void on_end(void *ctx, const xmlChar *name) { (void)ctx; (void)name; }

/// Text bytes under `node`, walking the tree without recursion.
static size_t tree_text(xmlNodePtr node) {
    size_t total = 0;
    while (node) {
        if (node->type == XML_TEXT_NODE && node->content) total += strlen((const char *)node->content);
        if (node->children && node->type == XML_ELEMENT_NODE) { node = node->children; continue; }
        while (node && !node->next) node = node->parent;
        if (node) node = node->next;
    }
    return total;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: sax_floor CORPUS REPEAT\n"); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)size);
    if (fread(data, 1, (size_t)size, f) != (size_t)size) { perror("read"); return 2; }
    fclose(f);
    // Pages end after each "</html>", as in the other harnesses.
    size_t starts[100000], ends[100000], pages = 0, start = 0;
    for (long i = 0; i + 7 <= size && pages < 100000; i++) {
        if (memcmp(data + i, "</html>", 7) == 0) { starts[pages] = start; ends[pages] = (size_t)i + 7; pages++; start = (size_t)i + 7; i += 6; }
    }
    if (start < (size_t)size && pages < 100000) { starts[pages] = start; ends[pages] = (size_t)size; pages++; }
    int repeat = atoi(argv[2]);
    int tree = argc > 3 && strcmp(argv[3], "tree") == 0;
    double best = 1e30;
    double *latency = malloc(sizeof(double) * pages);
    htmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.characters = on_characters;
    sax.ignorableWhitespace = on_characters;
    sax.startElement = on_start;
    sax.endElement = on_end;
    for (int r = 0; r < repeat; r++) {
        text_bytes = 0;
        double total = 0;
        for (size_t p = 0; p < pages; p++) {
            double t0 = now();
            if (tree) {
                htmlDocPtr doc = htmlReadMemory(data + starts[p], (int)(ends[p] - starts[p]), NULL, "UTF-8",
                                                HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
                if (doc) { text_bytes += tree_text(xmlDocGetRootElement(doc)); xmlFreeDoc(doc); }
                double dt = now() - t0;
                total += dt;
                if (r == 0) latency[p] = dt;
                continue;
            }
            htmlParserCtxtPtr ctxt = htmlCreatePushParserCtxt(&sax, NULL, NULL, 0, NULL, XML_CHAR_ENCODING_UTF8);
            htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
            size_t at = starts[p];
            while (at < ends[p]) {
                size_t n = ends[p] - at < 65536 ? ends[p] - at : 65536;
                htmlParseChunk(ctxt, data + at, (int)n, at + n >= ends[p]);
                at += n;
            }
            htmlFreeParserCtxt(ctxt);
            double dt = now() - t0;
            total += dt;
            if (r == 0) latency[p] = dt;
        }
        if (total < best) best = total;
    }
    qsort(latency, pages, sizeof(double), compare);
    printf("{\"tool\":\"%s\",", tree ? "libxml2 tree (C)" : "libxml2 SAX (C)");
    printf("\"pages\":%zu,\"bytes\":%ld,\"text_bytes\":%zu,\"seconds\":%f,\"mb_s\":%f,\"p50_ms\":%f,\"p99_ms\":%f}\n",
           pages, size, text_bytes, best, size / 1e6 / best, latency[pages / 2] * 1000, latency[pages * 99 / 100] * 1000);
    return 0;
}
