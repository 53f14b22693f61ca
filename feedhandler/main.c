/* SPDX-License-Identifier: MIT */
/* main.c -- tickfeed, the feed handler: exchange multicast or a capture in,
 * normalized sequence-numbered ticks out over ZeroMQ.
 *
 * The pipeline (rx -> arbitration -> SBE decode -> books and recovery ->
 * normalize -> journal -> publish) lands with its issue; until then the program
 * answers --help and --version. */
#include <getopt.h>
#include <stdio.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: tickfeed [OPTIONS]\n"
               "\n"
               "Receives CME MDP 3.0 market data (UDP multicast lines A and B, the snapshot\n"
               "loop, definitions, the GPU index channel) or a capture file, keeps the books,\n"
               "recovers from gaps and publishes normalized ticks over ZeroMQ.\n"
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
            printf("tickfeed %s\n", GT_VERSION);
            return 0;
        default:
            fprintf(stderr, "tickfeed: try 'tickfeed --help'\n");
            return 2;
        }
    }
    fprintf(stderr, "tickfeed: the feed pipeline is not built yet (see --help)\n");
    return 1;
}
