/* SPDX-License-Identifier: MIT */
/* test_mdp3_samples.c -- real CME captures against an independent decode.
 *
 * Every capture in ../shared/mdp3/samples/ (real CME packets of schema versions
 * 5, 8 and 9, CME's worked example, and the v1.12 TCP examples) is read through
 * pcap_reader (or the raw .bin) and decoded with mdp3_pkt_* and the template
 * decoders; beside each lies `*.decoded.txt`, the text that tshark with the Open
 * Markets Initiative dissector printed for the same bytes. A small parser here
 * turns that text into (message, group, entry, key, value) rows, and each test
 * compares every field we decode with the row of the same name: packet sequence
 * and sending time, MsgSize, blockLength, template id, TransactTime and the
 * MatchEventIndicator bits, every group dimension and every entry field. For
 * templates we decode (37, 46, 47, 48, 50) every field the text shows must be one
 * we compared (paddings and indexes aside), so a field we ignore fails the test.
 * Templates we do not decode (the pre-v9 27, 29, 32, 35, 42; the TCP-only
 * LongQty 64, 65, 68) are framed by MsgSize and their header checked: that is
 * what tickfeed does with them (skipped and counted).
 *
 * The text prints no schema id or version ("SchemaId", "Version"); those are
 * checked against the folder's version instead. The samples are never copied
 * into the project: without the folder (a user's clone) the suite says so and
 * ctest shows it skipped (samples.h). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gputick/bytes.h"
#include "gputick/err.h"
#include "mdp3.h"
#include "pcap.h"
#include "samples.h"

enum { MAX_ROWS = 4096, KEY_LEN = 64, VAL_LEN = 96, MAX_PKTS = 4 };

/* One "Key: Value" line of the text, placed by message, group and entry (-1: none). */
struct row {
    int pkt, msg, grp, ent;
    char key[KEY_LEN];
    char val[VAL_LEN];
    bool used;
};

struct text {
    struct row rows[MAX_ROWS];
    int n;
    int n_pkts;
};

static char *trim(char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
    return s;
}

static void text_add(struct text *t, int pkt, int msg, int grp, int ent, const char *k,
                     const char *v)
{
    cr_assert(lt(int, t->n, MAX_ROWS), "decoded.txt has more rows than the test holds");
    struct row *r = &t->rows[t->n++];
    *r = (struct row){pkt, msg, grp, ent, "", "", false};
    snprintf(r->key, KEY_LEN, "%s", k);
    snprintf(r->val, VAL_LEN, "%s", v);
}

/* Parses tshark's indented tree. A packet starts at a column-0 line, a message at
 * "Message:" or "Tcp Message:", a group at its dimension ("Group Size:"), an
 * entry at "[... Index: N]". MatchEventIndicator's bit lines become one row
 * "MEI" with the byte they spell. */
static void text_load(const char *path, struct text *t)
{
    FILE *f = fopen(path, "r");
    cr_assert(ne(ptr, (void *)f, NULL), "cannot open %s", path);
    char line[512];
    int pkt = -1, msg = -1, grp = -1, ent = -1, mei = -1, lines = 0;
    t->n = 0;
    while (fgets(line, sizeof line, f) && lines++ < 100000) {
        if (line[0] != ' ') {
            if (!strncmp(line, "Cme Globex", 10)) /* not "802.1Q Virtual LAN, ..." */
                pkt++, msg = -1, grp = -1, ent = -1;
            continue;
        }
        char *s = trim(line);
        if (!*s)
            continue;
        if (!strcmp(s, "Message:") || !strcmp(s, "Tcp Message:")) {
            msg++, grp = -1, ent = -1;
            continue;
        }
        if (!strcmp(s, "Group Size:") || !strcmp(s, "Group Size 8 Byte:")) {
            grp++, ent = -1;
            continue;
        }
        if (s[0] == '[') {
            const char *n = strstr(s, "Index: ");
            cr_assert(ne(ptr, (void *)n, NULL), "%s: odd line %s", path, s);
            ent = atoi(n + 7) - 1;
            continue;
        }
        const char *eq = strstr(s, " = ");
        if (eq && eq - s == 9) {
            /* ".... .1.. = Last Quote Msg: Yes (1)": the bit is the 0/1 in the mask. */
            for (int i = 0, bit = 7; i < 9; i++) {
                if (s[i] == ' ')
                    continue;
                if (s[i] == '1' && mei >= 0)
                    t->rows[mei].val[0] |= (char)(1u << bit);
                bit--;
            }
            continue;
        }
        mei = -1;
        if (!strncmp(s, "Match Event Indicator:", 22)) { /* bits named, or nothing */
            text_add(t, pkt, msg, grp, ent, "MEI", "");
            mei = t->n - 1;
            t->rows[mei].val[0] = 0;
            t->rows[mei].val[1] = 0;
            continue;
        }
        char *colon = strstr(s, ": ");
        if (!colon)
            continue; /* a section heading */
        *colon = '\0';
        text_add(t, pkt, msg, grp, ent, s, colon + 2);
    }
    fclose(f);
    t->n_pkts = pkt + 1;
}

/* The row with key at this place; NULL if the text has none. */
static struct row *text_find(struct text *t, int pkt, int msg, int grp, int ent, const char *key)
{
    for (int i = 0; i < t->n; i++) {
        struct row *r = &t->rows[i];
        if (r->pkt == pkt && r->msg == msg && r->grp == grp && r->ent == ent &&
            !strcmp(r->key, key)) {
            r->used = true;
            return r;
        }
    }
    return NULL;
}

static bool is_null_text(const char *v)
{
    return !strcmp(v, "No Value");
}

/* "Delete (2)" -> 2, "Offer (1)" -> '1' as a char code only when asked; "157660" -> 157660. */
static long long text_int(const char *v)
{
    const char *par = strrchr(v, '(');
    return strtoll(par ? par + 1 : v, NULL, 10);
}

/* "Bid (0)" -> '0', "Book Reset (J)" -> 'J'. */
static char text_char(const char *v)
{
    const char *par = strrchr(v, '(');
    cr_assert(ne(ptr, (void *)par, NULL), "no (char) in '%s'", v);
    return par[1];
}

/* "12068.25" -> 12068250000000 (1e-9 fixed point), exactly. */
static int64_t text_px(const char *v)
{
    int64_t sign = 1, ip = 0, frac = 0, scale = 1000000000;
    if (*v == '-')
        sign = -1, v++;
    while (*v >= '0' && *v <= '9')
        ip = ip * 10 + (*v++ - '0');
    if (*v == '.')
        for (v++; *v >= '0' && *v <= '9' && scale > 1; v++)
            scale /= 10, frac += (*v - '0') * scale;
    return sign * (ip * 1000000000 + frac);
}

/* "2018-09-12 13:55:36.898363329" (UTC) -> ns since the epoch. */
static uint64_t text_time(const char *v)
{
    struct tm tm = {0};
    char frac[16] = "";
    int n = sscanf(v, "%d-%d-%d %d:%d:%d.%15[0-9]", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, frac);
    cr_assert(eq(int, n, 7), "bad time '%s'", v);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    uint64_t ns = 0;
    for (int i = 0; i < 9; i++)
        ns = ns * 10 + (frac[i] >= '0' && frac[i] <= '9' ? (uint64_t)(frac[i] - '0') : 0);
    return (uint64_t)timegm(&tm) * 1000000000ull + ns;
}

/* A place in the text: packet, message, group, entry. */
struct at {
    struct text *t;
    int pkt, msg, grp, ent;
    const char *file;
    int n_compared;
};

/* Finds the first of up to two names (the dissector names sizes by version). */
static struct row *at_row(struct at *a, const char *key, const char *alt)
{
    struct row *r = text_find(a->t, a->pkt, a->msg, a->grp, a->ent, key);
    if (!r && alt)
        r = text_find(a->t, a->pkt, a->msg, a->grp, a->ent, alt);
    if (r)
        a->n_compared++;
    return r;
}

#define WHERE(a) "%s pkt %d msg %d grp %d ent %d", (a)->file, (a)->pkt, (a)->msg, (a)->grp, (a)->ent

/* Compares an integer field; a text "No Value" must be our null. Absent: nothing. */
static void chk_int(struct at *a, const char *key, const char *alt, long long got, long long null)
{
    struct row *r = at_row(a, key, alt);
    if (!r)
        return;
    long long want = is_null_text(r->val) ? null : text_int(r->val);
    cr_expect(eq(i64, got, want), "%s: " WHERE(a), key);
}

static void chk_px(struct at *a, const char *key, const char *alt, int64_t got)
{
    struct row *r = at_row(a, key, alt);
    if (!r)
        return;
    int64_t want = is_null_text(r->val) ? MDP3_PX_NULL : text_px(r->val);
    cr_expect(eq(i64, got, want), "%s '%s': " WHERE(a), key, r->val);
}

static void chk_char(struct at *a, const char *key, char got)
{
    struct row *r = at_row(a, key, NULL);
    if (r)
        cr_expect(eq(chr, got, text_char(r->val)), "%s: " WHERE(a), key);
}

/* Every row of a decoded message must have been compared (paddings aside). */
static void chk_all_used(struct text *t, int pkt, int msg, const char *file)
{
    for (int i = 0; i < t->n; i++) {
        const struct row *r = &t->rows[i];
        if (r->pkt != pkt || r->msg != msg || r->used || !strncmp(r->key, "Padding", 7))
            continue;
        cr_expect(r->used, "%s pkt %d msg %d: field '%s: %s' is not compared", file, pkt, msg,
                  r->key, r->val);
    }
}

/* Group dimension rows: "Block Length" and "Num In Group" at entry -1. */
static void chk_dim(struct at *a, int grp, const struct mdp3_group *g)
{
    struct at d = *a;
    d.grp = grp, d.ent = -1, d.n_compared = 0;
    chk_int(&d, "Block Length", NULL, g->block_len, -1);
    chk_int(&d, "Num In Group", NULL, g->n, -1);
    a->n_compared += d.n_compared;
}

static void chk_root(struct at *a, const struct mdp3_incr *m)
{
    a->grp = -1, a->ent = -1;
    struct row *r = at_row(a, "Transact Time", NULL);
    cr_assert(ne(ptr, (void *)r, NULL), "no Transact Time: " WHERE(a));
    cr_expect(eq(u64, m->transact_time_ns, text_time(r->val)), "Transact Time: " WHERE(a));
    r = at_row(a, "MEI", NULL);
    cr_assert(ne(ptr, (void *)r, NULL), "no MatchEventIndicator: " WHERE(a));
    cr_expect(eq(u8, m->mei, (uint8_t)r->val[0]), "MEI: " WHERE(a));
}

static void chk_volume37(struct at *a, const struct mdp3_msg *msg)
{
    struct mdp3_incr m;
    cr_assert(eq(int, mdp3_volume37_decode(msg, &m), GT_OK), WHERE(a));
    chk_root(a, &m);
    chk_dim(a, 0, &m.entries);
    for (size_t i = 0; i < m.entries.n; i++) {
        struct mdp3_volume37_entry e;
        mdp3_volume37_entry(&m, i, &e);
        a->grp = 0, a->ent = (int)i;
        chk_int(a, "Md Entry Size", "Md Entry Size Short", e.size, MDP3_I32_NULL);
        chk_int(a, "Security Id", NULL, e.security_id, MDP3_I32_NULL);
        chk_int(a, "Rpt Seq", NULL, e.rpt_seq, MDP3_U32_NULL);
        chk_int(a, "Md Update Action", NULL, e.update_action, MDP3_U8_NULL);
    }
}

static void chk_book46(struct at *a, const struct mdp3_msg *msg)
{
    struct mdp3_incr m;
    cr_assert(eq(int, mdp3_book46_decode(msg, &m), GT_OK), WHERE(a));
    chk_root(a, &m);
    chk_dim(a, 0, &m.entries);
    for (size_t i = 0; i < m.entries.n; i++) {
        struct mdp3_book46_entry e;
        mdp3_book46_entry(&m, i, &e);
        a->grp = 0, a->ent = (int)i;
        chk_px(a, "Md Entry Px Optional Ex", "Md Entry Px Optional", e.px);
        chk_int(a, "Md Entry Size Short Optional", "Md Entry Size Optional", e.size, MDP3_I32_NULL);
        chk_int(a, "Security Id", NULL, e.security_id, MDP3_I32_NULL);
        chk_int(a, "Rpt Seq", NULL, e.rpt_seq, MDP3_U32_NULL);
        chk_int(a, "Number Of Orders Optional", NULL, e.n_orders, MDP3_I32_NULL);
        chk_int(a, "Md Price Level", NULL, e.price_level, MDP3_U8_NULL);
        chk_int(a, "Md Update Action", NULL, e.update_action, MDP3_U8_NULL);
        chk_char(a, "Md Entry Type Book", e.entry_type);
        /* v9 has no TradeableSize: it lies in the 5 padding bytes the text shows. */
        cr_expect(eq(i32, e.tradeable_size, MDP3_I32_NULL), WHERE(a));
    }
    chk_dim(a, 1, &m.orders);
    for (size_t i = 0; i < m.orders.n; i++) {
        struct mdp3_book46_order o;
        mdp3_book46_order(&m, i, &o);
        a->grp = 1, a->ent = (int)i;
        chk_int(a, "Order Id", NULL, (long long)o.order_id, -1);
        chk_int(a, "Md Order Priority", NULL, (long long)o.priority, -1);
        chk_int(a, "Md Display Qty Optional", NULL, o.display_qty, MDP3_I32_NULL);
        chk_int(a, "Reference Id", NULL, o.reference_id, MDP3_U8_NULL);
        chk_int(a, "Order Update Action", NULL, o.order_update_action, MDP3_U8_NULL);
    }
}

static void chk_orderbook47(struct at *a, const struct mdp3_msg *msg)
{
    struct mdp3_incr m;
    cr_assert(eq(int, mdp3_orderbook47_decode(msg, &m), GT_OK), WHERE(a));
    chk_root(a, &m);
    chk_dim(a, 0, &m.entries);
    for (size_t i = 0; i < m.entries.n; i++) {
        struct mdp3_orderbook47_entry e;
        mdp3_orderbook47_entry(&m, i, &e);
        a->grp = 0, a->ent = (int)i;
        chk_int(a, "Order Id Optional", NULL, (long long)e.order_id, -1);
        chk_int(a, "Md Order Priority", "Md Order Priority Optional", (long long)e.priority, -1);
        chk_px(a, "Md Entry Px Optional Ex", "Md Entry Px Optional", e.px);
        chk_int(a, "Md Display Qty Optional", NULL, e.display_qty, MDP3_I32_NULL);
        chk_int(a, "Security Id", NULL, e.security_id, MDP3_I32_NULL);
        chk_int(a, "Md Update Action", NULL, e.update_action, MDP3_U8_NULL);
        chk_char(a, "Md Entry Type Book", e.entry_type);
    }
}

static void chk_trade48(struct at *a, const struct mdp3_msg *msg)
{
    struct mdp3_incr m;
    cr_assert(eq(int, mdp3_trade48_decode(msg, &m), GT_OK), WHERE(a));
    chk_root(a, &m);
    chk_dim(a, 0, &m.entries);
    for (size_t i = 0; i < m.entries.n; i++) {
        struct mdp3_trade48_entry e;
        mdp3_trade48_entry(&m, i, &e);
        a->grp = 0, a->ent = (int)i;
        chk_px(a, "Md Entry Px Ex", "Md Entry Px", e.px);
        chk_int(a, "Md Entry Size Short", "Md Entry Size", e.size, MDP3_I32_NULL);
        chk_int(a, "Security Id", NULL, e.security_id, MDP3_I32_NULL);
        chk_int(a, "Rpt Seq", NULL, e.rpt_seq, MDP3_U32_NULL);
        chk_int(a, "Number Of Orders", NULL, e.n_orders, MDP3_I32_NULL);
        chk_int(a, "Aggressor Side", NULL, e.aggressor_side, MDP3_U8_NULL);
        chk_int(a, "Md Update Action", NULL, e.update_action, MDP3_U8_NULL);
        chk_int(a, "Md Trade Entry Id", NULL, e.trade_entry_id, MDP3_U32_NULL);
    }
    chk_dim(a, 1, &m.orders);
    for (size_t i = 0; i < m.orders.n; i++) {
        struct mdp3_trade48_order o;
        mdp3_trade48_order(&m, i, &o);
        a->grp = 1, a->ent = (int)i;
        chk_int(a, "Order Id", NULL, (long long)o.order_id, -1);
        chk_int(a, "Last Qty", NULL, o.last_qty, MDP3_I32_NULL);
    }
}

static void chk_limits50(struct at *a, const struct mdp3_msg *msg)
{
    struct mdp3_incr m;
    cr_assert(eq(int, mdp3_limits50_decode(msg, &m), GT_OK), WHERE(a));
    chk_root(a, &m);
    chk_dim(a, 0, &m.entries);
    for (size_t i = 0; i < m.entries.n; i++) {
        struct mdp3_limits50_entry e;
        mdp3_limits50_entry(&m, i, &e);
        a->grp = 0, a->ent = (int)i;
        chk_px(a, "High Limit Price Ex", "High Limit Price", e.high_limit_px);
        chk_px(a, "Low Limit Price Ex", "Low Limit Price", e.low_limit_px);
        chk_px(a, "Max Price Variation Ex", "Max Price Variation", e.max_price_variation_px);
        chk_int(a, "Security Id", NULL, e.security_id, MDP3_I32_NULL);
        chk_int(a, "Rpt Seq", NULL, e.rpt_seq, MDP3_U32_NULL);
    }
}

/* What one sample file gave: counts for the report printed by each test. */
struct tally {
    int n_pkts, n_msgs, n_decoded, n_framed_only, n_fields;
};

/* Decodes one MDP packet (12-byte header first) and compares it with packet pkt of
 * the text. version is the schema version the folder holds. */
static void chk_packet(struct text *t, int pkt, const uint8_t *p, size_t len, int version, bool tcp,
                       const char *file, struct tally *ty)
{
    struct mdp3_pkt pk;
    cr_assert(eq(int, mdp3_pkt_init(&pk, p, len), GT_OK), "%s", file);
    struct at a = {t, pkt, -1, -1, -1, file, 0};
    if (tcp) {
        chk_int(&a, "Message Sequence Number", NULL, pk.seq, -1);
        chk_int(&a, "Tcp Sending Time", NULL, (long long)pk.sending_time_ns, -1);
    } else {
        chk_int(&a, "Packet Sequence Number", NULL, pk.seq, -1);
        struct row *r = at_row(&a, "Sending Time", NULL);
        cr_assert(ne(ptr, (void *)r, NULL), "%s: no Sending Time", file);
        cr_expect(eq(u64, pk.sending_time_ns, text_time(r->val)), "%s: Sending Time", file);
    }
    cr_expect(eq(int, a.n_compared, 2), "%s: packet header not in the text", file);
    struct mdp3_msg msg;
    int rc, n = 0;
    while ((rc = mdp3_pkt_next(&pk, &msg)) > 0 && n < 1000) {
        a.msg = n++, a.grp = -1, a.ent = -1;
        cr_expect(eq(u16, msg.schema_id, MDP3_SCHEMA_MDP), "%s msg %d", file, a.msg);
        cr_expect(eq(u16, msg.version, version), "%s msg %d", file, a.msg);
        chk_int(&a, "Message Size", "Tcp Message Size", (long long)msg.len, -1);
        chk_int(&a, "Block Length", NULL, msg.block_len, -1);
        chk_int(&a, "Template Id", NULL, msg.template_id, -1);
        /* The dissector prints placeholders for these two: checked above instead. */
        struct row *sid = at_row(&a, "Schema Id", NULL), *ver = at_row(&a, "Version", NULL);
        cr_expect(sid && ver && !strcmp(sid->val, "SchemaId") && !strcmp(ver->val, "Version"),
                  "%s msg %d: Schema Id and Version as placeholders", file, a.msg);
        bool decoded = true;
        switch (msg.template_id) {
        case MDP3_T_VOLUME37:
            chk_volume37(&a, &msg);
            break;
        case MDP3_T_BOOK46:
            chk_book46(&a, &msg);
            break;
        case MDP3_T_ORDER_BOOK47:
            chk_orderbook47(&a, &msg);
            break;
        case MDP3_T_TRADE_SUMMARY48:
            chk_trade48(&a, &msg);
            break;
        case MDP3_T_LIMITS_BANDING50:
            chk_limits50(&a, &msg);
            break;
        default:
            decoded = false; /* framed by MsgSize and skipped, as tickfeed does */
        }
        if (decoded) {
            chk_all_used(t, pkt, a.msg, file);
            ty->n_decoded++;
        } else {
            ty->n_framed_only++;
        }
    }
    cr_expect(eq(int, rc, 0), "%s: framing ended with %d at byte %zu", file, rc, pk.err_off);
    /* Every message the text shows was framed. */
    for (int i = 0; i < t->n; i++)
        if (t->rows[i].pkt == pkt)
            cr_expect(lt(int, t->rows[i].msg, n), "%s: text has message %d, we framed %d", file,
                      t->rows[i].msg, n);
    ty->n_msgs += n;
    ty->n_fields += a.n_compared;
    ty->n_pkts++;
}

/* ---- sample files ------------------------------------------------------- */

/* Reads a UDP capture (or raw .bin) and checks it against its decoded.txt. */
static void chk_udp_sample(const char *rel, int version)
{
    char dir[1024], path[1200], txt[1200];
    cr_assert_not_null(samples_dir(dir, sizeof dir), "%s", dir);
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    snprintf(txt, sizeof txt, "%.*s.decoded.txt", (int)(strrchr(path, '.') - path), path);
    static struct text t;
    text_load(txt, &t);
    struct pcap_reader r;
    char err[GT_ERRLEN];
    cr_assert(eq(int, pcap_reader_open(&r, path, err), GT_OK), "%s: %s", path, err);
    struct pcap_rec rec;
    struct tally ty = {0};
    int rc, n = 0;
    while ((rc = pcap_reader_next(&r, &rec)) > 0 && n < MAX_PKTS)
        chk_packet(&t, n++, rec.p, rec.len, version, false, rel, &ty);
    cr_expect(eq(int, rc, 0), "%s: capture ended with %d", rel, rc);
    cr_expect(eq(int, n, t.n_pkts), "%s: %d packets, text has %d", rel, n, t.n_pkts);
    cr_expect(eq(u64, r.n_skipped, 0));
    pcap_reader_close(&r);
    cr_log_info("%s: %d packet(s), %d message(s): %d decoded field by field, %d framed and "
                "skipped; %d fields equal",
                rel, ty.n_pkts, ty.n_msgs, ty.n_decoded, ty.n_framed_only, ty.n_fields);
    cr_assert(gt(int, ty.n_fields, 0));
}

Test(mdp3_samples, v9_book46)
{
    chk_udp_sample("Mdp3.Sbe.v1.9/MdIncrementalRefreshBook.pcap", 9);
}

Test(mdp3_samples, v9_order_book47)
{
    chk_udp_sample("Mdp3.Sbe.v1.9/MdIncrementalRefreshOrderBook.pcap", 9);
}

Test(mdp3_samples, v9_trade_summary48)
{
    chk_udp_sample("Mdp3.Sbe.v1.9/MdIncrementalRefreshTradeSummary.pcap", 9);
}

Test(mdp3_samples, v9_volume37)
{
    chk_udp_sample("Mdp3.Sbe.v1.9/MdIncrementalRefreshVolume.pcap", 9);
}

Test(mdp3_samples, v8_trade_summary)
{
    chk_udp_sample("Mdp3.Sbe.v1.8/MdIncrementalRefreshTradeSummary.pcap", 8);
}

Test(mdp3_samples, v5_book)
{
    chk_udp_sample("Mdp3.Sbe.v1.5/MdIncrementalRefreshBook.pcap", 5);
}

Test(mdp3_samples, v5_session_statistics)
{
    chk_udp_sample("Mdp3.Sbe.v1.5/MdIncrementalRefreshSessionStatistics.pcap", 5);
}

Test(mdp3_samples, v5_trade_summary)
{
    chk_udp_sample("Mdp3.Sbe.v1.5/MdIncrementalRefreshTradeSummary.pcap", 5);
}

Test(mdp3_samples, v5_volume)
{
    chk_udp_sample("Mdp3.Sbe.v1.5/MdIncrementalRefreshVolume.pcap", 5);
}

Test(mdp3_samples, v5_instrument_definition_spread)
{
    chk_udp_sample("Mdp3.Sbe.v1.5/MdInstrumentDefinitionSpread.pcap", 5);
}

Test(mdp3_samples, cme_worked_example_pcap)
{
    chk_udp_sample("cme_wiki_example/cme_wiki_sbe_decoding_example_template50.pcap", 9);
}

/* The .bin holds the bare UDP payload: the reader takes it as one raw packet. */
Test(mdp3_samples, cme_worked_example_raw)
{
    char dir[1024], path[1200];
    cr_assert_not_null(samples_dir(dir, sizeof dir), "%s", dir);
    snprintf(path, sizeof path, "%s/cme_wiki_example/cme_wiki_sbe_decoding_example_template50.bin",
             dir);
    struct pcap_reader r;
    char err[GT_ERRLEN];
    cr_assert(eq(int, pcap_reader_open(&r, path, err), GT_OK), "%s", err);
    cr_assert(eq(int, r.format, PCAP_FMT_RAW));
    struct pcap_rec rec;
    cr_assert(eq(int, pcap_reader_next(&r, &rec), 1));
    cr_assert(eq(sz, rec.len, 68));
    static struct text t;
    snprintf(path, sizeof path,
             "%s/cme_wiki_example/cme_wiki_sbe_decoding_example_template50.decoded.txt", dir);
    text_load(path, &t);
    struct tally ty = {0};
    chk_packet(&t, 0, rec.p, rec.len, 9, false, "template50.bin", &ty);
    cr_assert(eq(int, ty.n_decoded, 1));
    /* Every field CME's page shows (MsgSeqNum 703398, LowLimitPrice 9000, ...) compared;
     * test_mdp3's golden_limits50 holds the same bytes for clones without samples. */
    cr_assert(eq(int, ty.n_fields, 16));
    pcap_reader_close(&r);
}

/* ---- v1.12: TCP in the 0xCAFE framing ----------------------------------- */

/* The TCP payload of the capture's only frame (Ethernet/IPv4/TCP), or len 0. */
static void tcp_payload(const struct pcap_reader *r, const uint8_t **p, size_t *len)
{
    /* pcap_reader skips TCP, so this walks the one record by hand (libpcap, LE, us). */
    const uint8_t *f = r->p + PCAP_FILE_HDR_LEN;
    cr_assert(ge(sz, r->len, (size_t)PCAP_FILE_HDR_LEN + PCAP_REC_HDR_LEN + 54));
    size_t incl = ld_le32(f + 8);
    cr_assert(le(sz, incl, r->len - PCAP_FILE_HDR_LEN - PCAP_REC_HDR_LEN));
    const uint8_t *eth = f + PCAP_REC_HDR_LEN;
    cr_assert(eq(int, eth[12] << 8 | eth[13], 0x0800));
    const uint8_t *ip = eth + 14;
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    cr_assert(eq(int, ip[9], 6), "TCP");
    size_t ip_len = (size_t)(ip[2] << 8 | ip[3]);
    const uint8_t *tcp = ip + ihl;
    size_t doff = (size_t)(tcp[12] >> 4) * 4;
    cr_assert(le(sz, 14 + ip_len, incl));
    *p = tcp + doff;
    *len = ip_len - ihl - doff;
}

/* Each v1.12 capture: the reader skips the TCP frame (it reads UDP feeds); the test
 * strips the 2-byte encodingType 0xCAFE and decodes the rest as an MDP packet. */
static void chk_tcp_sample(const char *name, bool has_text)
{
    char dir[1024], path[1200];
    cr_assert_not_null(samples_dir(dir, sizeof dir), "%s", dir);
    snprintf(path, sizeof path, "%s/Mdp3.Sbe.v1.12/%s.pcap", dir, name);
    struct pcap_reader r;
    char err[GT_ERRLEN];
    cr_assert(eq(int, pcap_reader_open(&r, path, err), GT_OK), "%s", err);
    struct pcap_rec rec;
    cr_assert(eq(int, pcap_reader_next(&r, &rec), 0), "no UDP in %s", name);
    cr_assert(eq(u64, r.n_skipped, 1), "the TCP frame is skipped and counted");
    const uint8_t *p;
    size_t len;
    tcp_payload(&r, &p, &len);
    if (!has_text) {
        /* A TCP session message (FIX-like, not MDP SBE): nothing to decode. */
        cr_log_info("v1.12 %s: TCP session message, %zu payload bytes, skipped", name, len);
        pcap_reader_close(&r);
        return;
    }
    cr_assert(ge(sz, len, 2u + MDP3_PKT_HDR_LEN));
    cr_assert(eq(u16, ld_le16(p), 0xCAFE), "encodingType");
    static struct text t;
    snprintf(path, sizeof path, "%s/Mdp3.Sbe.v1.12/%s.decoded.txt", dir, name);
    text_load(path, &t);
    struct tally ty = {0};
    chk_packet(&t, 0, p + 2, len - 2, 12, true, name, &ty);
    cr_log_info("v1.12 %s: %d message(s) framed (LongQty templates, not decoded); %d fields "
                "equal",
                name, ty.n_msgs, ty.n_fields);
    pcap_reader_close(&r);
}

Test(mdp3_samples, v12_tcp_book_long_qty)
{
    chk_tcp_sample("MdIncrementalRefreshBookLongQty", true);
}

Test(mdp3_samples, v12_tcp_trade_summary_long_qty)
{
    chk_tcp_sample("MdIncrementalRefreshTradeSummaryLongQty", true);
}

Test(mdp3_samples, v12_tcp_snapshot_long_qty)
{
    chk_tcp_sample("SnapshotFullRefreshTcpLongQty.Tcp", true);
}

Test(mdp3_samples, v12_tcp_session_messages_skipped)
{
    chk_tcp_sample("RequestAck.Tcp", false);
    chk_tcp_sample("SecurityListRequest.Tcp", false);
    chk_tcp_sample("SecurityStatusRequest.Tcp", false);
    chk_tcp_sample("SubscriberHeartbeat.Tcp", false);
}
