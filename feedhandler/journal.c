/* SPDX-License-Identifier: MIT */
/* journal.c -- segment files of CRC-checked records, written before publish.
 *
 * Writing: journal_append() encodes a record straight into the user-space
 * buffer (no allocation, no syscall); journal_flush() write()s the buffer to
 * the segment, opened O_APPEND. If write() fails part way (disk full) the
 * file is cut back with ftruncate() to the length it had before the flush and
 * the buffer is kept, so the file only ever holds whole records and a retry
 * writes the same bytes again. The segment length is tracked in memory; a new
 * segment is started (header written and, under an fsync policy, the file and
 * the directory synced) before the record that would pass the size limit, or
 * before the first record after the UTC day changed (checked once a flush).
 *
 * Reading: a segment cursor reads a file in large chunks into a buffer that
 * can hold the longest valid record and parses records out of it with
 * journal_record_parse(), the same function the fuzzer drives over arbitrary
 * bytes. journal_open() runs the cursor over the last segment to find the
 * intact prefix and the next sequence; the reader runs it across segments.
 *
 * Seeking: a sparse index per segment (journal.h) maps sequences to record
 * offsets, so a seek reads at most one stride of records instead of the
 * segment from its start. The writer adds an entry as it appends, for its
 * current segment and keeps the one of the segment before; a reader attached
 * to the writer uses those, and any reader keeps the indexes of the last few
 * segments it read, extended by every record it reads in order (a segment no
 * one indexed costs one scan, once).
 *
 * Ownership: a journal owns its directory fd, segment fd, buffers and two
 * indexes; a reader owns its fds, its segment list, its chunk buffer and its
 * index cache. */
#include "journal.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "gputick/bytes.h"
#include "gputick/crc32c.h"
#include "gputick/tick.h"
#include "gputick/time.h"

enum {
    CHUNK_LEN = JOURNAL_REC_HDR_LEN + JOURNAL_MAX_PAYLOAD + (1 << 16), /* any record fits */
    DEFAULT_BUF_LEN = 1 << 20,
};
#define DEFAULT_SEGMENT_LEN (UINT64_C(256) << 20)

static const uint8_t magic[4] = {'G', 'T', 'J', '1'};

/* ---- formats ---- */

void journal_header_encode(uint8_t *out, uint64_t first_seq, int64_t created_ns)
{
    memcpy(out, magic, 4);
    st_le16(out + 4, JOURNAL_VERSION);
    st_le16(out + 6, JOURNAL_HDR_LEN);
    st_le64(out + 8, first_seq);
    st_le64(out + 16, (uint64_t)created_ns);
    st_le32(out + 24, 0);
    st_le32(out + 28, gt_crc32c(0, out, 28));
}

int journal_header_parse(const uint8_t *p, size_t len, uint64_t *first_seq, int64_t *created_ns)
{
    if (len < JOURNAL_HDR_LEN)
        return GT_ETRUNC;
    if (memcmp(p, magic, 4) != 0 || ld_le16(p + 6) != JOURNAL_HDR_LEN)
        return GT_EBADMSG;
    if (ld_le16(p + 4) != JOURNAL_VERSION)
        return GT_EVERSION;
    if (ld_le32(p + 28) != gt_crc32c(0, p, 28))
        return GT_ECORRUPT;
    *first_seq = ld_le64(p + 8);
    *created_ns = (int64_t)ld_le64(p + 16);
    return GT_OK;
}

size_t journal_record_len(size_t topic_len, size_t n_records)
{
    return JOURNAL_REC_HDR_LEN + 2 + topic_len + n_records * GT_TICK_LEN;
}

void journal_record_encode(uint8_t *out, const char *topic, size_t topic_len,
                           const uint8_t *records, size_t n_records)
{
    size_t len = journal_record_len(topic_len, n_records) - JOURNAL_REC_HDR_LEN;
    uint8_t *pl = out + JOURNAL_REC_HDR_LEN;
    st_le16(pl, (uint16_t)topic_len);
    memcpy(pl + 2, topic, topic_len);
    memcpy(pl + 2 + topic_len, records, n_records * GT_TICK_LEN);
    st_le32(out, (uint32_t)len);
    st_le32(out + 4, gt_crc32c(0, pl, len));
}

int journal_record_parse(const uint8_t *p, size_t len, struct journal_msg *m)
{
    if (len < JOURNAL_REC_HDR_LEN)
        return GT_ETRUNC;
    uint32_t pl_len = ld_le32(p);
    if (pl_len < 2 + 1 + GT_TICK_LEN || pl_len > JOURNAL_MAX_PAYLOAD)
        return GT_EBADMSG;
    if (len - JOURNAL_REC_HDR_LEN < pl_len)
        return GT_ETRUNC;
    const uint8_t *pl = p + JOURNAL_REC_HDR_LEN;
    if (ld_le32(p + 4) != gt_crc32c(0, pl, pl_len))
        return GT_ECORRUPT;
    size_t tl = ld_le16(pl);
    if (tl < 1 || tl > JOURNAL_TOPIC_MAX || 2 + tl + GT_TICK_LEN > pl_len ||
        (pl_len - 2 - tl) % GT_TICK_LEN != 0)
        return GT_EBADMSG;
    m->topic = (const char *)pl + 2;
    m->topic_len = tl;
    m->records = pl + 2 + tl;
    m->n_records = (pl_len - 2 - tl) / GT_TICK_LEN;
    m->first_seq = ld_le64(m->records + 8);
    for (size_t i = 1; i < m->n_records; i++)
        if (ld_le64(m->records + i * GT_TICK_LEN + 8) != m->first_seq + i)
            return GT_EBADMSG;
    return (int)(JOURNAL_REC_HDR_LEN + pl_len);
}

int journal_scan_buf(const uint8_t *p, size_t len,
                     int (*cb)(const struct journal_msg *m, void *ctx), void *ctx,
                     size_t *valid_len)
{
    uint64_t seq;
    int64_t created_ns;
    *valid_len = 0;
    int rc = journal_header_parse(p, len, &seq, &created_ns);
    if (rc < 0)
        return rc;
    size_t off = JOURNAL_HDR_LEN;
    int n = 0;
    struct journal_msg m;
    while (off < len && (rc = journal_record_parse(p + off, len - off, &m)) > 0) {
        if (m.first_seq != seq)
            break;
        seq += m.n_records;
        off += (size_t)rc;
        n++;
        if (cb && cb(&m, ctx) != 0)
            break;
    }
    *valid_len = off;
    return n;
}

/* ---- the sparse index ---- */

enum {
    INDEX_CAP = 4096,            /* entries per segment; full, every other one goes */
    INDEX_STRIDE_MIN = 64 << 10, /* bytes of records between two entries, at first */
    READER_INDEXES = 4,          /* segments a reader keeps the index of */
};

/* Where records start in one segment: an entry every stride bytes or more,
 * and the end of the prefix indexed so far (the next record's offset and
 * sequence: records are indexed in file order only). */
struct seg_index {
    uint64_t seg;     /* the segment's first_seq (its name); 0: none */
    uint64_t end_off; /* records before this offset are indexed */
    uint64_t end_seq; /* the sequence of the record at end_off */
    uint64_t stride;
    uint64_t used; /* reader cache: when last used */
    uint32_t n;
    uint64_t seq[INDEX_CAP], off[INDEX_CAP];
};

static void index_reset(struct seg_index *ix, uint64_t seg)
{
    ix->seg = seg;
    ix->end_off = JOURNAL_HDR_LEN;
    ix->end_seq = seg;
    ix->stride = INDEX_STRIDE_MIN;
    ix->n = 0;
}

/* Notes the record of len bytes at off (which must be ix->end_off) holding
 * sequences seq .. seq + n - 1. */
static void index_add(struct seg_index *ix, uint64_t off, uint64_t seq, size_t len, size_t n)
{
    if (ix->n == 0 || off - ix->off[ix->n - 1] >= ix->stride) {
        if (ix->n == INDEX_CAP) { /* keep every other entry: the stride doubles */
            for (uint32_t i = 0; i < INDEX_CAP / 2; i++) {
                ix->seq[i] = ix->seq[2 * i];
                ix->off[i] = ix->off[2 * i];
            }
            ix->n = INDEX_CAP / 2;
            ix->stride *= 2;
        }
        if (ix->n == 0 || off - ix->off[ix->n - 1] >= ix->stride) {
            ix->seq[ix->n] = seq;
            ix->off[ix->n++] = off;
        }
    }
    ix->end_off = off + len;
    ix->end_seq = seq + n;
}

/* The indexed record start nearest below from_seq: its offset and sequence
 * (the segment's first record if none is). */
static void index_find(const struct seg_index *ix, uint64_t from_seq, uint64_t *off, uint64_t *seq)
{
    if (from_seq >= ix->end_seq) {
        *off = ix->end_off;
        *seq = ix->end_seq;
        return;
    }
    uint32_t lo = 0, hi = ix->n; /* the last entry with seq <= from_seq is below hi */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ix->seq[mid] <= from_seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0) {
        *off = JOURNAL_HDR_LEN;
        *seq = ix->seg;
    } else {
        *off = ix->off[lo - 1];
        *seq = ix->seq[lo - 1];
    }
}

/* ---- segment names and lists ---- */

static void seg_name(char out[JOURNAL_NAME_LEN], uint64_t first_seq)
{
    snprintf(out, JOURNAL_NAME_LEN, "j-%020" PRIu64 ".gtj", first_seq);
}

/* The first seq named by a segment file name, or -1 if it is not one. */
static int seg_parse_name(const char *name, uint64_t *first_seq)
{
    if (strlen(name) != JOURNAL_NAME_LEN - 1 || strncmp(name, "j-", 2) != 0 ||
        strcmp(name + 22, ".gtj") != 0)
        return -1;
    uint64_t v = 0;
    for (int i = 2; i < 22; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        uint64_t d = (uint64_t)(name[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *first_seq = v;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Lists the segments of dirfd into segs (cap JOURNAL_MAX_SEGMENTS), sorted. */
static int seg_list(int dirfd, uint64_t *segs, size_t *n, char *errmsg)
{
    int fd = dup(dirfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        snprintf(errmsg, GT_ERRLEN, "cannot list the journal: %s", strerror(errno));
        return GT_EIO;
    }
    rewinddir(d);
    *n = 0;
    struct dirent *e;
    int rc = GT_OK;
    while ((e = readdir(d)) != NULL) {
        uint64_t s;
        if (seg_parse_name(e->d_name, &s) != 0)
            continue;
        if (*n == JOURNAL_MAX_SEGMENTS) {
            snprintf(errmsg, GT_ERRLEN, "more than %d journal segments", JOURNAL_MAX_SEGMENTS);
            rc = GT_EINVAL;
            break;
        }
        segs[(*n)++] = s;
    }
    closedir(d);
    qsort(segs, *n, sizeof *segs, cmp_u64);
    return rc;
}

/* ---- the segment cursor ---- */

struct cursor {
    int fd;
    uint64_t base; /* file offset of buf[0] */
    uint8_t *buf;  /* CHUNK_LEN bytes */
    size_t len, pos;
};

/* Record offset in the file of the cursor's current position. */
static uint64_t cursor_off(const struct cursor *c)
{
    return c->base + c->pos;
}

static void cursor_start(struct cursor *c, int fd, uint64_t off)
{
    c->fd = fd;
    c->base = off;
    c->len = c->pos = 0;
}

/* Reads more of the file behind what is buffered. Returns bytes read, or -1. */
static ssize_t cursor_fill(struct cursor *c)
{
    if (c->pos > 0) {
        memmove(c->buf, c->buf + c->pos, c->len - c->pos);
        c->base += c->pos;
        c->len -= c->pos;
        c->pos = 0;
    }
    ssize_t r;
    do
        r = pread(c->fd, c->buf + c->len, CHUNK_LEN - c->len, (off_t)(c->base + c->len));
    while (r < 0 && errno == EINTR);
    if (r > 0)
        c->len += (size_t)r;
    return r;
}

/* The next record. Returns 1 and *m, 0 at a clean end of file, GT_ETRUNC if
 * the file ends inside a record, GT_EBADMSG / GT_ECORRUPT at a bad record (the
 * cursor stays on it), GT_EIO. */
static int cursor_next(struct cursor *c, struct journal_msg *m)
{
    for (;;) {
        int rc = journal_record_parse(c->buf + c->pos, c->len - c->pos, m);
        if (rc > 0) {
            c->pos += (size_t)rc;
            return 1;
        }
        if (rc != GT_ETRUNC)
            return rc;
        ssize_t got = cursor_fill(c);
        if (got < 0)
            return GT_EIO;
        if (got == 0)
            return c->pos == c->len ? 0 : GT_ETRUNC;
    }
}

/* ---- writing ---- */

struct journal {
    int dirfd, fd;                  /* fd -1: no segment yet */
    struct seg_index *ix, *ix_prev; /* the current segment's index, the last one's */
    char dir[GT_ERRLEN / 2];
    char seg[JOURNAL_NAME_LEN];
    uint64_t seg_len;  /* bytes on disk in the current segment */
    uint32_t seg_ymd;  /* UTC day the segment belongs to */
    bool rotate_due;   /* the day changed: a new segment before the next record */
    uint64_t next_seq; /* of the next append */
    uint64_t dropped;  /* torn tail bytes removed at open */
    uint8_t *buf;      /* records not yet written */
    size_t buf_len, buf_cap;
    int64_t last_sync_ns;
    bool unsynced; /* written since the last fdatasync */
    uint64_t syncs;
    struct journal_opts o;
    char errmsg[GT_ERRLEN];
};

static int64_t journal_now(const struct journal *j)
{
    return j->o.clock_ns ? j->o.clock_ns() : gt_now_ns();
}

static int errno_code(int e)
{
    return e == ENOSPC || e == EDQUOT ? GT_ENOSPC : GT_EIO;
}

static int journal_fail(struct journal *j, int e, const char *what)
{
    snprintf(j->errmsg, sizeof j->errmsg, "%s %s/%s: %s", what, j->dir, j->seg, strerror(e));
    return errno_code(e);
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = ENOSPC;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Scans the last segment (fd open), truncating a torn or bad tail. */
static int journal_recover(struct journal *j, uint64_t name_seq, struct cursor *c)
{
    uint8_t hdr[JOURNAL_HDR_LEN];
    struct stat st;
    if (fstat(j->fd, &st) != 0)
        return journal_fail(j, errno, "cannot stat");
    ssize_t r = pread(j->fd, hdr, sizeof hdr, 0);
    uint64_t seq;
    int64_t created_ns;
    int rc = r < 0 ? GT_EIO : journal_header_parse(hdr, (size_t)r, &seq, &created_ns);
    if (rc == GT_OK && seq != name_seq)
        rc = GT_EBADMSG;
    if (rc < 0) {
        snprintf(j->errmsg, sizeof j->errmsg, "%s/%s: bad segment header (%s)", j->dir, j->seg,
                 gt_strerror(rc));
        return rc == GT_EIO ? GT_EIO : GT_ECORRUPT;
    }
    cursor_start(c, j->fd, JOURNAL_HDR_LEN);
    index_reset(j->ix, name_seq);
    struct journal_msg m;
    uint64_t off = JOURNAL_HDR_LEN;
    while ((rc = cursor_next(c, &m)) > 0) {
        size_t len = journal_record_len(m.topic_len, m.n_records);
        if (m.first_seq != seq) { /* a record that breaks the sequence ends the intact part */
            c->pos -= len;
            break;
        }
        index_add(j->ix, off, seq, len, m.n_records);
        off += len;
        seq += m.n_records;
    }
    if (rc == GT_EIO)
        return journal_fail(j, errno, "cannot read");
    uint64_t good = cursor_off(c);
    if ((uint64_t)st.st_size > good) {
        if (ftruncate(j->fd, (off_t)good) != 0)
            return journal_fail(j, errno, "cannot truncate");
        j->dropped += (uint64_t)st.st_size - good;
    }
    j->seg_len = good;
    j->next_seq = seq;
    j->seg_ymd = gt_ymd_of_ns(created_ns);
    return GT_OK;
}

int journal_open(struct journal **out, const char *dir, const struct journal_opts *o,
                 char err[GT_ERRLEN])
{
    *out = NULL;
    struct journal *j = calloc(1, sizeof *j);
    uint64_t *segs = calloc(JOURNAL_MAX_SEGMENTS, sizeof *segs);
    struct cursor c = {.buf = malloc(CHUNK_LEN)};
    int rc = GT_ENOMEM;
    if (j) {
        j->dirfd = j->fd = -1;
        j->ix = calloc(1, sizeof *j->ix);
        j->ix_prev = calloc(1, sizeof *j->ix_prev);
    }
    if (!j || !segs || !c.buf || !j->ix || !j->ix_prev) {
        snprintf(err, GT_ERRLEN, "out of memory opening the journal");
        goto fail;
    }
    if (o)
        j->o = *o;
    if (!j->o.max_segment_len)
        j->o.max_segment_len = DEFAULT_SEGMENT_LEN;
    if (!j->o.fsync_interval_ns)
        j->o.fsync_interval_ns = GT_NS_PER_SEC;
    if (!j->o.first_seq)
        j->o.first_seq = 1;
    j->buf_cap = j->o.buf_len ? j->o.buf_len : DEFAULT_BUF_LEN;
    if (j->buf_cap < JOURNAL_REC_HDR_LEN + JOURNAL_MAX_PAYLOAD)
        j->buf_cap = JOURNAL_REC_HDR_LEN + JOURNAL_MAX_PAYLOAD;
    j->buf = malloc(j->buf_cap);
    if (!j->buf) {
        snprintf(err, GT_ERRLEN, "out of memory opening the journal");
        goto fail;
    }
    rc = GT_EINVAL;
    if (snprintf(j->dir, sizeof j->dir, "%s", dir) >= (int)sizeof j->dir) {
        snprintf(err, GT_ERRLEN, "journal directory name too long: %s", dir);
        goto fail;
    }
    rc = GT_EIO;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, GT_ERRLEN, "cannot create journal directory %s: %s", dir, strerror(errno));
        goto fail;
    }
    j->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (j->dirfd < 0) {
        snprintf(err, GT_ERRLEN, "cannot open journal directory %s: %s", dir, strerror(errno));
        goto fail;
    }
    size_t n_segs;
    if ((rc = seg_list(j->dirfd, segs, &n_segs, j->errmsg)) < 0)
        goto fail_msg;
    j->next_seq = j->o.first_seq;
    /* The last segment is where a kill left its mark. A file too short to hold
     * a header was cut while being started: it holds no record; remove it. */
    while (n_segs > 0) {
        uint64_t s = segs[--n_segs];
        seg_name(j->seg, s);
        j->fd = openat(j->dirfd, j->seg, O_RDWR | O_APPEND | O_CLOEXEC);
        struct stat st;
        if (j->fd < 0 || fstat(j->fd, &st) != 0) {
            rc = journal_fail(j, errno, "cannot open");
            goto fail_msg;
        }
        if (st.st_size < JOURNAL_HDR_LEN) {
            j->dropped += (uint64_t)st.st_size;
            close(j->fd);
            j->fd = -1;
            if (unlinkat(j->dirfd, j->seg, 0) != 0) {
                rc = journal_fail(j, errno, "cannot remove");
                goto fail_msg;
            }
            j->next_seq = s;
            continue;
        }
        if ((rc = journal_recover(j, s, &c)) < 0)
            goto fail_msg;
        break;
    }
    if (j->fd < 0)
        j->seg[0] = '\0';
    j->last_sync_ns = journal_now(j);
    free(segs);
    free(c.buf);
    *out = j;
    return GT_OK;
fail_msg:
    snprintf(err, GT_ERRLEN, "%s", j->errmsg);
fail:
    free(segs);
    free(c.buf);
    if (j)
        j->buf_len = 0;
    journal_close(j);
    return rc;
}

static int journal_sync(struct journal *j, bool force)
{
    if (j->fd < 0 || j->o.fsync == JOURNAL_FSYNC_NONE || (!j->unsynced && !force))
        return GT_OK;
    if (j->o.fsync == JOURNAL_FSYNC_INTERVAL && !force) {
        int64_t now = journal_now(j);
        if (now - j->last_sync_ns < j->o.fsync_interval_ns)
            return GT_OK;
        j->last_sync_ns = now;
    }
    if (fdatasync(j->fd) != 0)
        return journal_fail(j, errno, "cannot fdatasync");
    j->syncs++;
    j->unsynced = false;
    return GT_OK;
}

int journal_flush(struct journal *j)
{
    if (j->buf_len > 0) {
        if (write_all(j->fd, j->buf, j->buf_len) != 0) {
            int e = errno;
            /* Cut back to whole records; the buffer stays for a retry. */
            if (ftruncate(j->fd, (off_t)j->seg_len) != 0)
                return journal_fail(j, errno, "cannot cut back");
            return journal_fail(j, e, "cannot write");
        }
        j->seg_len += j->buf_len;
        j->buf_len = 0;
        j->unsynced = true;
    }
    if (j->fd >= 0 && gt_ymd_of_ns(journal_now(j)) != j->seg_ymd)
        j->rotate_due = true;
    return journal_sync(j, false);
}

/* Starts segment first_seq; the buffer is empty. */
static int journal_rotate(struct journal *j, uint64_t first_seq)
{
    if (j->fd >= 0) {
        int rc = journal_sync(j, true);
        if (rc < 0)
            return rc;
        close(j->fd);
        j->fd = -1;
    }
    seg_name(j->seg, first_seq);
    int fd = openat(j->dirfd, j->seg, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return journal_fail(j, errno, "cannot create");
    int64_t now = journal_now(j);
    uint8_t hdr[JOURNAL_HDR_LEN];
    journal_header_encode(hdr, first_seq, now);
    if (write_all(fd, hdr, sizeof hdr) != 0) {
        int rc = journal_fail(j, errno, "cannot start");
        close(fd);
        unlinkat(j->dirfd, j->seg, 0);
        return rc;
    }
    if (j->o.fsync != JOURNAL_FSYNC_NONE && (fsync(fd) != 0 || fsync(j->dirfd) != 0)) {
        int rc = journal_fail(j, errno, "cannot sync");
        close(fd);
        unlinkat(j->dirfd, j->seg, 0);
        return rc;
    }
    j->fd = fd;
    j->seg_len = JOURNAL_HDR_LEN;
    j->seg_ymd = gt_ymd_of_ns(now);
    j->rotate_due = false;
    struct seg_index *done = j->ix; /* the finished segment's stays for readers */
    j->ix = j->ix_prev;
    j->ix_prev = done;
    index_reset(j->ix, first_seq);
    return GT_OK;
}

int journal_append(struct journal *j, const char *topic, size_t topic_len, const uint8_t *records,
                   size_t n_records)
{
    if (topic_len < 1 || topic_len > JOURNAL_TOPIC_MAX || n_records < 1 ||
        n_records > JOURNAL_MAX_PAYLOAD / GT_TICK_LEN)
        return GT_EINVAL;
    size_t len = journal_record_len(topic_len, n_records);
    if (len - JOURNAL_REC_HDR_LEN > JOURNAL_MAX_PAYLOAD)
        return GT_EINVAL;
    for (size_t i = 0; i < n_records; i++)
        if (ld_le64(records + i * GT_TICK_LEN + 8) != j->next_seq + i)
            return GT_EINVAL;
    int rc;
    bool has_records = j->seg_len + j->buf_len > JOURNAL_HDR_LEN;
    if (j->rotate_due && j->fd >= 0 && !has_records) {
        j->rotate_due = false; /* an empty segment simply becomes today's */
        j->seg_ymd = gt_ymd_of_ns(journal_now(j));
    }
    bool full = j->seg_len + j->buf_len + len > j->o.max_segment_len;
    if (j->fd < 0 || (has_records && (full || j->rotate_due))) {
        if ((rc = journal_flush(j)) < 0 || (rc = journal_rotate(j, j->next_seq)) < 0)
            return rc;
    } else if (j->buf_len + len > j->buf_cap) {
        if ((rc = journal_flush(j)) < 0)
            return rc;
    }
    journal_record_encode(j->buf + j->buf_len, topic, topic_len, records, n_records);
    index_add(j->ix, j->seg_len + j->buf_len, j->next_seq, len, n_records);
    j->buf_len += len;
    j->next_seq += n_records;
    return GT_OK;
}

int journal_close(struct journal *j)
{
    if (!j)
        return GT_OK;
    int rc = GT_OK;
    if (j->fd >= 0) {
        rc = journal_flush(j);
        int rs = journal_sync(j, true);
        rc = rc < 0 ? rc : rs;
        close(j->fd);
    }
    if (j->dirfd >= 0)
        close(j->dirfd);
    free(j->buf);
    free(j->ix);
    free(j->ix_prev);
    free(j);
    return rc;
}

uint64_t journal_next_seq(const struct journal *j)
{
    return j->next_seq;
}

uint64_t journal_tail_dropped(const struct journal *j)
{
    return j->dropped;
}

const char *journal_errmsg(const struct journal *j)
{
    return j->errmsg;
}

uint64_t journal_syncs(const struct journal *j)
{
    return j->syncs;
}

/* ---- reading ---- */

struct journal_reader {
    int dirfd, fd;
    char dir[GT_ERRLEN / 2];
    uint64_t *segs;
    size_t n_segs, seg_i; /* segs[seg_i] is open on fd */
    struct cursor c;
    bool have_pending; /* seek found the message; next returns it */
    struct journal_msg pending;
    uint64_t expect_seq;          /* 0 until the first message */
    const struct journal *writer; /* journal_reader_attach */
    struct seg_index *ix;         /* the open segment's, extended as it is read; or NULL */
    struct seg_index *cache;      /* READER_INDEXES of them */
    uint64_t uses;
    size_t seek_reads; /* messages the last seek read before the one it found */
    char errmsg[GT_ERRLEN];
};

int journal_reader_open(struct journal_reader **out, const char *dir, char err[GT_ERRLEN])
{
    *out = NULL;
    struct journal_reader *r = calloc(1, sizeof *r);
    if (r)
        r->dirfd = r->fd = -1;
    if (!r || !(r->segs = calloc(JOURNAL_MAX_SEGMENTS, sizeof *r->segs)) ||
        !(r->c.buf = malloc(CHUNK_LEN)) || !(r->cache = calloc(READER_INDEXES, sizeof *r->cache))) {
        snprintf(err, GT_ERRLEN, "out of memory opening a journal reader");
        journal_reader_close(r);
        return GT_ENOMEM;
    }
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    r->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (r->dirfd < 0) {
        snprintf(err, GT_ERRLEN, "cannot open journal directory %s: %s", dir, strerror(errno));
        journal_reader_close(r);
        return GT_EIO;
    }
    *out = r;
    return GT_OK;
}

void journal_reader_close(struct journal_reader *r)
{
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    if (r->dirfd >= 0)
        close(r->dirfd);
    free(r->segs);
    free(r->c.buf);
    free(r->cache);
    free(r);
}

void journal_reader_attach(struct journal_reader *r, const struct journal *j)
{
    r->writer = j;
}

/* The index to seek segment seg by: the writer's (complete for what it
 * appended; r->ix NULL), or the reader's own, found in its cache or started
 * in the least recently used slot (r->ix: extended while reading). */
static const struct seg_index *reader_index(struct journal_reader *r, uint64_t seg)
{
    r->ix = NULL;
    if (r->writer && r->writer->fd >= 0) {
        if (r->writer->ix->seg == seg)
            return r->writer->ix;
        if (r->writer->ix_prev->seg == seg)
            return r->writer->ix_prev;
    }
    struct seg_index *lru = &r->cache[0];
    for (int i = 0; i < READER_INDEXES; i++) {
        struct seg_index *c = &r->cache[i];
        if (c->seg == seg && c->stride) {
            lru = c;
            break;
        }
        if (c->used < lru->used)
            lru = c;
    }
    if (lru->seg != seg || !lru->stride)
        index_reset(lru, seg);
    lru->used = ++r->uses;
    r->ix = lru;
    return lru;
}

const char *journal_reader_errmsg(const struct journal_reader *r)
{
    return r->errmsg;
}

static int reader_corrupt(struct journal_reader *r, uint64_t off, const char *what)
{
    snprintf(r->errmsg, sizeof r->errmsg, "%s/j-%020" PRIu64 ".gtj: offset %" PRIu64 ": %s", r->dir,
             r->segs[r->seg_i], off, what);
    return GT_ECORRUPT;
}

/* Opens segs[i] and checks its header. */
static int reader_open_seg(struct journal_reader *r, size_t i)
{
    if (r->fd >= 0)
        close(r->fd);
    r->seg_i = i;
    char name[JOURNAL_NAME_LEN];
    seg_name(name, r->segs[i]);
    r->fd = openat(r->dirfd, name, O_RDONLY | O_CLOEXEC);
    if (r->fd < 0) {
        snprintf(r->errmsg, sizeof r->errmsg, "cannot open %s/%s: %s", r->dir, name,
                 strerror(errno));
        return GT_EIO;
    }
    uint8_t hdr[JOURNAL_HDR_LEN];
    ssize_t n = pread(r->fd, hdr, sizeof hdr, 0);
    uint64_t seq;
    int64_t created_ns;
    if (n < 0 || journal_header_parse(hdr, (size_t)n, &seq, &created_ns) != GT_OK ||
        seq != r->segs[i])
        return reader_corrupt(r, 0, "bad segment header");
    cursor_start(&r->c, r->fd, JOURNAL_HDR_LEN);
    return GT_OK;
}

/* The next message in file order, across segments, checked for sequence. */
static int reader_step(struct journal_reader *r, struct journal_msg *m)
{
    if (r->fd < 0)
        return 0;
    for (;;) {
        uint64_t off = cursor_off(&r->c);
        int rc = cursor_next(&r->c, m);
        if (rc > 0) {
            size_t len = journal_record_len(m->topic_len, m->n_records);
            if (r->expect_seq && m->first_seq != r->expect_seq) {
                r->c.pos -= len;
                return reader_corrupt(r, off, "sequence does not continue");
            }
            r->expect_seq = m->first_seq + m->n_records;
            struct seg_index *ix = r->ix;
            if (ix && ix->seg == r->segs[r->seg_i] && off == ix->end_off &&
                m->first_seq == ix->end_seq)
                index_add(ix, off, m->first_seq, len, m->n_records);
            return 1;
        }
        bool last = r->seg_i + 1 >= r->n_segs;
        if (rc == GT_EIO) {
            snprintf(r->errmsg, sizeof r->errmsg, "cannot read %s: %s", r->dir, strerror(errno));
            return GT_EIO;
        }
        if (rc == 0 || (rc == GT_ETRUNC && last)) {
            if (last)
                return 0; /* a live writer may still be completing the tail */
            if ((rc = reader_open_seg(r, r->seg_i + 1)) < 0)
                return rc;
            reader_index(r, r->segs[r->seg_i]); /* read on from its start: index it */
            continue;
        }
        return reader_corrupt(r, cursor_off(&r->c),
                              rc == GT_ECORRUPT ? "record CRC mismatch"
                              : rc == GT_ETRUNC ? "record cut short"
                                                : "malformed record");
    }
}

int journal_reader_seek(struct journal_reader *r, uint64_t from_seq)
{
    r->have_pending = false;
    r->expect_seq = 0;
    r->seek_reads = 0;
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    int rc = seg_list(r->dirfd, r->segs, &r->n_segs, r->errmsg);
    if (rc < 0)
        return rc;
    if (r->n_segs == 0)
        return GT_OK;
    size_t i = 0;
    while (i + 1 < r->n_segs && r->segs[i + 1] <= from_seq)
        i++;
    if ((rc = reader_open_seg(r, i)) < 0)
        return rc;
    /* Start at the indexed record nearest below from_seq. If what is there
     * is not that record (the segment was replaced under a stale index), the
     * index is dropped and the segment read from its start. */
    uint64_t off, seq;
    index_find(reader_index(r, r->segs[i]), from_seq, &off, &seq);
    struct journal_msg m;
    bool have = false; /* m holds a record read and not yet looked at */
    if (off > JOURNAL_HDR_LEN) {
        cursor_start(&r->c, r->fd, off);
        rc = reader_step(r, &m);
        if (rc == 0 && r->seg_i == i)
            return GT_OK; /* the end: from_seq is not written yet */
        if (rc > 0 && m.first_seq == seq) {
            have = true;
        } else {
            if (r->ix)
                index_reset(r->ix, r->segs[i]); /* the writer's (r->ix NULL) is only read */
            if ((rc = reader_open_seg(r, i)) < 0)
                return rc;
            r->expect_seq = 0;
        }
    }
    while (have || (rc = reader_step(r, &m)) > 0) {
        have = false;
        if (m.first_seq + m.n_records > from_seq) {
            r->pending = m;
            r->have_pending = true;
            return GT_OK;
        }
        r->seek_reads++;
    }
    return rc;
}

size_t journal_reader_seek_reads(const struct journal_reader *r)
{
    return r->seek_reads;
}

int journal_reader_next(struct journal_reader *r, struct journal_msg *m)
{
    if (r->have_pending) {
        *m = r->pending;
        r->have_pending = false;
        return 1;
    }
    return reader_step(r, m);
}
