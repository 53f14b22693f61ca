/* SPDX-License-Identifier: MIT */
/* main.c -- ticksim, the market simulator: GPU compute futures on the wire.
 *
 * Indexes, forward curves, books, trades and statistics as CME MDP 3.0
 * multicast and pcap; that lands with its issue. Until then the program
 * answers --help and --version. */
#include <getopt.h>
#include <stdio.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: ticksim [OPTIONS]\n"
               "\n"
               "Simulates the GPU compute futures market and sends it as CME MDP 3.0 SBE\n"
               "multicast on loopback (TTL 0), or writes it to a pcap file.\n"
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
            printf("ticksim %s\n", GT_VERSION);
            return 0;
        default:
            fprintf(stderr, "ticksim: try 'ticksim --help'\n");
            return 2;
        }
    }
    fprintf(stderr, "ticksim: the simulator is not built yet (see --help)\n");
    return 1;
}
