/* SPDX-License-Identifier: MIT */
/* test_dump_samples.c -- the dump of real CME captures against an independent decode.
 *
 * Every capture in ../shared/mdp3/samples (real packets of MDP 3.0 versions 5,
 * 8 and 9, CME's TCP examples of version 12 and CME's worked example) is read
 * with pcap_reader and printed with mdp3_dump_packet(); the printed fields are
 * then compared, value by value in wire order, with the decode written beside
 * the capture by another decoder (`*.decoded.txt`, the Open Markets Initiative
 * Wireshark dissector). Messages of templates this codec does not decode (the
 * pre-v9 templates 27, 29, 32, 35, 42) are compared on their
 * framing (MsgSize, blockLength, template id) and then skipped by MsgSize, as the
 * feed does. The folder stays in ../shared; where it is absent (a user's clone)
 * the suite says so and ctest shows it skipped (samples.h). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"
#include "gputick/err.h"
#include "pcap.h"
#include "samples.h"

enum { MAX_ITEMS = 4096, MAX_MSGS = 64, MAX_PKTS = 8, VAL_LEN = 64, KEY_LEN = 64 };

struct item {
    char key[KEY_LEN];
    char val[VAL_LEN];
};

/* One side's decode: packets of messages of items, flattened, with message starts. */
struct side {
    struct item it[MAX_ITEMS];
    size_t n;
    size_t msg_start[MAX_MSGS]; /* index of each message's first item */
    bool msg_skipped[MAX_MSGS]; /* ours: the template is not decoded here */
    int version[MAX_MSGS];
    size_t n_msgs;
    size_t pkt_start[MAX_PKTS];
    size_t n_pkts;
    bool tcp; /* text: a TCP technical header, not a UDP feed packet */
};

static void side_add(struct side *s, const char *k, size_t kl, const char *v, size_t vl)
{
    cr_assert(lt(sz, s->n, MAX_ITEMS));
    struct item *it = &s->it[s->n++];
    snprintf(it->key, KEY_LEN, "%.*s", (int)kl, k);
    snprintf(it->val, VAL_LEN, "%.*s", (int)vl, v);
}

static void side_msg(struct side *s)
{
    cr_assert(lt(sz, s->n_msgs, MAX_MSGS));
    s->msg_start[s->n_msgs] = s->n;
    s->msg_skipped[s->n_msgs] = false;
    s->version[s->n_msgs] = 0;
    s->n_msgs++;
}

static void side_pkt(struct side *s)
{
    cr_assert(lt(sz, s->n_pkts, MAX_PKTS));
    s->pkt_start[s->n_pkts++] = s->n_msgs;
}

/* True if the text before " = " is a bit pattern such as ".... ..1." */
static bool bits_line(const char *l, const char **eq)
{
    *eq = strstr(l, " = ");
    if (!*eq || *eq == l)
        return false;
    for (const char *c = l; c < *eq; c++)
        if (*c != '.' && *c != '0' && *c != '1' && *c != ' ')
            return false;
    return true;
}

/* Parses a decoded.txt into items: values reduced to what both decoders print
 * alike ("Offer (1)" -> "1", "No Value" -> "null", a bit set -> its value, a time
 * -> ISO 8601). Containers, padding, group indexes and the text's placeholder
 * Schema Id and Version lines carry no value and are dropped. */
static void text_parse(FILE *f, struct side *s)
{
    char line[512];
    bool in_bits = false;
    unsigned long long bits = 0;
    char bare_key[KEY_LEN] = ""; /* a "Key: " line without a value, maybe a bit set's */
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *l = line;
        while (*l == ' ')
            l++;
        if (!*l)
            continue;
        const char *eq;
        if (bits_line(l, &eq)) {
            /* Bit i (from the left of W pattern bits) set when its char is '1'. */
            if (!in_bits) {
                bits = 0;
                if (bare_key[0]) /* "Match Event Indicator: " with no names set */
                    side_add(s, bare_key, strlen(bare_key), "0", 1);
            }
            in_bits = true;
            int w = 0;
            for (const char *c = l; c < eq; c++)
                w += *c != ' ';
            int i = 0;
            for (const char *c = l; c < eq; c++) {
                if (*c == ' ')
                    continue;
                if (*c == '1')
                    bits |= 1ull << (w - 1 - i);
                i++;
            }
            snprintf(s->it[s->n - 1].val, VAL_LEN, "%llu", bits);
            continue;
        }
        in_bits = false;
        if (l == line && strncmp(l, "Cme Globex", 10))
            continue;    /* another protocol's line, e.g. the 802.1Q tag */
        if (l == line) { /* "Cme Globex Mdp3 Sbe 1.9 (396 Bytes)" */
            side_pkt(s);
            const char *p = strrchr(l, '(');
            cr_assert_not_null(p, "packet line: %s", l);
            side_add(s, "Packet Length", 13, p + 1, strspn(p + 1, "0123456789"));
            continue;
        }
        if (!strcmp(l, "Technical Header:") || !strcmp(l, "Technical Header: "))
            s->tcp = true;
        if (!strncmp(l, "Message:", 8) || !strncmp(l, "Tcp Message:", 12)) {
            side_msg(s);
            continue;
        }
        bare_key[0] = '\0';
        char *colon = strstr(l, ": ");
        if (!colon)
            colon = l[strlen(l) - 1] == ':' ? l + strlen(l) - 1 : NULL;
        if (!colon || l[0] == '[' || !strncmp(l, "Padding", 7))
            continue;
        size_t kl = (size_t)(colon - l);
        char *v = colon[1] ? colon + 2 : colon + 1;
        size_t vl = strlen(v);
        while (vl && v[vl - 1] == ' ')
            vl--;
        if (!vl) {
            snprintf(bare_key, sizeof bare_key, "%.*s", (int)kl, l);
            continue;
        }
        if ((kl == 9 && !strncmp(l, "Schema Id", 9)) || (kl == 7 && !strncmp(l, "Version", 7)))
            if (!isdigit((unsigned char)v[0]))
                continue;
        char val[VAL_LEN];
        if (v[vl - 1] == ')' && strrchr(v, '(')) { /* "Offer (1)" */
            char *o = strrchr(v, '(');
            snprintf(val, sizeof val, "%.*s", (int)(v + vl - 1 - o - 1), o + 1);
        } else if (vl == 8 && !strncmp(v, "No Value", 8)) {
            snprintf(val, sizeof val, "null");
        } else if (vl == 29 && v[4] == '-' && v[10] == ' ' && v[19] == '.') {
            snprintf(val, sizeof val, "%.10sT%.18sZ", v, v + 11);
        } else {
            snprintf(val, sizeof val, "%.*s", (int)vl, v);
        }
        side_add(s, l, kl, val, strlen(val));
    }
}

/* Parses our dump: key=value tokens in order, a message per two-space line. */
static void ours_parse(const char *text, struct side *s)
{
    const char *l = text;
    while (*l) {
        const char *end = strchr(l, '\n');
        if (!end)
            end = l + strlen(l);
        size_t ind = strspn(l, " ");
        if (ind == 0 && !strncmp(l, "packet ", 7))
            side_pkt(s);
        if (ind == 2)
            side_msg(s);
        const char *t = l + ind;
        while (t < end) {
            const char *te = t;
            bool q = false;
            while (te < end && (q || *te != ' ')) {
                if (*te == '"')
                    q = !q;
                te++;
            }
            const char *eqs = memchr(t, '=', (size_t)(te - t));
            if (eqs) {
                const char *v = eqs + 1;
                size_t vl = (size_t)(te - v);
                if (!strncmp(t, "version=", 8))
                    s->version[s->n_msgs - 1] = atoi(v);
                if (strncmp(t, "off=", 4) && strncmp(t, "schema=", 7) &&
                    strncmp(t, "version=", 8)) {
                    char val[VAL_LEN];
                    if (vl > 2 && v[0] == '0' && v[1] == 'x')
                        snprintf(val, sizeof val, "%llu", strtoull(v, NULL, 16));
                    else
                        snprintf(val, sizeof val, "%.*s", (int)vl, v);
                    side_add(s, t, (size_t)(eqs - t), val, strlen(val));
                }
            } else if (te - t == 7 && !strncmp(t, "skipped", 7)) {
                s->msg_skipped[s->n_msgs - 1] = true;
            }
            t = te;
            while (t < end && *t == ' ')
                t++;
        }
        l = *end ? end + 1 : end;
    }
}

/* Strips trailing fractional zeros ("129.520" -> "129.52", "9000.0" -> "9000"). */
static void num_norm(char *v)
{
    char *dot = strchr(v, '.');
    if (!dot || strspn(v, "-0123456789.") != strlen(v))
        return;
    size_t n = strlen(v);
    while (n > (size_t)(dot - v) + 1 && v[n - 1] == '0')
        v[--n] = '\0';
    if (v[n - 1] == '.')
        v[n - 1] = '\0';
}

/* Our items that the independent decode does not print: TradeableSize is not on
 * the wire before version 10 (it reads as null there), and the text shows it as
 * padding. */
static bool ours_extra(const struct side *o, size_t msg, const struct item *it)
{
    return !strcmp(it->key, "tradeable_size") && o->version[msg] < 10 && !strcmp(it->val, "null");
}

struct tally {
    size_t fields, unchecked, msgs, skipped_msgs;
};

/* Compares one packet's messages field by field; returns the number of mismatches. */
static int compare(struct side *o, struct side *t, const char *name, struct tally *ty)
{
    int bad = 0;
    cr_assert(eq(sz, o->n_msgs, t->n_msgs), "%s: messages", name);
    for (size_t m = 0; m < o->n_msgs; m++) {
        size_t oi = o->msg_start[m], oe = m + 1 < o->n_msgs ? o->msg_start[m + 1] : o->n;
        size_t ti = t->msg_start[m], tend = m + 1 < t->n_msgs ? t->msg_start[m + 1] : t->n;
        if (m == 0) { /* the packet header items come first on both sides */
            oi = 0;
            ti = 0;
        }
        ty->msgs++;
        if (o->msg_skipped[m]) {
            ty->skipped_msgs++;
            tend = ti + (oe - oi); /* framing only: size, block, template */
        }
        for (; oi < oe; oi++) {
            if (ours_extra(o, m, &o->it[oi]))
                continue;
            if (ti >= tend) {
                fprintf(stderr, "%s msg %zu: ours has %s=%s past the text's fields\n", name, m,
                        o->it[oi].key, o->it[oi].val);
                bad++;
                break;
            }
            num_norm(o->it[oi].val);
            num_norm(t->it[ti].val);
            if (strcmp(o->it[oi].val, t->it[ti].val)) {
                fprintf(stderr, "%s msg %zu: ours %s=%s, text '%s: %s'\n", name, m, o->it[oi].key,
                        o->it[oi].val, t->it[ti].key, t->it[ti].val);
                bad++;
            }
            ty->fields++;
            ti++;
        }
        size_t text_end = m + 1 < t->n_msgs ? t->msg_start[m + 1] : t->n;
        if (o->msg_skipped[m])
            ty->unchecked += text_end - ti;
        else if (ti != text_end) {
            fprintf(stderr, "%s msg %zu: the text has %zu more fields, first '%s'\n", name, m,
                    text_end - ti, t->it[ti].key);
            bad++;
        }
    }
    return bad;
}

/* Dumps every UDP datagram of a capture into one string (caller frees). */
static char *capture_dump(const char *path, struct pcap_reader *r, size_t *n_dgrams,
                          struct mdp3_dump_stats *st)
{
    char err[GT_ERRLEN], *buf = NULL;
    size_t len = 0;
    cr_assert(eq(int, pcap_reader_open(r, path, err), GT_OK), "%s", err);
    FILE *out = open_memstream(&buf, &len);
    struct pcap_rec rec;
    int rc;
    *n_dgrams = 0;
    while ((rc = pcap_reader_next(r, &rec)) > 0 && *n_dgrams < MAX_PKTS) {
        cr_assert(ge(int, mdp3_dump_packet(out, rec.p, rec.len, st), 0), "%s", path);
        (*n_dgrams)++;
    }
    cr_assert(eq(int, rc, 0), "%s: %s at %zu", path, gt_strerror(rc), r->err_off);
    fclose(out);
    pcap_reader_close(r);
    return buf;
}

/* Checks one capture against its decoded.txt; returns mismatches. */
static int sample_check(const char *dir, const char *file, struct tally *ty)
{
    char path[2048], txt[2048];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    snprintf(txt, sizeof txt, "%s/%.*s.decoded.txt", dir, (int)strcspn(file, "."), file);
    if (strstr(file, ".Tcp.")) /* "X.Tcp.pcap" is described by "X.Tcp.decoded.txt" */
        snprintf(txt, sizeof txt, "%s/%.*s.Tcp.decoded.txt", dir, (int)strcspn(file, "."), file);
    static struct side ours, text;
    memset(&ours, 0, sizeof ours);
    memset(&text, 0, sizeof text);
    struct pcap_reader r;
    struct mdp3_dump_stats st = {0};
    size_t n_dgrams;
    char *dump = capture_dump(path, &r, &n_dgrams, &st);
    FILE *f = fopen(txt, "r");
    if (!f) { /* no independent decode: it must still read without error */
        free(dump);
        return 0;
    }
    text_parse(f, &text);
    fclose(f);
    if (text.tcp) {
        /* CME's TCP examples (0xCAFE technical header) are not UDP feed packets:
         * the reader passes over their TCP frames and counts them. */
        cr_assert(eq(sz, n_dgrams, 0), "%s", path);
        cr_assert(gt(u64, r.n_skipped, 0), "%s", path);
        ty->unchecked += text.n;
        free(dump);
        return 0;
    }
    ours_parse(dump, &ours);
    cr_assert(eq(sz, ours.n_pkts, text.n_pkts), "%s: packets", path);
    cr_assert(eq(u64, st.n_bad_msgs + st.n_bad_pkts, 0), "%s:\n%s", path, dump);
    int bad = compare(&ours, &text, path, ty);
    if (bad)
        fprintf(stderr, "%s: our dump was:\n%s", path, dump);
    free(dump);
    return bad;
}

/* Runs sample_check on every .pcap and .bin of one samples subfolder; exactly
 * want_fields fields must be compared, so a parser that drifts into comparing
 * fewer fails. */
static void folder_check(const char *sub, size_t want_fields)
{
    char base[1024], dir[1100];
    if (!samples_dir(base, sizeof base))
        cr_skip_test("%s is absent (a clone without ../shared): nothing to compare", base);
    snprintf(dir, sizeof dir, "%s/%s", base, sub);
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    struct dirent *de;
    struct tally ty = {0};
    int bad = 0, files = 0;
    while ((de = readdir(d)) && files < 32) {
        size_t l = strlen(de->d_name);
        if ((l > 5 && !strcmp(de->d_name + l - 5, ".pcap")) ||
            (l > 4 && !strcmp(de->d_name + l - 4, ".bin"))) {
            bad += sample_check(dir, de->d_name, &ty);
            files++;
        }
    }
    closedir(d);
    cr_log_info("%s: %d files, %zu messages (%zu of templates not decoded here, framing "
                "checked), %zu fields equal, %zu fields not compared",
                sub, files, ty.msgs, ty.skipped_msgs, ty.fields, ty.unchecked);
    fprintf(stderr,
            "%s: %d files, %zu messages (%zu of templates not decoded here), %zu fields "
            "compared, %zu not compared\n",
            sub, files, ty.msgs, ty.skipped_msgs, ty.fields, ty.unchecked);
    cr_assert(eq(int, bad, 0), "%s: %d fields differ from the independent decode", sub, bad);
    cr_assert(eq(sz, ty.fields, want_fields), "%s: fields compared", sub);
}

Test(dump_samples, version9_captures_match_the_independent_decode_field_by_field, .timeout = 30)
{
    folder_check("Mdp3.Sbe.v1.9", 502);
}

Test(dump_samples, version8_capture_frames_and_its_volume_message_matches, .timeout = 30)
{
    folder_check("Mdp3.Sbe.v1.8", 20);
}

Test(dump_samples, version5_captures_frame_and_their_volume_messages_match, .timeout = 30)
{
    folder_check("Mdp3.Sbe.v1.5", 76);
}

Test(dump_samples, version12_tcp_examples_are_passed_over_as_not_udp, .timeout = 30)
{
    folder_check("Mdp3.Sbe.v1.12", 0);
}

Test(dump_samples, cme_worked_example_matches_as_pcap_and_as_raw_bytes, .timeout = 30)
{
    folder_check("cme_wiki_example", 2 * 15);
}
