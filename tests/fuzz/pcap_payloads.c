/* SPDX-License-Identifier: MIT */
/* pcap_payloads.c -- writes every packet of some captures into a folder, one file each.
 *
 *   pcap_payloads OUTDIR CAPTURE...
 *
 * ./dev fuzz seeds fuzz_mdp3 and fuzz_dump, whose input is one UDP payload, with
 * the packets of the real CME captures in ../shared/mdp3/samples: this reads each
 * capture with pcap_reader (libpcap, DataMine or a raw packet, exactly as tickfeed
 * would) and writes each payload to OUTDIR/<n>.udp. The samples stay where they
 * are; the folder is a temporary one the script removes. Frames the reader skips
 * (TCP, ARP) give no file. Prints the count; exits 1, naming the file, on a
 * capture it cannot read and 2 on bad usage. */
#include <stdio.h>

#include "gputick/err.h"
#include "pcap.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: pcap_payloads OUTDIR CAPTURE...\n");
        return 2;
    }
    unsigned long n = 0;
    for (int a = 2; a < argc; a++) {
        struct pcap_reader r;
        char err[GT_ERRLEN];
        if (pcap_reader_open(&r, argv[a], err) < 0) {
            fprintf(stderr, "pcap_payloads: %s\n", err);
            return 1;
        }
        struct pcap_rec rec;
        int rc;
        while ((rc = pcap_reader_next(&r, &rec)) > 0) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%lu.udp", argv[1], n);
            FILE *f = fopen(path, "wb");
            if (!f || fwrite(rec.p, 1, rec.len, f) != rec.len || fclose(f) != 0) {
                fprintf(stderr, "pcap_payloads: cannot write %s\n", path);
                pcap_reader_close(&r);
                return 1;
            }
            n++;
        }
        pcap_reader_close(&r);
        if (rc < 0) {
            fprintf(stderr, "pcap_payloads: %s: %s at file offset %zu\n", argv[a], gt_strerror(rc),
                    r.err_off);
            return 1;
        }
    }
    printf("%lu payloads\n", n);
    return 0;
}
