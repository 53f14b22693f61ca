/* SPDX-License-Identifier: MIT */
/* sec.h -- where gputick listens, and ZeroMQ CURVE on its sockets.
 *
 * Endpoints: every program binds to loopback unless told otherwise;
 * gt_sec_bind_check() refuses any bind that could reach a network (tcp://
 * off loopback, and every transport but ipc:// and inproc://) unless the
 * program's explicit flag (--bind-remote) was given.
 *
 * CURVE (RFC 26, CurveZMQ) encrypts a connection and authenticates both ends
 * by their long-term keys. A key file is text: blank lines and lines starting
 * with '#' are ignored, and the first other line is the 40-character Z85
 * encoding of a 32-byte key. tickkey writes NAME.key (the secret key, mode
 * 0600) and NAME.pub (the public key); a public key is derived from a secret
 * one, so a .key file is all a program needs for itself.
 *
 * A server socket (the one that binds: tickfeed's PUB and ROUTER, tickproxy's
 * XPUB and ROUTER) takes its secret key; a client socket (ticksub, tickstore,
 * tickproxy's upstream side) takes its own secret key and the server's public
 * key. Which clients a server accepts is decided by a ZAP handler (RFC 27) in
 * the same ZeroMQ context: gt_zap_open() runs one in a thread, accepting the
 * public keys of an allow-list (a file of keys, one per line as above, or a
 * folder of *.pub files). Without a handler, CURVE accepts every client that
 * knows the server's public key (encryption without authentication).
 *
 * The handler counts what it allows and denies and reports denials (an
 * unknown key, or a handshake that failed on a watched socket, such as a
 * client without CURVE) through a callback: the library never prints. A
 * refused client retries every few hundred milliseconds, so the callback gets
 * one line per refused key (per socket and failure for handshakes) per
 * minute, the next one saying how many refusals it did not report; the
 * counters count every one. */
#ifndef GT_SEC_H
#define GT_SEC_H
#include <stdint.h>
#include "gputick/err.h"

enum {
    GT_SEC_Z85_LEN = 40,   /* a key in Z85 text */
    GT_SEC_KEY_BYTES = 32, /* a key in binary */
    GT_ZAP_MAX_KEYS = 4096 /* most keys in an allow-list */
};

/* Returns GT_OK if ep may be bound: ipc://, inproc://, or tcp:// on an
 * IPv4 literal in 127.0.0.0/8, [::1] or localhost; any endpoint when
 * allow_remote. Every other transport (pgm, epgm, norm, udp, tipc, vmci, ws,
 * wss) and tcp:// on any other host, "*" or an interface name gives
 * GT_EINVAL with err naming the flag that allows it. */
int gt_sec_bind_check(const char *ep, int allow_remote, char err[GT_ERRLEN]);

/* Reads the Z85 key of a key file into z85 (NUL-terminated). Returns GT_OK,
 * GT_EIO (cannot read) or GT_EBADMSG (no valid key in it), err filled. */
int gt_sec_key_read(const char *path, char z85[GT_SEC_Z85_LEN + 1], char err[GT_ERRLEN]);

/* Writes a key file: a comment line naming what it is, then the key. A
 * secret key file is created with mode 0600. An existing file is refused
 * (GT_EINVAL); GT_EIO on failure. */
int gt_sec_key_write(const char *path, const char *z85, int secret, const char *comment,
                     char err[GT_ERRLEN]);

/* Makes sock a CURVE server with the secret key in secret_path. Call before
 * bind. Returns GT_OK, the key file's error, or GT_EZMQ (libzmq built
 * without CURVE). */
int gt_sec_server(void *sock, const char *secret_path, char err[GT_ERRLEN]);

/* Makes sock a CURVE client with its secret key in secret_path, talking to
 * the server whose public key is in server_pub_path. Call before connect. */
int gt_sec_client(void *sock, const char *secret_path, const char *server_pub_path,
                  char err[GT_ERRLEN]);

/* The ZAP handler of one ZeroMQ context. */
typedef struct gt_zap gt_zap;

/* A denial: what happened, in one line (e.g. "denied CURVE client key
 * <z85> from 127.0.0.1"), at most once a minute per key. Called from the
 * handler's thread. */
typedef void (*gt_zap_log_fn)(void *ctx, const char *line);

struct gt_zap_stats {
    uint64_t allowed;          /* CURVE clients accepted */
    uint64_t denied;           /* CURVE clients refused: key not in the list */
    uint64_t handshake_failed; /* on watched sockets: no CURVE, wrong server key... */
};

/* Loads the allow-list at allow_path (a key file of one key per line, or a
 * folder whose *.pub files each hold one key) and starts the handler on
 * zctx's inproc://zeromq.zap.01. Call before any CURVE server socket of
 * zctx binds. log (may be NULL) gets the denials, a key once a minute. Returns GT_OK and *out,
 * GT_EIO / GT_EBADMSG (the list), GT_EZMQ (a handler is already bound), or
 * GT_ENOMEM, err filled. */
int gt_zap_open(gt_zap **out, void *zctx, const char *allow_path, gt_zap_log_fn log, void *log_ctx,
                char err[GT_ERRLEN]);

/* Also reports the failed handshakes of sock (a CURVE server socket of the
 * same context), such as a client that speaks no CURVE and so never reaches
 * ZAP. At most 8 sockets. Returns GT_OK, GT_EINVAL (too many) or GT_EZMQ. */
int gt_zap_watch(gt_zap *z, void *sock);

/* Copies the counters (safe while the handler runs); NULL (no allow-list)
 * gives zeros. */
void gt_zap_stats_get(gt_zap *z, struct gt_zap_stats *out);

/* Stops the handler and frees it; call before closing the watched sockets'
 * context. NULL does nothing. */
void gt_zap_close(gt_zap *z);

#endif
