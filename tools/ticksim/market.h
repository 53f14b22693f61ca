/* SPDX-License-Identifier: MIT */
/* market.h -- the simulated GPU compute-futures market, independent of the wire.
 *
 * Four products (H100, H200, B200, A100 GPU-hour futures), twelve monthly
 * contracts each, one rental index per product. Each index is an
 * Ornstein-Uhlenbeck log-price with jumps; each contract's fair value is the
 * index times a term structure that drifts between contango and backwardation.
 * Books are MBP, MARKET_DEPTH levels a side, moved by Poisson order flow and
 * trades (sweeps included); a large index jump halts its product for a
 * while; a contract that expires settles on the mean of its month's fixings
 * and its book empties. Every parameter is a labelled assumption in struct
 * market_config (docs/ticksim.md lists them).
 *
 * market_next() advances simulated time to the next match event and returns
 * its entries in the order a correct MDP 3.0 sender would put them on the
 * wire; the books kept here are exactly what an MBP receiver rebuilds from
 * those entries (New inserts and shifts worse levels down, the level pushed
 * past the depth is dropped; Delete shifts worse levels up; DeleteFrom level
 * N removes levels 1..N; DeleteThru empties the side). Everything is a
 * function of the seed and the config: no rand(), no wall clock. The caller
 * owns struct market; nothing here allocates. */
#ifndef GT_MARKET_H
#define GT_MARKET_H
#include <stdbool.h>
#include <stdint.h>
#include "gputick/calendar.h"

enum {
    MARKET_N_PRODUCTS = 4,
    MARKET_N_MONTHS = 12,
    MARKET_N_OUTRIGHT = MARKET_N_PRODUCTS * MARKET_N_MONTHS,
    MARKET_N_SPREADS = MARKET_N_MONTHS, /* per product: 11 consecutive, front vs third */
    /* Outrights first (product, month), then spreads (product, spread). */
    MARKET_N_INSTR = MARKET_N_OUTRIGHT + MARKET_N_PRODUCTS * MARKET_N_SPREADS,
    MARKET_DEPTH = 10,
    MARKET_IMPLIED_DEPTH = 2, /* GBI MarketDepth: implied levels a side */
    /* Entries in one match event, at most: an event moves the books of one
     * product (at most 72 entries, a close), and the implied books of its 24
     * instruments change by at most 4 entries a side each (192). */
    MARKET_EV_MAX = 320,
    MARKET_SYMLEN = 20,
    MARKET_BUSTS_MAX = 256, /* busts pending at once; a trade past that is not busted */
};

/* All assumptions; market_config_default() fills the documented defaults. */
struct market_config {
    uint64_t seed;
    int64_t start_ns;                /* simulated time starts here */
    int64_t tick_px;                 /* 5000000 = $0.005 per GPU-hour */
    int32_t unit_gpuh;               /* UnitOfMeasureQty: GPU-hours per contract */
    double level[MARKET_N_PRODUCTS]; /* long-run index level, $/GPU-h */
    double kappa;                    /* mean reversion per day of the log index */
    double sigma;                    /* daily volatility of the log index */
    double jump_per_day;             /* expected jumps per day per index */
    double jump_sigma;               /* log size of a jump */
    double basis_sigma;              /* daily volatility of the annual carry */
    double basis_max;                /* |annual carry| bound (contango > 0) */
    double flow_per_s;               /* order-flow events per second per product in session */
    double trade_share;              /* share of flow events that trade */
    double sweep_share;              /* share of trades that sweep whole levels */
    double spread_share;             /* share of flow events on a calendar spread */
    uint32_t bust_every;             /* bust every Nth trade id (0: no busts) */
    int64_t bust_after_ns;           /* how long after its trade a bust comes */
    double halt_jump;                /* |log jump| of an index that halts its futures */
    int64_t halt_ns;                 /* how long such a halt lasts */
    int64_t index_every_ns;          /* indicative index interval */
    int64_t preopen_ns, open_ns, fixing_ns, close_ns; /* offsets in the UTC day */
    const struct gt_calendar *calendar; /* holidays (calendar.h); NULL: every weekday trades */
};

enum market_kind {
    MK_BOOK = 1, /* 46: action, side, level, px, qty, n_orders */
    MK_TRADE,    /* 48: px, qty, aggressor, n_orders, trade_id; action 2: a bust */
    MK_VOLUME,   /* 37: qty = cumulative day volume */
    MK_DSTAT,    /* 49: stat '6' settle, 'B' cleared volume, 'C' open interest */
    MK_SSTAT,    /* 51: stat '4' open, '7' high, '8' low */
    MK_STATUS,   /* 30: status (21 pre-open, 17 open, 2 halt, 4 close) */
    MK_INDEX,    /* 348: index value, code 1 indicative, 5 close (fixing) */
};

struct market_entry {
    uint8_t kind;
    uint8_t action;    /* MDUpdateAction: 0 New 1 Change 2 Delete 3 DeleteThru 4 DeleteFrom */
    char side;         /* '0' bid, '1' offer (book) */
    char stat;         /* statistic entry type */
    uint8_t level;     /* 1..MARKET_DEPTH */
    uint8_t aggressor; /* 1 buy, 2 sell; 0 for a leg print */
    uint8_t status;
    uint8_t code;  /* index MDEntryCode */
    int32_t instr; /* index into market.instr, or index number for MK_INDEX */
    int32_t security_id;
    uint32_t rpt_seq;
    int32_t qty;
    int32_t n_orders;
    uint32_t trade_id;
    int32_t leg_of; /* MK_TRADE: a leg print of the trade of spread leg_of; 0 otherwise */
    int64_t px;     /* 1e-9 */
};

struct market_event {
    int64_t t_ns;
    int n;
    struct market_entry e[MARKET_EV_MAX];
};

struct market_level {
    int64_t px;
    int32_t qty;
    int32_t n_orders;
};

/* A trade to be cancelled: its entry, and when the bust comes. */
struct market_bust {
    int64_t due_ns;
    struct market_entry trade;
};

struct market_instr {
    char symbol[MARKET_SYMLEN];
    char product[7];
    int32_t security_id;
    int product_ix;
    int year, month; /* maturity */
    int64_t activation_ns;
    int64_t last_trade_ns; /* last business day of the month, close */
    uint32_t rpt_seq;
    int n_bid, n_ask;
    struct market_level bid[MARKET_DEPTH], ask[MARKET_DEPTH];
    int64_t open_px, high_px, low_px, last_px, settle_px;
    bool has_open; /* traded today: open, high and low are set (a spread's may be 0) */
    int32_t volume, open_interest;
    uint8_t status;
    bool expired; /* past its last trade: settled, book emptied, no flow */
    /* A calendar spread: buy leg[0] (near month), sell leg[1] (far), one lot
     * each; its price is near - far. Its maturity and last trade are the near
     * leg's. */
    bool spread;
    int leg[2];
    /* The implied book (MDEntryType E/F) as published: spread.h. */
    int n_ibid, n_iask;
    struct market_level ibid[MARKET_IMPLIED_DEPTH], iask[MARKET_IMPLIED_DEPTH];
};

struct market {
    struct market_config cfg;
    uint64_t rng[4];
    int64_t now_ns;
    int64_t next_index_ns, next_flow_ns, next_cal_ns;
    double log_ix[MARKET_N_PRODUCTS];
    double carry[MARKET_N_PRODUCTS];
    int64_t index_px[MARKET_N_PRODUCTS];
    uint32_t index_rpt[MARKET_N_PRODUCTS];
    uint32_t trade_id;
    /* Busts pending, a ring in due order (one delay for all). */
    struct market_bust bust[MARKET_BUSTS_MAX];
    int bust_head, n_bust;
    int64_t resume_ns[MARKET_N_PRODUCTS]; /* end of a product's halt; 0 if none */
    int64_t fix_sum[MARKET_N_PRODUCTS];   /* official fixings of fix_month, 1e-9 */
    int fix_n[MARKET_N_PRODUCTS];
    int fix_month[MARKET_N_PRODUCTS]; /* YYYYMM */
    int cal_step;                     /* next calendar action of the day */
    int cal_sub;                      /* product or instrument within it */
    struct market_instr instr[MARKET_N_INSTR];
};

extern const char *const market_product[MARKET_N_PRODUCTS];
extern const char *const market_index_name[MARKET_N_PRODUCTS];

/* Fills the defaults (documented in docs/ticksim.md). */
void market_config_default(struct market_config *c);

/* Lists the instruments and sets the opening books. Returns GT_OK or
 * GT_EINVAL for a config outside its ranges. */
int market_init(struct market *m, const struct market_config *c);

/* The simulated time of the next match event market_next() will return; the
 * books are still as they were before it. */
int64_t market_peek_ns(const struct market *m);

/* Advances to the next match event, fills *ev, returns GT_OK. */
int market_next(struct market *m, struct market_event *ev);

/* After a ChannelReset4: every RptSeq restarts, so the next entry of each
 * instrument carries RptSeq 1. The books and statistics here are kept. */
void market_reset(struct market *m);

/* Fills *ev with New entries (RptSeq from the instrument's next) that rebuild
 * instrument i's book on an empty receiver book, as the exchange resends book
 * state after a ChannelReset4. Leaves ev->n 0 for an empty book. */
void market_restate(struct market *m, int i, struct market_event *ev);

/* Fair value of instrument i now, 1e-9 $ rounded to the tick. */
int64_t market_fair_px(const struct market *m, int i);

/* Instrument k of product p: months 0..MARKET_N_MONTHS), then its spreads. */
int market_instr_of(int p, int k);

/* Appends an entry of kind for instrument i to ev, with the instrument's
 * SecurityID and next RptSeq (spread.c builds its entries with it). */
struct market_entry *market_entry_add(struct market *m, struct market_event *ev, uint8_t kind,
                                      int i);

/* The xoshiro256** generator, seeded by splitmix64; exposed for fault.c. */
void market_rng_seed(uint64_t s[4], uint64_t seed);
uint64_t market_rng_next(uint64_t s[4]);
double market_rng_unit(uint64_t s[4]); /* uniform in [0,1) */

#endif
