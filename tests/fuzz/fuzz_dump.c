/* SPDX-License-Identifier: MIT */
/* fuzz_dump.c -- the packet dump on arbitrary bytes.
 *
 * The input is one UDP payload, printed with mdp3_dump_packet_as() into
 * memory, as JSON lines if its length is odd, as text if even. Beyond ASan's
 * checks of every read (decoders, accessors, the decimal and time formatting
 * of any value), the invariants: the return is the number of messages framed
 * or a GT_E* code, the stats agree with it, the text has one two-space message
 * line per framed message, and the JSON has one line per message (plus one for
 * a packet that cannot be framed), each a single object whose braces, brackets
 * and strings balance, with every string escape a \u00XX. */
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

/* True if line[0..n) is one JSON object as the dump writes them: brackets
 * balance outside strings, the object closes at the line's end, escapes are
 * \u followed by four hex digits, and no raw control byte appears. */
static int one_json_object(const char *line, size_t n)
{
    int depth = 0, in_str = 0;
    if (n < 2 || line[0] != '{')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c < 0x20)
            return 0;
        if (in_str) {
            if (c == '\\') {
                if (n - i < 6 || line[i + 1] != 'u')
                    return 0;
                for (int k = 2; k < 6; k++)
                    if (!strchr("0123456789abcdef", line[i + k]))
                        return 0;
                i += 5;
            } else if (c == '"') {
                in_str = 0;
            }
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth < 0 || (depth == 0 && i != n - 1))
                return 0;
        }
    }
    return !in_str && depth == 0;
}

/* JSON: one line per message, plus one for a packet that cannot be framed,
 * each a single object. */
static void check_json_lines(const char *text, const struct mdp3_dump_stats *st, int rc)
{
    uint64_t lines = 0;
    for (const char *l = text; l && *l; lines++) {
        const char *nl = strchr(l, '\n');
        must(nl != NULL);
        must(one_json_object(l, (size_t)(nl - l)));
        l = nl + 1;
    }
    must(lines == st->n_msgs + (rc < 0));
}

/* Text: one two-space message line per framed message. */
static void check_text_lines(const char *text, const struct mdp3_dump_stats *st)
{
    uint64_t lines = 0;
    for (const char *l = text; l && *l;) {
        if (l[0] == ' ' && l[1] == ' ' && l[2] != ' ' && strncmp(l + 2, "error=", 6))
            lines++;
        const char *nl = strchr(l, '\n');
        l = nl ? nl + 1 : NULL;
    }
    must(lines == st->n_msgs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Odd lengths print as JSON, even ones as text: the replay's cuts at every
     * byte give each input both, at the cost of one. */
    enum mdp3_dump_style style = size & 1 ? MDP3_DUMP_JSON : MDP3_DUMP_TEXT;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return 0;
    struct mdp3_dump_stats st = {0};
    int rc = mdp3_dump_packet_as(out, style, data, size, &st);
    fclose(out);
    must(st.n_packets == 1);
    must(rc == GT_ETRUNC || rc == GT_EBADMSG || (rc >= 0 && (uint64_t)rc == st.n_msgs));
    must((rc < 0) == (st.n_bad_pkts == 1));
    must(st.n_unknown + st.n_bad_msgs <= st.n_msgs);
    if (style == MDP3_DUMP_JSON)
        check_json_lines(text, &st, rc);
    else
        check_text_lines(text, &st);
    free(text);
    return 0;
}
