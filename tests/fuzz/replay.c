/* SPDX-License-Identifier: MIT */
/* replay.c -- runs a fuzz target without libFuzzer, under ctest on every build.
 *
 * For each file in the folders named on the command line (the target's seed
 * corpus and its saved crash repros) it calls LLVMFuzzerTestOneInput on the
 * file, on every truncation of it, and on a fixed number of seeded random
 * mutations (bit flips, byte sets, cuts). Bounded in count, deterministic, and
 * cheap enough for the sanitizer build; the real fuzzer runs with -DGT_FUZZ=ON.
 * A missing folder is fine (no crash repros yet). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MUTATIONS = 2000, INPUT_CAP = 1 << 20 };

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void run_one(const uint8_t *buf, size_t n, uint8_t *scratch)
{
    /* Exact-size heap copies so ASan sees any read past the end. */
    for (size_t cut = 0; cut <= n; cut++) {
        uint8_t *p = malloc(cut ? cut : 1);
        memcpy(p, buf, cut);
        LLVMFuzzerTestOneInput(p, cut);
        free(p);
    }
    for (int i = 0; i < MUTATIONS && n > 0; i++) {
        size_t m = n;
        memcpy(scratch, buf, n);
        int edits = 1 + (int)(next_rand() % 4);
        for (int e = 0; e < edits; e++) {
            size_t at = next_rand() % m;
            switch (next_rand() % 4) {
            case 0:
                scratch[at] ^= (uint8_t)(1u << (next_rand() % 8));
                break;
            case 1:
                scratch[at] = (uint8_t)next_rand();
                break;
            case 2:
                scratch[at] = (next_rand() & 1) ? 0xff : 0x00;
                break;
            default:
                m = at + 1;
                break;
            }
        }
        uint8_t *p = malloc(m);
        memcpy(p, scratch, m);
        LLVMFuzzerTestOneInput(p, m);
        free(p);
    }
}

int main(int argc, char **argv)
{
    int files = 0;
    uint8_t *buf = malloc(INPUT_CAP), *scratch = malloc(INPUT_CAP);
    for (int a = 1; a < argc; a++) {
        DIR *d = opendir(argv[a]);
        if (!d)
            continue;
        struct dirent *de;
        while ((de = readdir(d))) {
            if (de->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[a], de->d_name);
            FILE *f = fopen(path, "rb");
            if (!f)
                continue;
            size_t n = fread(buf, 1, INPUT_CAP, f);
            fclose(f);
            run_one(buf, n, scratch);
            files++;
        }
        closedir(d);
    }
    free(buf);
    free(scratch);
    printf("replay: %d inputs, each with all truncations and %d mutations: ok\n", files, MUTATIONS);
    if (files == 0) {
        fprintf(stderr, "replay: no corpus found in %s\n", argc > 1 ? argv[1] : "(none)");
        return 1;
    }
    return 0;
}
