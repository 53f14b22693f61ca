/* SPDX-License-Identifier: MIT */
/* svg.c -- the SVG writer of tickq's charts (contract in svg.h). */
#include "svg.h"
#include <math.h>
#include <string.h>

static void esc(FILE *f, const char *t)
{
    for (; *t; t++) {
        if (*t == '<')
            fputs("&lt;", f);
        else if (*t == '>')
            fputs("&gt;", f);
        else if (*t == '&')
            fputs("&amp;", f);
        else if (*t == '"')
            fputs("&quot;", f);
        else if ((unsigned char)*t >= 0x20 && (unsigned char)*t < 0x7f)
            fputc(*t, f);
        else
            fputc('?', f); /* only ASCII reaches a chart: a bad byte never breaks the XML */
    }
}

int svg_open(struct svg *s, const char *path, double w, double h, const char *title)
{
    memset(s, 0, sizeof *s);
    s->f = fopen(path, "w");
    if (!s->f)
        return -1;
    s->w = w;
    s->h = h;
    fprintf(s->f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n"
            "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n",
            w, h, w, h, w, h);
    svg_text(s, w / 2, 24, "middle", 16, title);
    return 0;
}

int svg_close(struct svg *s)
{
    fputs("</svg>\n", s->f);
    int bad = ferror(s->f);
    return fclose(s->f) != 0 || bad ? -1 : 0;
}

void svg_area(struct svg *s, double px0, double py0, double px1, double py1, double x0, double x1,
              double y0, double y1)
{
    if (!(x1 > x0)) {
        x0 -= 0.5;
        x1 = x0 + 1;
    }
    if (!(y1 > y0)) {
        double d = fabs(y0) > 0 ? fabs(y0) * 0.01 : 1;
        y0 -= d;
        y1 = y0 + 2 * d;
    }
    s->px0 = px0, s->py0 = py0, s->px1 = px1, s->py1 = py1;
    s->x0 = x0, s->x1 = x1, s->y0 = y0, s->y1 = y1;
}

double svg_x(const struct svg *s, double x)
{
    return s->px0 + (x - s->x0) / (s->x1 - s->x0) * (s->px1 - s->px0);
}

double svg_y(const struct svg *s, double y)
{
    return s->py1 - (y - s->y0) / (s->y1 - s->y0) * (s->py1 - s->py0);
}

/* A round step (1, 2 or 5 times a power of ten) giving about n steps over r. */
static double nice_step(double r, int n)
{
    double raw = r / (n > 0 ? n : 1), p = pow(10, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

void svg_yaxis(struct svg *s, int n, int decimals, const char *ylabel)
{
    double step = nice_step(s->y1 - s->y0, n);
    for (double v = ceil(s->y0 / step) * step; v <= s->y1 + step * 1e-9; v += step) {
        double y = svg_y(s, v);
        char b[64];
        svg_line(s, s->px0, y, s->px1, y, "#e4e4e4", 1, 0);
        snprintf(b, sizeof b, "%.*f", decimals, fabs(v) < step * 1e-9 ? 0.0 : v);
        svg_text(s, s->px0 - 6, y + 4, "end", 11, b);
    }
    fprintf(s->f,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
            "stroke=\"#444\"/>\n",
            s->px0, s->py0, s->px1 - s->px0, s->py1 - s->py0);
    double cy = (s->py0 + s->py1) / 2;
    fprintf(s->f,
            "<text x=\"14\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" "
            "transform=\"rotate(-90 14 %.1f)\">",
            cy, cy);
    esc(s->f, ylabel);
    fputs("</text>\n", s->f);
}

void svg_xlabel(struct svg *s, double x, const char *text)
{
    double px = svg_x(s, x);
    svg_line(s, px, s->py1, px, s->py1 + 5, "#444", 1, 0);
    svg_text(s, px, s->py1 + 18, "middle", 11, text);
}

void svg_xcaption(struct svg *s, const char *text)
{
    svg_text(s, (s->px0 + s->px1) / 2, s->py1 + 38, "middle", 12, text);
}

void svg_line(struct svg *s, double x0, double y0, double x1, double y1, const char *color,
              double width, int dashed)
{
    fprintf(s->f,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
            "stroke-width=\"%.1f\"%s/>\n",
            x0, y0, x1, y1, color, width, dashed ? " stroke-dasharray=\"6 4\"" : "");
}

void svg_rect(struct svg *s, double x, double y, double w, double h, const char *fill)
{
    fprintf(s->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n", x,
            y, w > 0.5 ? w : 0.5, h > 0.5 ? h : 0.5, fill);
}

void svg_circle(struct svg *s, double x, double y, double r, const char *fill)
{
    fprintf(s->f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>\n", x, y, r, fill);
}

void svg_text(struct svg *s, double x, double y, const char *anchor, int size, const char *text)
{
    fprintf(s->f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\">", x, y, size,
            anchor);
    esc(s->f, text);
    fputs("</text>\n", s->f);
}
