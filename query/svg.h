/* SPDX-License-Identifier: MIT */
/* svg.h -- a minimal SVG writer for tickq's charts: a plot area with linear
 * axes (data coordinates mapped to pixels), tick labels at round values, and
 * the shapes the charts need. Text is escaped; nothing is buffered beyond
 * the FILE. */
#ifndef GT_QUERY_SVG_H
#define GT_QUERY_SVG_H
#include <stdint.h>
#include <stdio.h>

struct svg {
    FILE *f;
    double w, h;               /* the picture, px */
    double px0, px1, py0, py1; /* the plot area, px (py0 top) */
    double x0, x1, y0, y1;     /* its data ranges */
};

/* Opens path and writes the header, a white background and the title.
 * Returns 0 or -1 (errno set). */
int svg_open(struct svg *s, const char *path, double w, double h, const char *title);
/* Closes the document. Returns 0, or -1 if any write failed. */
int svg_close(struct svg *s);

/* Sets the plot area (px) and the data ranges it shows; a zero-width range
 * is widened so that every value maps somewhere. */
void svg_area(struct svg *s, double px0, double py0, double px1, double py1, double x0, double x1,
              double y0, double y1);
double svg_x(const struct svg *s, double x);
double svg_y(const struct svg *s, double y);

/* Draws the frame, grid lines and about n labels on the y axis at round
 * values, each printed with decimals; ylabel names the axis. */
void svg_yaxis(struct svg *s, int n, int decimals, const char *ylabel);
/* Draws a label under the plot at data x (a tick mark and the text). */
void svg_xlabel(struct svg *s, double x, const char *text);
/* A caption under the x labels. */
void svg_xcaption(struct svg *s, const char *text);

void svg_line(struct svg *s, double x0, double y0, double x1, double y1, const char *color,
              double width, int dashed); /* px coordinates */
void svg_rect(struct svg *s, double x, double y, double w, double h, const char *fill);
void svg_circle(struct svg *s, double x, double y, double r, const char *fill);
void svg_text(struct svg *s, double x, double y, const char *anchor, int size, const char *text);

#endif
