/* SPDX-License-Identifier: MIT */
/* main.c -- tickstore, the recorder: ticks from tickfeed in, exactly once,
 * into LZ4 column blocks in RocksDB.
 *
 * Replay from the checkpoint, then live, commits with the checkpoint in one
 * WriteBatch; that lands with its issue. Until then the program
 * answers --help and --version. */
#include <getopt.h>
#include <stdio.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: tickstore [OPTIONS]\n"
               "\n"
               "Subscribes to tickstore and records every tick exactly once into a RocksDB\n"
               "store of LZ4-compressed column blocks that survives a kill at any instant.\n"
               "\n"
               "  -h, --help      show this help and exit\n"
               "  -V, --version   show the version and exit\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("tickstore %s\n", GT_VERSION);
            return 0;
        default:
            fprintf(stderr, "tickstore: try 'tickstore --help'\n");
            return 2;
        }
    }
    fprintf(stderr, "tickstore: recording is not built yet (see --help)\n");
    return 1;
}
