/* SPDX-License-Identifier: MIT */
/* fuzz_dump.c -- the packet dump on arbitrary bytes.
 *
 * The input is one UDP payload, printed with mdp3_dump_packet() into memory.
 * Beyond ASan's checks of every read (decoders, accessors, the decimal and time
 * formatting of any value), the invariants: the return is the number of
 * messages framed or a GT_E* code, the stats agree with it, and the text has one
 * two-space message line per framed message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "gputick/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return 0;
    struct mdp3_dump_stats st = {0};
    int rc = mdp3_dump_packet(out, data, size, &st);
    fclose(out);
    must(st.n_packets == 1);
    must(rc == GT_ETRUNC || rc == GT_EBADMSG || (rc >= 0 && (uint64_t)rc == st.n_msgs));
    must((rc < 0) == (st.n_bad_pkts == 1));
    must(st.n_unknown + st.n_bad_msgs <= st.n_msgs);
    uint64_t lines = 0;
    for (const char *l = text; l && *l;) {
        if (l[0] == ' ' && l[1] == ' ' && l[2] != ' ' && strncmp(l + 2, "error=", 6))
            lines++;
        const char *nl = strchr(l, '\n');
        l = nl ? nl + 1 : NULL;
    }
    must(lines == st.n_msgs);
    free(text);
    return 0;
}
