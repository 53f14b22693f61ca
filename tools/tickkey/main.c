/* SPDX-License-Identifier: MIT */
/* main.c -- tickkey: make a CURVE key pair for gputick's sockets.
 *
 * Writes NAME.key (the secret key, mode 0600: it stays on the host that uses
 * it) and NAME.pub (the public key: give it to the servers that must allow
 * this client, or to the clients of this server). The format is in
 * include/gputick/sec.h and docs/deployment.md. Never overwrites a file. */
#include <stdio.h>
#include <string.h>
#include <zmq.h>
#include "gputick/sec.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: tickkey NAME\n"
               "\n"
               "Makes a CURVE key pair: NAME.key (secret, mode 0600) and NAME.pub (public).\n"
               "NAME may include a folder (keys/feed). Existing files are never overwritten.\n"
               "\n"
               "  -h, --help      show this help and exit\n"
               "  -V, --version   show the version and exit\n");
}

int main(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc == 2 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
        printf("tickkey %s\n", GT_VERSION);
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-' || !argv[1][0]) {
        fprintf(stderr,
                "tickkey: want one argument, the NAME of the pair (try 'tickkey --help')\n");
        return 2;
    }
    char pub[GT_SEC_Z85_LEN + 1], sec[GT_SEC_Z85_LEN + 1];
    if (zmq_curve_keypair(pub, sec) < 0) {
        fprintf(stderr, "tickkey: cannot make a key pair: %s (libzmq without CURVE?)\n",
                zmq_strerror(zmq_errno()));
        return 1;
    }
    char kpath[4096], ppath[4096], err[GT_ERRLEN], comment[256];
    snprintf(kpath, sizeof kpath, "%s.key", argv[1]);
    snprintf(ppath, sizeof ppath, "%s.pub", argv[1]);
    snprintf(comment, sizeof comment, "gputick CURVE secret key '%s': keep it private", argv[1]);
    if (gt_sec_key_write(kpath, sec, 1, comment, err) < 0) {
        fprintf(stderr, "tickkey: %s\n", err);
        return 1;
    }
    snprintf(comment, sizeof comment, "gputick CURVE public key '%s'", argv[1]);
    if (gt_sec_key_write(ppath, pub, 0, comment, err) < 0) {
        fprintf(stderr, "tickkey: %s\n", err);
        remove(kpath);
        return 1;
    }
    printf("%s\n%s\n", kpath, ppath);
    return 0;
}
