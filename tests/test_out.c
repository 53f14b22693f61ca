/* SPDX-License-Identifier: MIT */
/* test_out.c -- tickq's table, CSV, JSON and JSON Lines output. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include "out.h"

static const struct out_col cols[] = {{"time", -24}, {"px", 8}, {"qty", 5}, {"note", -6}};

static char *render(enum out_format fmt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct out o;
    out_begin(&o, fmt, f, cols, 4);
    out_time(&o, 1795527000123000000);
    out_px(&o, 2755000000);
    out_i64(&o, 12);
    out_str(&o, "a,\"b\"");
    out_row_end(&o);
    out_time(&o, 0);
    out_px(&o, INT64_MAX);
    out_i64(&o, INT64_MAX);
    out_row_end(&o); /* the note cell was never written: null */
    cr_assert(eq(int, out_end(&o), 0));
    fclose(f);
    return buf;
}

Test(out, csv_quotes_only_where_it_must_and_leaves_nulls_empty)
{
    char *s = render(OUT_CSV);
    cr_assert(eq(str, s,
                 "time,px,qty,note\n"
                 "2026-11-24T13:30:00.123Z,2.755,12,\"a,\"\"b\"\"\"\n"
                 "1970-01-01T00:00:00Z,,,\n"));
    free(s);
}

Test(out, json_lines_type_numbers_and_nulls)
{
    char *s = render(OUT_JSONL);
    cr_assert(eq(str, s,
                 "{\"time\":\"2026-11-24T13:30:00.123Z\",\"px\":2.755,\"qty\":12,"
                 "\"note\":\"a,\\\"b\\\"\"}\n"
                 "{\"time\":\"1970-01-01T00:00:00Z\",\"px\":null,\"qty\":null,\"note\":null}\n"));
    free(s);
}

/* json is one document: the same objects in an array. */
Test(out, json_is_one_array_of_the_rows)
{
    char *s = render(OUT_JSON);
    cr_assert(eq(str, s,
                 "[\n{\"time\":\"2026-11-24T13:30:00.123Z\",\"px\":2.755,\"qty\":12,"
                 "\"note\":\"a,\\\"b\\\"\"},\n"
                 "{\"time\":\"1970-01-01T00:00:00Z\",\"px\":null,\"qty\":null,\"note\":null}"
                 "\n]\n"));
    free(s);
}

/* A yes/no and an enum: yes/no and the name in CSV; true/false, and the
 * name with its number as COL_code, in JSON. */
Test(out, booleans_and_enums_by_format)
{
    static const struct out_col c2[] = {{"complete", -8}, {"cause", -10}};
    static const struct {
        enum out_format fmt;
        const char *want;
    } w[] = {{OUT_CSV, "complete,cause\nno,packet_gap\nyes,\n"},
             {OUT_JSONL, "{\"complete\":false,\"cause\":\"packet_gap\",\"cause_code\":1}\n"
                         "{\"complete\":true,\"cause\":null,\"cause_code\":null}\n"},
             {OUT_JSON, "[]\n"}};
    for (size_t k = 0; k < sizeof w / sizeof w[0]; k++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        struct out o;
        out_begin(&o, w[k].fmt, f, c2, 2);
        if (w[k].fmt != OUT_JSON) { /* json: no rows, an empty array */
            out_bool(&o, 0);
            out_enum(&o, "packet_gap", 1);
            out_row_end(&o);
            out_bool(&o, 1);
            out_enum(&o, NULL, -1);
            out_row_end(&o);
        }
        cr_assert(eq(int, out_end(&o), 0));
        fclose(f);
        cr_assert(eq(str, buf, (char *)w[k].want), "format %d", (int)w[k].fmt);
        free(buf);
    }
}

Test(out, table_aligns_to_declared_widths)
{
    char *s = render(OUT_TABLE);
    cr_assert(eq(str, s,
                 "time                            px    qty  note\n"
                 "2026-11-24T13:30:00.123Z     2.755     12  a,\"b\"\n"
                 "1970-01-01T00:00:00Z             -      -  -\n"));
    free(s);
}

Test(out, formats_parse)
{
    cr_assert(eq(int, out_format_parse("table"), OUT_TABLE));
    cr_assert(eq(int, out_format_parse("csv"), OUT_CSV));
    cr_assert(eq(int, out_format_parse("json"), OUT_JSON));
    cr_assert(eq(int, out_format_parse("jsonl"), OUT_JSONL));
    cr_assert(eq(int, out_format_parse("xml"), -1));
}
