/*
 * scenario.h -- a scenario as C data: what the Lua file declared.
 *
 * harness/lua_api.c fills this while the scenario file runs its top level
 * (declarations only: nothing is built then); the runner (harness/run*.c)
 * reads it to build the network, start servers and processes, probe, watch
 * and score.
 * The timeline itself stays in Lua (a coroutine the runner resumes).
 *
 * Ownership: every string is owned by the scenario (sc_strdup'd) and freed
 * with scenario_free().  Arrays grow with sc_push().
 */
#ifndef DD_HARNESS_SCENARIO_H
#define DD_HARNESS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "model/score.h"

struct sc_kv {
	char *key, *value;
};

struct sc_route {
	char *dst, *via, *dev;
};

struct sc_host {
	char *name;
	bool forward;
	char *resolv;        /* resolv.conf text or NULL */
	char *hosts;         /* hosts file text or NULL */
	char *intercept;     /* ADDR:PORT or NULL */
	char **lo_addrs;     /* extra addresses on lo */
	size_t n_lo_addrs;
	struct sc_route *routes;
	size_t n_routes;
	int line;            /* where it was declared */
};

/* A LAN (bridge segment) or a point-to-point link. */
struct sc_member {
	char *host;
	char **addrs;        /* "198.18.1.10/24", "fd00:1::10/64" */
	size_t n_addrs;
};

struct sc_net {
	char *name;
	bool is_link;        /* veth pair between exactly two members */
	struct sc_member *members;
	size_t n_members;
	int line;
};

/* dns { remote = { control = ... } }: a faultd that dnsdrill does not
 * start (harness/lua_remote.c; doc/scenario-api.md, "Remote targets and
 * scenarios without a topology").  control is a unix socket path, or
 * "tls://HOST:PORT" with tls set, addr "HOST:PORT" and the credentials'
 * paths (absolute, or resolved against the scenario's folder). */
struct sc_remote {
	char *control;       /* as written */
	bool tls;
	char *addr;          /* tls: "HOST:PORT"; NULL for a unix socket */
	char *ca, *cert, *key;   /* tls: the files (checked readable at load) */
	char *server_name;   /* tls: name = "...", else NULL (HOST is used) */
};

struct sc_dns {
	char *name;
	char *host;          /* NULL for a remote one */
	struct sc_remote *remote;   /* NULL: dnsdrill starts faultd on host */
	char **listen;       /* ADDR:PORT */
	size_t n_listen;
	char **zone_files;   /* resolved paths */
	size_t n_zone_files;
	char **zone_texts;   /* inline zones, written to the run dir */
	size_t n_zone_texts;
	char **upstreams;
	size_t n_upstreams;
	char **rules;
	size_t n_rules;
	char *upstream_timeout;   /* duration text or NULL */
	/* capacity = { qps, queue, overflow }: cap_qps 0 when none; queue
	 * -1 and overflow NULL for faultd's defaults */
	double cap_qps;
	int cap_queue;
	char *cap_overflow;
	/* sign = { "example.com.", ["example.org."] = key }, nsec3 = true
	 * (harness/lua_dnssec.c): the zones faultd signs (--sign), each with
	 * a key set of the scenario's (sc_keyset index) */
	struct sc_sign *sign;
	size_t n_sign;
	bool nsec3;
	int line;
};

/* One signed zone of a dns server: the zone and its key set. */
struct sc_sign {
	char *zone;          /* "example.com." (absolute, lower case) */
	size_t keyset;       /* index into scenario.keysets */
};

/* A key as ldns-keygen writes it: BASE.private and BASE.key. */
struct sc_key {
	char *base;          /* "Kexample.com.+013+12345" */
	char *private_text;  /* the .private file's text (secret) */
	char *dnskey;        /* the DNSKEY record (the .key file's line) */
};

/* dnssec_key("example.com.") (harness/lua_dnssec.c): a KSK and a ZSK made
 * while the scenario loads, written into OUT/keys/ (0600) at run start and
 * never elsewhere; implicit: made for a dns { sign = { "zone" } } without
 * a key (one per zone, shared by every server signing it that way). */
struct sc_keyset {
	char *zone;          /* absolute, lower case */
	struct sc_key key[2];  /* [0] the KSK (flags 257), [1] the ZSK (256) */
	char *ds;            /* the KSK's DS (SHA-256), presentation format */
	bool implicit;
	int line;
};

/* A timer inside a process that its declaration (a resolver profile)
 * describes: process { timers = { { name = "infra-host-ttl", incident =
 * "15m", real = "2s" } } } (doc/scenario-api.md, "Time"). */
struct sc_timer {
	char *name;
	uint64_t incident_us;  /* what the incident means */
	bool has_real;         /* false: scaled in proportion (incident / speed) */
	uint64_t real_us;      /* what it lasts in the run */
	char *note;           /* or NULL */
};

enum sc_ready_kind { READY_NONE = 0, READY_TCP, READY_HTTP, READY_LOG, READY_DELAY };

struct sc_process {
	char *name;
	char *host;
	char **argv;
	size_t argc;
	char **env;          /* "K=V" */
	size_t n_env;
	char *cwd;
	char *user;          /* run as this user (NULL: as dnsdrill, root) */
	char *group;         /* with this group (NULL: the user's) */
	bool autostart;      /* start before the timeline */
	enum sc_ready_kind ready;
	char *ready_arg;     /* ADDR:PORT, URL, regex */
	uint64_t ready_delay_us;
	uint64_t ready_timeout_us;
	/* its timers, as declared (timers_set: timers = {...} given, even
	 * empty: the profile knows them all) */
	struct sc_timer *timers;
	size_t n_timers;
	bool timers_set;
	/* files = { NAME = "text" }: written into the scratch folder before
	 * every start (key a file name, value its text) */
	struct sc_kv *files;
	size_t n_files;
	/* version = { "prog", "-V" }: run once before the first start; NULL
	 * when not given */
	char **version_argv;
	size_t version_argc;
	int line;
};

/*
 * scratch(): a process's scratch folder, OUT/scratch/NAME, is known only
 * when the run's folder is (after loading, and never in `dnsdrill check`),
 * so scratch() returns a placeholder, expanded when the process starts in
 * its cmd, env values, cwd, files' texts and version command:
 * SC_SCRATCH_OPEN "}}" for the process's own folder,
 * SC_SCRATCH_OPEN ":NAME}}" for process NAME's.
 */
#define SC_SCRATCH_OPEN "{{scratch"
#define SC_SCRATCH_TOKEN SC_SCRATCH_OPEN "}}"

/* Expand the scratch placeholders of text for process self, whose run
 * folder is out: a new string (malloc'd), or NULL with a message in err
 * (a placeholder naming no process of sc, out of memory).  Pure. */
struct dd_err;
struct scenario;
char *scenario_scratch_expand(const struct scenario *sc, const char *self,
    const char *out, const char *text, struct dd_err *err);

struct sc_watch {
	char *name;
	char *process;
	char *regex;
	int stream;          /* 1 stdout, 2 stderr, 3 both */
	int line;
};

struct sc_capture {
	char *name;
	char *host;
	char *iface;
	char *count_from;    /* source of the SUT's queries (CIDR/IP) or NULL */
	int line;
	bool count_all;      /* no count_from, but score amplification names it:
	                        count every DNS query it sees */
};

enum sc_probe_kind { SC_PROBE_DNS = 0, SC_PROBE_HTTP, SC_PROBE_TCP, SC_PROBE_EXEC };

struct sc_probe {
	char *name;
	char *host;
	enum sc_probe_kind kind;
	uint64_t interval_us, timeout_us;
	/* dns */
	char *qname;
	int qtype;
	char *server;        /* ADDR[:PORT] */
	bool use_tcp;
	int expect_rcode;    /* -1: any */
	char *expect_answer; /* must appear among the answers, or NULL */
	bool expect_empty;   /* NODATA counts as success */
	/* http */
	char *url;
	int expect_status;
	char *body_match;    /* extended regex or NULL */
	/* tcp */
	char *addr;
	/* exec */
	char **argv;         /* argc strings, then NULL */
	size_t argc;
	int expect_exit;
	int line;
	bool timeout_given;  /* false: timeout_us is the default */
};

/* A probe's timeout when the scenario gives none (doc/scenario-api.md). */
#define SC_PROBE_DEFAULT_TIMEOUT_US 1000000
#define SC_PROBE_DEFAULT_EVERY_US 500000

/* A scoring matcher as declared ({watch="x"}, {probe="p", ok=false}, ...). */
struct sc_match {
	bool set;
	enum elog_kind kind;
	char *source;
	char *text;
	enum score_outcome outcome;
};

struct sc_param {
	char *name;
	char *value;         /* effective value as text */
	char *doc;
	bool from_cli;
	char *def;           /* the default as text */
	char *allowed;       /* "one of a, b", "0..3600", ">= 1", or NULL */
};

struct scenario {
	char *file;          /* path as given */
	char *dir;           /* its directory (zone files etc. are relative) */
	char *name;
	char *description;
	double speed;        /* incident seconds per real second (>= 1 compresses) */
	char *incident_start;  /* scenario { start = "05:48" }: the incident's
	                          clock at the timeline's start, or NULL */
	uint64_t max_duration_us;   /* safety cap on the whole timeline */
	uint64_t duration_us;       /* expected timeline length (incident time), 0 unknown */
	uint64_t seed;
	bool seed_set;
	/* scenario { topology = false }: no namespaces are built; probes,
	 * processes, watches and captures run where dnsdrill runs, and every
	 * dns is remote (doc/scenario-api.md) */
	bool no_topology;
	int no_topology_line;

	struct sc_host *hosts;       size_t n_hosts;
	struct sc_net *nets;         size_t n_nets;
	struct sc_dns *dns;          size_t n_dns;
	struct sc_process *procs;    size_t n_procs;
	struct sc_probe *probes;     size_t n_probes;
	struct sc_watch *watches;    size_t n_watches;
	struct sc_capture *caps;     size_t n_caps;
	struct sc_param *params;     size_t n_params;
	struct sc_keyset *keysets;   size_t n_keysets;

	/* scoring */
	struct sc_match *detect;     size_t n_detect;
	struct sc_match service, primary, primary_lost, rate;
	/* score { fault = { start =, stop = } }: the fault window by matchers
	 * (unset: the first inject() to the clear() that leaves none) */
	struct sc_match fault_start, fault_stop;
	uint64_t stable_ms;
	struct score_expect *expect; size_t n_expect;

	bool has_timeline;

	/* --set pairs from the command line, and which were used */
	struct sc_kv *sets;          size_t n_sets;
	bool sets_optional;          /* unknown --set keys left out (run_opts) */
	bool *set_used;

	/* score{} (issue 9): the service as a list of probes (`service`
	 * above is its first); the failover matcher; the latency probes,
	 * named (latency_set) or by default every dns and exec probe; the
	 * line of each expectation; score_m, both probe lists as score
	 * matchers (built by scenario_score_prepare) */
	struct sc_match *services;   size_t n_services;
	struct sc_match failover;
	struct sc_match *latency;    size_t n_latency;
	bool latency_set;
	int *expect_line;            /* n_expect of them */
	struct score_match *score_m;
	/* score { amplification = { "link", ... } }: amplification at each
	 * (rate above is the first) */
	char **amp_links;            size_t n_amp_links;
};

struct scenario *scenario_new(const char *file);
void scenario_free(struct scenario *sc);

char *sc_strdup(const char *s);
/* Grow *arr (of elem-size items, *n of them) by one zeroed item; returns it
 * or NULL when out of memory. */
void *sc_push(void *arr_ptr, size_t *n, size_t elem);

/* Find by name; NULL when absent. */
struct sc_host *scenario_host(const struct scenario *sc, const char *name);
struct sc_process *scenario_proc(const struct scenario *sc, const char *name);
struct sc_dns *scenario_dns(const struct scenario *sc, const char *name);

/* Once every declaration is in: the default latency probes (every dns and
 * exec probe, unless score{} named them) and the matchers
 * scenario_score_defs() points at.  Returns 0 or DD_ENOMEM. */
int scenario_score_prepare(struct scenario *sc);

/* Turn the declared matchers into score_defs (pointers into sc and into
 * the caller's detect array, which must hold sc->n_detect items). */
void scenario_score_defs(const struct scenario *sc, struct score_match *detect,
    struct score_defs *defs);

#endif
