/* The matcher benchmark's harness for Hyperscan (Debian libhyperscan-dev),
 * through its C literal API, with the same arguments and JSON line as our
 * Swift harness (see ../swift/main.swift). Hyperscan reports every match of
 * every pattern, i.e. overlapping semantics; it has no leftmost-longest mode,
 * so run.py only runs it for the overlapping rows. */
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(*len + 1);
    if (fread(buf, 1, *len, f) != *len) { perror(path); exit(2); }
    fclose(f);
    return buf;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx) {
    (void)id; (void)from; (void)to; (void)flags;
    ++*(size_t *)ctx;
    return 0;
}

int main(int argc, char **argv) {
    const char *patterns_path = NULL, *haystack_path = NULL, *semantics = "overlapping";
    int ignore_case = 0, repeat = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--patterns")) patterns_path = argv[++i];
        else if (!strcmp(argv[i], "--haystack")) haystack_path = argv[++i];
        else if (!strcmp(argv[i], "--semantics")) semantics = argv[++i];
        else if (!strcmp(argv[i], "--ignore-case")) ignore_case = 1;
        else if (!strcmp(argv[i], "--repeat")) repeat = atoi(argv[++i]);
        else { fprintf(stderr, "hs_bench: unknown argument %s\n", argv[i]); return 2; }
    }
    if (!patterns_path || !haystack_path || strcmp(semantics, "overlapping")) {
        fprintf(stderr, "hs_bench: needs --patterns, --haystack and overlapping semantics\n");
        return 2;
    }
    size_t plen, hlen;
    char *ptext = read_file(patterns_path, &plen);
    char *haystack = read_file(haystack_path, &hlen);
    size_t n = 0;
    for (size_t i = 0; i < plen; i++) n += ptext[i] == '\n';
    const char **exprs = malloc(n * sizeof *exprs);
    size_t *lens = malloc(n * sizeof *lens);
    unsigned *flags = malloc(n * sizeof *flags), *ids = malloc(n * sizeof *ids);
    size_t start = 0, k = 0;
    for (size_t i = 0; i < plen && k < n; i++) {
        if (ptext[i] != '\n') continue;
        exprs[k] = ptext + start;
        lens[k] = i - start;
        flags[k] = ignore_case ? HS_FLAG_CASELESS : 0;
        ids[k] = (unsigned)k;
        k++;
        start = i + 1;
    }
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;
    double best_build = 1e30;
    for (int r = 0; r < (repeat > 0 ? repeat : 1); r++) {
        if (db) hs_free_database(db);
        double t = now();
        if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)n, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
            fprintf(stderr, "hs_bench: compile failed: %s\n", err->message);
            return 2;
        }
        double e = now() - t;
        if (e < best_build) best_build = e;
    }
    hs_scratch_t *scratch = NULL;
    hs_alloc_scratch(db, &scratch);
    size_t db_size = 0, scratch_size = 0;
    hs_database_size(db, &db_size);
    hs_scratch_size(scratch, &scratch_size);
    double best_scan = 1e30;
    size_t count = 0;
    for (int r = 0; r < (repeat > 0 ? repeat : 1); r++) {
        count = 0;
        double t = now();
        hs_scan(db, haystack, (unsigned)hlen, 0, scratch, on_match, &count);
        double e = now() - t;
        if (e < best_scan) best_scan = e;
    }
    printf("{\"tool\":\"hyperscan %.5s\",\"count\":%zu,\"build_ms\":%f,\"scan_s\":%f,\"mb_per_s\":%f,\"memory\":%zu}\n",
           hs_version(), count, best_build * 1000, best_scan, hlen / 1e6 / best_scan, db_size + scratch_size);
    return 0;
}
