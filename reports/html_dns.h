/*
 * html_dns.h -- the authority's side in report.html: per DNS server, the
 * readings of faultd's counters the run took (result.json's dns_stats) as
 * a table along the run's time.  Private to reports/; html.c places it.
 */
#ifndef DD_REPORTS_HTML_DNS_H
#define DD_REPORTS_HTML_DNS_H

#include <stdio.h>

#include "model/result.h"

/* Readings shown per server; the rest are in result.json. */
#define HTML_DNS_MAX_ROWS 200

/* Writes the section, or nothing when r holds no readings. */
void html_dns_write(FILE *f, const struct result *r);

#endif /* DD_REPORTS_HTML_DNS_H */
