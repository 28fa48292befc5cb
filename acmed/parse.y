/*
 * Copyright (c) 2026 acmed maintainers
 *
 * The lexer (igetc, lgetc, lungetc, findeol, the macro expansion, pushfile,
 * popfile, symset, symget) follows OpenBSD's parse.y, whose authors are:
 *
 * Copyright (c) 2002, 2003, 2004 Henning Brauer <henning@openbsd.org>
 * Copyright (c) 2001 Markus Friedl.  All rights reserved.
 * Copyright (c) 2001 Daniel Hartmeier.  All rights reserved.
 * Copyright (c) 2001 Theo de Raadt.  All rights reserved.
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * The acmed.conf(5) grammar and its lexer: macros, include, quoting and
 * line continuation in the OpenBSD way, and the keywords of OpenBSD's
 * acme-client.conf(5) plus acmed's own.  Runs as root in the parent,
 * before anything else happens.
 *
 * Each statement is handed to the model (config_build.c) with its file
 * and line, which checks it.  Every error is kept as "file:line: what"
 * and parsing goes on, so one run reports every mistake it can see, in
 * the order of the file (config_msg.c); config_parse() then returns
 * NULL.
 */

%{
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config_priv.h"
#include "log.h"
#include "proc.h"
#include "trust.h"

#define LEX_MAXSTR	8192		/* one token */
#define LEX_MAXUNGET	(64 * 1024)	/* pushed back, macros included */
#define LEX_TEXT	64		/* token text kept for messages */
#define STMT_MAX	8		/* tokens of a statement kept */

struct file {
	TAILQ_ENTRY(file)	 entry;
	FILE			*stream;
	const char		*name;		/* owned by the configuration */
	dev_t			 dev;
	ino_t			 ino;
	unsigned char		*ungetbuf;
	size_t			 ungetpos;
	size_t			 ungetsize;
	int			 eof_reached;
	int			 unget_full;
	int			 lineno;
	int			 depth;
};
TAILQ_HEAD(filelist, file);

struct sym {
	TAILQ_ENTRY(sym)	 entry;
	char			*name;
	char			*value;
};
TAILQ_HEAD(symlist, sym);

typedef struct {
	union {
		long long	 number;
		char		*string;
		struct conf_key	 kt;
	} v;
	int lineno;
} YYSTYPE;

/* byacc's discarded-symbol hook; the message is for its debug mode */
#define YYDESTRUCT_DECL() yydestruct(const char *msg __attribute__((__unused__)), \
	    int psymb, YYSTYPE *val)

int		 yyparse(void);
int		 yylex(void);
int		 yyerror(const char *);

static void	 conf_err(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
static int	 hint_wanted(void);
static void	 hint_flush(int);
static struct file *pushfile(const char *, int);
static int	 popfile(void);
static void	 freefiles(void);
static int	 symset(const char *, const char *);
static const char *symget(const char *);
static void	 freesyms(void);
static void	 skip_block(void);

static struct filelist	 files;
static struct file	*file;		/* the one being read */
static struct symlist	 syms;
static struct conf_build *build;
static int		 errors;	/* syntax errors, told later */
static int		 check_perms;
static int		 lex_line;	/* line of the last token */
static int		 lex_expanding;
static int		 lex_depth;	/* open braces */
static int		 lex_open_line;	/* where the outermost one opened */
static const char	*lex_open_file;
static int		 lex_eof;	/* the token is the end of input */
static int		 lex_reported;	/* the lexer logged this error */
static int		 lex_ntok;	/* token's place in its statement */
static int		 lex_prev;	/* previous token */
static int		 lex_word;	/* token is an unquoted non-keyword */
static int		 lex_keyword;	/* token is a keyword */
static char		 lex_text[LEX_TEXT];
static struct {
	int		 word;
	int		 keyword;
	char		 text[LEX_TEXT];	/* as written, unquoted */
} stmt[STMT_MAX];			/* the statement's first tokens */
static int		 stmt_n;
static struct {
	int		 pending;
	const char	*file;
	int		 line;
	enum conf_block	 in;
	size_t		 bad;		/* the token in error */
	char		 block[CONF_MAX_HANDLE + 32];
	char		 msg[LEX_TEXT + 80];	/* if no keyword is near */
} hint;				/* told when its statement ends */
%}

%token	AUTHORITY API URL CA ACCOUNT CONTACT INSECURE EXTERNAL
%token	DOMAIN ALTERNATIVE NAME NAMES KEY CERTIFICATE CHAIN FULL SIGN WITH
%token	CHALLENGE CHALLENGEDIR PREFERRED PROFILE RENEW BEFORE RELOAD SHELL SIGNAL PID
%token	TLSALPN
%token	FILENAME
%token	LISTEN ON PORT STATE EMPTY DIRECTORY CHECK INTERVAL EXPIRY WARNING
%token	EVENT HOOK USER NETPROC KEYPROC CHALLENGED LOG
%token	KEEP ROTATE
%token	VERIFY MAX ORDERS METRICS FALLBACK AFTER
%token	TEST
%token	DNS TIMEOUT WAIT
%token	CLUSTER ETCD PREFIX FLEET NODE
%token	RSA ECDSA GROUP INCLUDE ERROR
%token	<v.string>	STRING
%token	<v.number>	NUMBER
%type	<v.string>	string value keygroup
%type	<v.number>	port verifyport procname
%type	<v.kt>		keytype
%destructor { free($$); } <v.string>

%%

grammar		: /* empty */
		| grammar '\n'
		| grammar include '\n'
		| grammar varset '\n'
		| grammar main '\n'
		| grammar authority '\n'
		| grammar domain '\n'
		| grammar cluster '\n'
		| grammar error '\n'		{
			build_drop(build);
			skip_block();
			/* report the next line's error too */
			yyerrok;
		}
		;

include		: INCLUDE STRING		{
			struct file	*nfile;

			if ((nfile = pushfile($2, 0)) != NULL) {
				file = nfile;
				/* the new file's first token ends the include */
				lungetc('\n');
			}
			free($2);
		}
		;

string		: string STRING			{
			if (asprintf(&$$, "%s %s", $1, $2) == -1)
				fatal("asprintf");
			free($1);
			free($2);
		}
		| STRING
		;

value		: string
		| NUMBER			{
			if (asprintf(&$$, "%lld", $1) == -1)
				fatal("asprintf");
		}
		;

varset		: STRING '=' value		{
			const char	*s;

			for (s = $1; *s != '\0'; s++)
				if (!isalnum((unsigned char)*s) && *s != '_')
					break;
			if (*s != '\0')
				conf_err("macro name \"%s\": only letters, "
				    "digits and _ are allowed", $1);
			else if (symset($1, $3) == -1)
				fatal("symset");
			free($1);
			free($3);
		}
		;

optnl		: /* empty */
		| nl
		;

nl		: '\n'
		| nl '\n'
		;

optcomma	: ','
		| /* empty */
		;

port		: /* empty */			{ $$ = CONF_HTTP_PORT; }
		| PORT NUMBER			{ $$ = $2; }
		;

verifyport	: /* empty */			{ $$ = CONF_VERIFY_PORT; }
		| PORT NUMBER			{ $$ = $2; }
		;

procname	: NETPROC			{ $$ = PROC_NETPROC; }
		| KEYPROC			{ $$ = PROC_KEYPROC; }
		| CHALLENGED			{ $$ = PROC_CHALLENGED; }
		;

keytype		: /* empty */			{
			$$.type = KEY_ECDSA;
			$$.bits = KEY_ECDSA_DEFAULT_BITS;
		}
		| ECDSA				{
			$$.type = KEY_ECDSA;
			$$.bits = KEY_ECDSA_DEFAULT_BITS;
		}
		| ECDSA NUMBER			{
			build_keysize(build, file->name, lex_line, KEY_ECDSA,
			    $2, &$$);
		}
		| RSA				{
			$$.type = KEY_RSA;
			$$.bits = KEY_RSA_DEFAULT_BITS;
		}
		| RSA NUMBER			{
			build_keysize(build, file->name, lex_line, KEY_RSA, $2,
			    &$$);
		}
		/* the key stays: only its type is wrong */
		| ECDSA STRING			{
			build_keytype_unknown(build, file->name, lex_line, &$$,
			    "ecdsa %s", conf_shorten($2));
			free($2);
		}
		| RSA STRING			{
			build_keytype_unknown(build, file->name, lex_line, &$$,
			    "rsa %s", conf_shorten($2));
			free($2);
		}
		| STRING			{
			build_keytype_unknown(build, file->name, lex_line, &$$,
			    "%s", conf_shorten($1));
			free($1);
		}
		| NUMBER			{
			build_keytype_unknown(build, file->name, lex_line, &$$,
			    "%lld", $1);
		}
		;

keygroup	: /* empty */			{ $$ = NULL; }
		| GROUP STRING			{ $$ = $2; }
		;

main		: LISTEN ON STRING port		{
			build_listen(build, file->name, lex_line, $3, $4, 0);
		}
		| LISTEN ON STRING PORT NUMBER TLSALPN	{
			build_listen(build, file->name, lex_line, $3, $5, 1);
		}
		| LISTEN ON STRING TLSALPN	{
			build_listen(build, file->name, lex_line, $3,
			    CONF_TLSALPN_PORT, 1);
		}
		| STATE DIRECTORY STRING	{
			build_state_dir(build, file->name, lex_line, $3);
		}
		| EMPTY DIRECTORY STRING	{
			build_empty_dir(build, file->name, lex_line, $3);
		}
		| PID FILENAME STRING		{
			build_pid_file(build, file->name, lex_line, $3);
		}
		| CHECK INTERVAL NUMBER STRING	{
			build_check_interval(build, file->name, lex_line, $3,
			    $4);
		}
		| EXPIRY WARNING NUMBER STRING	{
			build_expiry_warning(build, file->name, lex_line, $3,
			    $4);
		}
		| EVENT HOOK STRING		{
			build_event_hook(build, file->name, lex_line, $3);
		}
		| USER procname STRING		{
			build_user(build, file->name, lex_line, (int)$2, $3);
		}
		| USER DNS STRING		{
			build_dns_user(build, file->name, lex_line, $3);
		}
		| DNS HOOK STRING		{
			build_dns_hook(build, file->name, lex_line, $3);
		}
		| DNS HOOK TIMEOUT NUMBER STRING	{
			build_dns_hook_timeout(build, file->name, lex_line, $4,
			    $5);
		}
		| DNS WAIT NUMBER STRING	{
			build_dns_wait(build, file->name, lex_line, $3, $4);
		}
		| LOG FILENAME STRING		{
			build_log_file(build, file->name, lex_line, $3);
		}
		| METRICS FILENAME STRING	{
			build_metrics_file(build, file->name, lex_line, $3);
		}
		;

authority	: AUTHORITY STRING		{
			build_authority(build, file->name, lex_line, $2);
		} '{' authopts '}'		{
			build_authority_end(build);
			free($2);
		}
		;

/* the last option may end with the block, on its line */
authopts	: authopts_l
		| authopts_l authoptsl
		;

/* An error in the first line, too, leaves the block to the next line. */
authopts_l	: /* empty */
		| authopts_l '\n'
		| authopts_l authoptsl '\n'
		| authopts_l error '\n'		{ yyerrok; }
		;

authoptsl	: API URL STRING		{
			build_api_url(build, file->name, lex_line, $3);
		}
		| API CA STRING			{
			build_api_ca(build, file->name, lex_line, $3);
		}
		| ACCOUNT KEY STRING keytype	{
			build_account_key(build, file->name, lex_line, $3, &$4);
		}
		| CONTACT STRING		{
			build_contact(build, file->name, lex_line, $2);
		}
		| EXTERNAL ACCOUNT STRING KEY STRING	{
			build_external_account(build, file->name, lex_line, $3,
			    $5);
		}
		| MAX ORDERS NUMBER		{
			build_max_orders(build, file->name, lex_line, $3);
		}
		| INSECURE			{
			build_insecure(build, file->name, lex_line);
		}
		| TEST AUTHORITY STRING		{
			build_test_authority(build, file->name, lex_line, $3);
		}
		;

domain		: DOMAIN STRING			{
			build_domain(build, file->name, lex_line, $2);
		} '{' domopts '}'		{
			build_domain_end(build, file->name);
			free($2);
		}
		;

domopts		: domopts_l
		| domopts_l domoptsl
		;

domopts_l	: /* empty */
		| domopts_l '\n'
		| domopts_l domoptsl '\n'
		| domopts_l error '\n'		{ yyerrok; }
		;

domoptsl	: ALTERNATIVE NAMES '{' optnl altname_l '}'
		| DOMAIN NAME STRING		{
			build_domain_name(build, file->name, lex_line, $3);
		}
		| DOMAIN KEY STRING keytype keygroup	{
			build_domain_key(build, file->name, lex_line, $3, &$4,
			    $5);
		}
		| DOMAIN KEY KEEP		{
			build_key_rotate(build, file->name, lex_line, 0);
		}
		| DOMAIN KEY ROTATE		{
			build_key_rotate(build, file->name, lex_line, 1);
		}
		| DOMAIN CERTIFICATE STRING	{
			build_domain_cert(build, file->name, lex_line, $3);
		}
		| DOMAIN CHAIN CERTIFICATE STRING	{
			build_domain_chain(build, file->name, lex_line, $4);
		}
		| DOMAIN FULL CHAIN CERTIFICATE STRING	{
			build_domain_fullchain(build, file->name, lex_line, $5);
		}
		| SIGN WITH STRING		{
			build_sign_with(build, file->name, lex_line, $3, NULL,
			    NULL);
		}
		| SIGN WITH STRING FALLBACK STRING	{
			build_sign_with(build, file->name, lex_line, $3, $5,
			    NULL);
		}
		| SIGN WITH STRING FALLBACK STRING FALLBACK STRING	{
			build_sign_with(build, file->name, lex_line, $3, $5,
			    $7);
		}
		| FALLBACK AFTER NUMBER STRING	{
			build_fallback_after(build, file->name, lex_line, $3,
			    $4);
		}
		| CHALLENGE STRING		{
			build_challenge(build, file->name, lex_line, $2);
		}
		| CHALLENGEDIR STRING		{
			build_challengedir(build, file->name, lex_line, $2);
		}
		| DNS HOOK STRING		{
			build_dns_hook(build, file->name, lex_line, $3);
		}
		| PROFILE STRING		{
			build_profile(build, file->name, lex_line, $2, NULL);
		}
		| PROFILE STRING STRING		{
			build_profile(build, file->name, lex_line, $2, $3);
		}
		| PREFERRED CHAIN STRING	{
			build_preferred_chain(build, file->name, lex_line, $3);
		}
		| RENEW BEFORE NUMBER STRING	{
			build_renew_before(build, file->name, lex_line, $3, $4);
		}
		| RELOAD STRING			{
			build_reload(build, file->name, lex_line,
			    ACTION_COMMAND, $2, NULL, NULL);
		}
		| RELOAD SHELL STRING		{
			build_reload(build, file->name, lex_line, ACTION_SHELL,
			    $3, NULL, NULL);
		}
		| RELOAD SIGNAL STRING PID FILENAME STRING	{
			build_reload(build, file->name, lex_line,
			    ACTION_SIGNAL, NULL, $3, $6);
		}
		| VERIFY STRING verifyport	{
			build_verify(build, file->name, lex_line, $2, $3);
		}
		;

cluster		: CLUSTER			{
			build_cluster(build, file->name, lex_line);
		} '{' clusteropts '}'		{
			build_cluster_end(build, file->name);
		}
		;

clusteropts	: clusteropts_l
		| clusteropts_l clusteroptsl
		;

clusteropts_l	: /* empty */
		| clusteropts_l '\n'
		| clusteropts_l clusteroptsl '\n'
		| clusteropts_l error '\n'	{ yyerrok; }
		;

clusteroptsl	: ETCD etcdurls			{
			build_etcd(build, file->name, lex_line);
		}
		| ETCD CA STRING		{
			build_etcd_file(build, file->name, lex_line,
			    CONF_ETCD_CA, $3);
		}
		| ETCD CERTIFICATE STRING	{
			build_etcd_file(build, file->name, lex_line,
			    CONF_ETCD_CERT, $3);
		}
		| ETCD KEY STRING		{
			build_etcd_file(build, file->name, lex_line,
			    CONF_ETCD_KEY, $3);
		}
		| PREFIX STRING			{
			build_cluster_prefix(build, file->name, lex_line, $2);
		}
		| FLEET KEY STRING		{
			build_fleet_key(build, file->name, lex_line, $3);
		}
		| NODE STRING			{
			build_node(build, file->name, lex_line, $2);
		}
		;

/* The first endpoint begins the list. */
etcdurls	: STRING			{
			build_etcd_url(build, $1, 1);
		}
		| etcdurls STRING		{
			build_etcd_url(build, $2, 0);
		}
		;

altname_l	: /* empty */
		| altname_l altname optcomma optnl
		;

altname		: STRING			{
			/* the lookahead may already be on a later line */
			lex_line = $<lineno>1;
			build_alt_name(build, file->name, lex_line, $1);
		}
		;

%%

struct keyword {
	const char	*name;
	int		 token;
};

/* Sorted: looked up with bsearch(). */
static const struct keyword keywords[] = {
	{ "account",		ACCOUNT },
	{ "after",		AFTER },
	{ "alternative",	ALTERNATIVE },
	{ "api",		API },
	{ "authority",		AUTHORITY },
	{ "before",		BEFORE },
	{ "ca",			CA },
	{ "certificate",	CERTIFICATE },
	{ "chain",		CHAIN },
	{ "challenge",		CHALLENGE },
	{ "challenged",		CHALLENGED },
	{ "challengedir",	CHALLENGEDIR },
	{ "check",		CHECK },
	{ "cluster",		CLUSTER },
	{ "contact",		CONTACT },
	{ "directory",		DIRECTORY },
	{ "dns",		DNS },
	{ "domain",		DOMAIN },
	{ "ecdsa",		ECDSA },
	{ "empty",		EMPTY },
	{ "etcd",		ETCD },
	{ "event",		EVENT },
	{ "expiry",		EXPIRY },
	{ "external",		EXTERNAL },
	{ "fallback",		FALLBACK },
	{ "file",		FILENAME },
	{ "fleet",		FLEET },
	{ "full",		FULL },
	{ "group",		GROUP },
	{ "hook",		HOOK },
	{ "include",		INCLUDE },
	{ "insecure",		INSECURE },
	{ "interval",		INTERVAL },
	{ "keep",		KEEP },
	{ "key",		KEY },
	{ "keyproc",		KEYPROC },
	{ "listen",		LISTEN },
	{ "log",		LOG },
	{ "max",		MAX },
	{ "metrics",		METRICS },
	{ "name",		NAME },
	{ "names",		NAMES },
	{ "netproc",		NETPROC },
	{ "node",		NODE },
	{ "on",			ON },
	{ "orders",		ORDERS },
	{ "pid",		PID },
	{ "port",		PORT },
	{ "preferred",		PREFERRED },
	{ "prefix",		PREFIX },
	{ "profile",		PROFILE },
	{ "reload",		RELOAD },
	{ "renew",		RENEW },
	{ "rotate",		ROTATE },
	{ "rsa",		RSA },
	{ "shell",		SHELL },
	{ "sign",		SIGN },
	{ "signal",		SIGNAL },
	{ "state",		STATE },
	{ "test",		TEST },
	{ "timeout",		TIMEOUT },
	{ "tls-alpn",		TLSALPN },
	{ "url",		URL },
	{ "user",		USER },
	{ "verify",		VERIFY },
	{ "wait",		WAIT },
	{ "warning",		WARNING },
	{ "with",		WITH },
};

static int
kw_cmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct keyword *)e)->name);
}

static int
lookup(const char *s)
{
	const struct keyword	*p;

	p = bsearch(s, keywords, sizeof(keywords) / sizeof(keywords[0]),
	    sizeof(keywords[0]), kw_cmp);
	if (p == NULL)
		return STRING;
	return p->token;
}

/* A message about the statement being read, named with its block. */
static void
conf_err(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	build_vmsg(build, file->name, lex_line, 0, fmt, ap);
	va_end(ap);
}

/*
 * byacc calls this for a syntax error.  Say which token was wrong, and
 * call a statement that begins with an unknown word what it most likely
 * is: an unknown keyword.  Which keyword was meant is told once the
 * statement has been read to its end (hint_flush()).
 */
int
yyerror(const char *msg)
{
	char	 text[sizeof(hint.msg)];

	if (lex_reported) {
		lex_reported = 0;
		return 0;
	}
	if (strcmp(msg, "syntax error") != 0) {
		conf_err("%s", msg);
		return 0;
	}
	if (lex_eof && lex_depth > 0) {
		errors++;
		conf_msg(lex_open_file, lex_open_line, 0, "%sthis block is not "
		    "closed: '}' is missing", build_prefix(build));
		return 0;
	}
	if (lex_ntok == 2 && lex_prev == '=' && stmt[0].keyword) {
		conf_err("\"%s\" is a keyword and cannot name a macro",
		    stmt[0].text);
		return 0;
	}
	if (lex_ntok == 1 && lex_word)
		snprintf(text, sizeof(text), "unknown keyword \"%s\"",
		    lex_text);
	else if (lex_ntok == 2 && stmt[0].word && lex_prev != '=')
		snprintf(text, sizeof(text), "unknown keyword \"%s\"",
		    stmt[0].text);
	else if (lex_keyword && lex_ntok == 1)
		snprintf(text, sizeof(text), "keyword \"%s\" is not allowed "
		    "here", lex_text);
	else if (lex_keyword)
		snprintf(text, sizeof(text), "syntax error at keyword \"%s\" "
		    "(a name that is a keyword must be quoted)", lex_text);
	else if (lex_word)
		snprintf(text, sizeof(text), "syntax error at \"%s\"",
		    lex_text);
	else
		snprintf(text, sizeof(text), "syntax error at %s", lex_text);
	if (!hint_wanted()) {
		conf_err("%s", text);
		return 0;
	}
	errors++;
	hint.pending = 1;
	hint.file = file->name;
	hint.line = lex_line;
	hint.bad = (size_t)lex_ntok - 1;
	/* a block's first line is not in the block yet */
	hint.in = lex_depth == 0 ? CONF_BLOCK_NONE : build_block(build);
	snprintf(hint.block, sizeof(hint.block), "%s", lex_depth == 0 ? "" :
	    build_prefix(build));
	memcpy(hint.msg, text, sizeof(hint.msg));
	if (lex_prev == '\n' || lex_prev == '{' || lex_prev == '}')
		hint_flush(lex_prev == '{');
	return 0;
}

/*
 * Whether the statement in error begins with words, keywords or not, and
 * went wrong at one of them or right after a word that is no keyword:
 * a keyword misspelt, or in the wrong block.  Not in a list of names.
 */
static int
hint_wanted(void)
{
	int	 i, e = lex_ntok - 1, words = 0;

	if (lex_depth > 1 || e >= STMT_MAX)
		return 0;
	for (i = 0; i < e; i++) {
		if (!stmt[i].word && !stmt[i].keyword)
			return 0;
		words += stmt[i].word;
	}
	return stmt[e].word || stmt[e].keyword || words > 0;
}

/* The statement in error has been read: the keyword it most likely meant. */
static void
hint_flush(int opens_block)
{
	char	*w[STMT_MAX], text[sizeof(hint.msg) + 200];
	size_t	 n, bad;

	for (n = 0; n < (size_t)stmt_n && (stmt[n].word || stmt[n].keyword);
	    n++)
		w[n] = stmt[n].text;
	for (bad = 0; bad < n && !stmt[bad].word; bad++)
		;
	if (bad > hint.bad)
		bad = hint.bad;
	if (conf_keyword_hint(hint.in, w, n, bad, opens_block, text,
	    sizeof(text)) == -1)
		memcpy(text, hint.msg, sizeof(hint.msg));
	conf_msg(hint.file, hint.line, 0, "%s%s", hint.block, text);
	hint.pending = 0;
}

/* Characters from the file and from expanded macros. */
#define EXPAND_START	1
#define EXPAND_END	2

static int
igetc(void)
{
	int	 c;

	for (;;) {
		if (file->ungetpos > 0) {
			c = file->ungetbuf[--file->ungetpos];
			if (c == EXPAND_START) {
				lex_expanding = 1;
				continue;
			}
			if (c == EXPAND_END) {
				lex_expanding = 0;
				continue;
			}
			return c;
		}
		c = getc(file->stream);
		/* the markers only ever come from an expansion */
		if (c == EXPAND_START || c == EXPAND_END)
			c = 0x7f;
		return c;
	}
}

static void
lungetc(int c)
{
	unsigned char	*p;
	size_t		 n;

	if (c == EOF)
		return;
	if (file->ungetpos >= file->ungetsize) {
		n = file->ungetsize * 2;
		if (n > LEX_MAXUNGET) {
			if (!file->unget_full++)
				conf_err("macro expansion too long");
			return;
		}
		if ((p = realloc(file->ungetbuf, n)) == NULL)
			fatal("lungetc");
		file->ungetbuf = p;
		file->ungetsize = n;
	}
	file->ungetbuf[file->ungetpos++] = (unsigned char)c;
}

static int
lgetc(int quotec)
{
	int	 c, next;

	if (quotec)
		return igetc();

	while ((c = igetc()) == '\\') {
		next = igetc();
		if (next != '\n') {
			lungetc(next);
			break;
		}
		file->lineno++;
	}

	if (c == EOF) {
		/* a last line without its newline still ends a statement */
		if (!file->eof_reached) {
			file->eof_reached = 1;
			return '\n';
		}
		while (c == EOF) {
			if (popfile() == EOF)
				return EOF;
			c = igetc();
		}
	}
	return c;
}

/* Skips the rest of a bad line; the newline stays to end the statement. */
static int
findeol(void)
{
	int	 c;

	for (;;) {
		c = lgetc(0);
		if (c == '\n') {
			lungetc(c);
			break;
		}
		if (c == EOF)
			break;
	}
	lex_reported = 1;
	return ERROR;
}

static void
lex_settext(const char *fmt, ...)
{
	va_list	 ap;
	size_t	 n;

	va_start(ap, fmt);
	n = (size_t)vsnprintf(lex_text, sizeof(lex_text), fmt, ap);
	va_end(ap);
	if (n >= sizeof(lex_text))
		memcpy(lex_text + sizeof(lex_text) - 4, "...", 4);
}

#define allowed_to_end_number(x) \
	(isspace(x) || (x) == ')' || (x) == ',' || (x) == '/' || \
	(x) == '}' || (x) == '=' || (x) == '#')

#define allowed_in_string(x) \
	(isalnum(x) || (ispunct(x) && (x) != '(' && (x) != ')' && \
	(x) != '{' && (x) != '}' && (x) != '!' && (x) != '=' && \
	(x) != '#' && (x) != ',' && (x) != '"' && (x) != '\''))

#define allowed_to_start_string(x) \
	(isalnum(x) || (x) == '_' || (x) == ':' || (x) == '/' || \
	(x) == '*' || (x) == '.')

static int
lex_token(void)
{
	char		 buf[LEX_MAXSTR];
	char		*p;
	const char	*val;
	int		 c, next, quotec, token;
	long long	 n;

top:
	p = buf;
	lex_word = lex_keyword = 0;
	while ((c = lgetc(0)) == ' ' || c == '\t' || c == '\r')
		;
	lex_line = file->lineno;
	if (c == '#')
		while ((c = lgetc(0)) != '\n' && c != EOF)
			;
	if (c == '$' && !lex_expanding) {
		for (;;) {
			if ((c = lgetc(0)) == EOF)
				break;
			if (p + 1 >= buf + sizeof(buf) - 1) {
				*p = '\0';
				conf_err("macro name \"%s\": longer than %d "
				    "bytes", conf_shorten(buf), LEX_MAXSTR - 2);
				return findeol();
			}
			if (!isalnum(c) && c != '_') {
				lungetc(c);
				break;
			}
			*p++ = (char)c;
		}
		*p = '\0';
		if ((val = symget(buf)) == NULL) {
			conf_err("macro \"%s\" is not defined", buf);
			return findeol();
		}
		if (strlen(val) + 2 > LEX_MAXUNGET - file->ungetpos) {
			conf_err("macro \"%s\": longer than %d bytes "
			    "expanded", buf, LEX_MAXUNGET - 2);
			return findeol();
		}
		lungetc(EXPAND_END);
		for (p = (char *)val + strlen(val); p > val; p--)
			lungetc((unsigned char)p[-1]);
		lungetc(EXPAND_START);
		goto top;
	}

	switch (c) {
	case '\'':
	case '"':
		quotec = c;
		for (;;) {
			if ((c = lgetc(quotec)) == EOF) {
				*p = '\0';
				conf_err("end of file inside the quoted string "
				    "%c%s", quotec, conf_shorten(buf));
				lex_reported = 1;
				return ERROR;
			}
			if (c == '\n') {
				file->lineno++;
			} else if (c == '\\') {
				if ((next = lgetc(quotec)) == EOF)
					continue;
				if (next == quotec || next == ' ' ||
				    next == '\t')
					c = next;
				else if (next == '\n') {
					file->lineno++;
					continue;
				} else
					lungetc(next);
			} else if (c == quotec) {
				*p = '\0';
				break;
			} else if (c == '\0') {
				*p = '\0';
				conf_err("NUL byte inside the quoted string "
				    "%c%s", quotec, conf_shorten(buf));
				return findeol();
			}
			if (p + 1 >= buf + sizeof(buf) - 1) {
				*p = '\0';
				conf_err("quoted string %c%s: longer than %d "
				    "bytes", quotec, conf_shorten(buf),
				    LEX_MAXSTR - 2);
				return findeol();
			}
			*p++ = (char)c;
		}
		if ((yylval.v.string = strdup(buf)) == NULL)
			fatal("strdup");
		lex_settext("\"%s\"", buf);
		return STRING;
	}

	if (c == '-' || isdigit(c)) {
		do {
			*p++ = (char)c;
			if ((size_t)(p - buf) >= sizeof(buf) - 1) {
				*p = '\0';
				conf_err("number %s: longer than %d bytes",
				    conf_shorten(buf), LEX_MAXSTR - 2);
				return findeol();
			}
		} while ((c = lgetc(0)) != EOF && isdigit(c));
		lungetc(c);
		if (p == buf + 1 && buf[0] == '-')
			goto nodigits;
		if (c == EOF || allowed_to_end_number(c)) {
			*p = '\0';
			errno = 0;
			n = strtoll(buf, NULL, 10);
			if (errno == ERANGE || n < -1000000000LL ||
			    n > 1000000000LL) {
				conf_err("number %s out of range", buf);
				return findeol();
			}
			yylval.v.number = n;
			lex_settext("%s", buf);
			return NUMBER;
		}
nodigits:
		while (p > buf + 1)
			lungetc((unsigned char)*--p);
		c = (unsigned char)*--p;
		if (c == '-') {
			lex_settext("'-'");
			return c;
		}
	}

	if (allowed_to_start_string(c)) {
		do {
			*p++ = (char)c;
			if ((size_t)(p - buf) >= sizeof(buf) - 1) {
				*p = '\0';
				conf_err("word %s: longer than %d bytes",
				    conf_shorten(buf), LEX_MAXSTR - 2);
				return findeol();
			}
		} while ((c = lgetc(0)) != EOF && allowed_in_string(c));
		lungetc(c);
		*p = '\0';
		lex_settext("%s", buf);
		if ((token = lookup(buf)) == STRING) {
			if ((yylval.v.string = strdup(buf)) == NULL)
				fatal("strdup");
			lex_word = 1;
		} else
			lex_keyword = 1;
		return token;
	}

	if (c == '\n') {
		yylval.lineno = file->lineno;
		file->lineno++;
		lex_settext("end of line");
		return c;
	}
	if (c == EOF) {
		lex_settext("end of file");
		lex_eof = 1;
		return 0;
	}
	if (isprint(c))
		lex_settext("'%c'", c);
	else
		lex_settext("byte 0x%02x", c);
	if (c == '{' && lex_depth++ == 0) {
		lex_open_line = lex_line;
		lex_open_file = file->name;
	}
	else if (c == '}' && lex_depth > 0)
		lex_depth--;
	return c;
}

/* Wraps the lexer to know where in a statement each token stands. */
int
yylex(void)
{
	int	 token;

	lex_reported = 0;
	lex_eof = 0;
	token = lex_token();
	yylval.lineno = lex_line;
	if (lex_prev == '\n' || lex_prev == '{' || lex_prev == 0)
		lex_ntok = 1;
	else
		lex_ntok++;
	if (lex_ntok <= STMT_MAX) {
		stmt[lex_ntok - 1].word = lex_word;
		stmt[lex_ntok - 1].keyword = lex_keyword;
		snprintf(stmt[lex_ntok - 1].text, sizeof(stmt[0].text), "%s",
		    token == STRING ? conf_shorten(yylval.v.string) : lex_text);
		stmt_n = lex_ntok;
	}
	lex_prev = token == 0 ? '\n' : token;
	if (hint.pending && (lex_prev == '\n' || lex_prev == '{' ||
	    lex_prev == '}'))
		hint_flush(lex_prev == '{');
	return token;
}

/*
 * After a syntax error on a block's first line, the rest of the block
 * would read as nonsense: skip to its closing brace.
 */
static void
skip_block(void)
{
	int	 token;

	while (lex_depth > 0) {
		token = yylex();
		if (token == STRING)
			free(yylval.v.string);
		if (token == 0)
			break;
	}
}

/* Without the checks (fuzzers, unit tests): any regular file. */
static int
open_unchecked(const char *name, char *why, size_t len)
{
	struct stat	 st;
	int		 fd;

	if ((fd = open(name, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		snprintf(why, len, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(why, len, "not a regular file");
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Opens a configuration file; include is not followed into itself, nor
 * deeper than CONF_MAX_INCLUDE_DEPTH.
 */
static struct file *
pushfile(const char *name, int top)
{
	struct file	*nf, *f;
	struct stat	 st;
	char		*path = NULL, why[TRUST_WHY_MAX];
	const char	*slash;
	FILE		*fp;
	int		 fd;

	if (!top && name[0] != '/' && (slash = strrchr(file->name, '/'))
	    != NULL) {
		if (asprintf(&path, "%.*s/%s", (int)(slash - file->name),
		    file->name, name) == -1)
			fatal("asprintf");
		name = path;
	}
	if (!top && file->depth + 1 > CONF_MAX_INCLUDE_DEPTH) {
		conf_err("include \"%s\": more than %d levels of include",
		    name, CONF_MAX_INCLUDE_DEPTH);
		goto fail;
	}
	/* What the file says runs as root: no one else may change it. */
	if (check_perms)
		fd = trust_open(name, 0, TRUST_NOGROUP, why, sizeof(why));
	else
		fd = open_unchecked(name, why, sizeof(why));
	if (fd == -1) {
		if (top)
			conf_msg(name, 0, 0, "%s", why);
		else
			conf_err("include \"%s\": %s", name, why);
		errors += top;
		goto fail;
	}
	if ((fp = fdopen(fd, "r")) == NULL)
		fatal("fdopen");
	if (fstat(fd, &st) == -1)
		fatal("%s", name);
	TAILQ_FOREACH(f, &files, entry) {
		if (f->dev == st.st_dev && f->ino == st.st_ino) {
			conf_err("include \"%s\": include loop (%s is "
			    "already being read)", name, f->name);
			fclose(fp);
			goto fail;
		}
	}
	if ((nf = calloc(1, sizeof(*nf))) == NULL)
		fatal("calloc");
	nf->stream = fp;
	nf->name = build_file(build, name);
	conf_msg_file(nf->name, top ? NULL : file->name, lex_line);
	nf->dev = st.st_dev;
	nf->ino = st.st_ino;
	/* an included file starts with the newline that ends the include */
	nf->lineno = top ? 1 : 0;
	nf->depth = top ? 0 : file->depth + 1;
	nf->ungetsize = 16;
	if ((nf->ungetbuf = malloc(nf->ungetsize)) == NULL)
		fatal("malloc");
	TAILQ_INSERT_TAIL(&files, nf, entry);
	free(path);
	return nf;
fail:
	free(path);
	return NULL;
}

static int
popfile(void)
{
	struct file	*prev;

	if ((prev = TAILQ_PREV(file, filelist, entry)) == NULL)
		return EOF;
	TAILQ_REMOVE(&files, file, entry);
	fclose(file->stream);
	free(file->ungetbuf);
	free(file);
	file = prev;
	return 0;
}

static void
freefiles(void)
{
	struct file	*f;

	while ((f = TAILQ_FIRST(&files)) != NULL) {
		TAILQ_REMOVE(&files, f, entry);
		fclose(f->stream);
		free(f->ungetbuf);
		free(f);
	}
	file = NULL;
}

static int
symset(const char *name, const char *value)
{
	struct sym	*s;

	TAILQ_FOREACH(s, &syms, entry)
		if (strcmp(s->name, name) == 0)
			break;
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return -1;
		if ((s->name = strdup(name)) == NULL) {
			free(s);
			return -1;
		}
		TAILQ_INSERT_TAIL(&syms, s, entry);
	}
	free(s->value);
	if ((s->value = strdup(value)) == NULL)
		return -1;
	return 0;
}

static const char *
symget(const char *name)
{
	struct sym	*s;

	TAILQ_FOREACH(s, &syms, entry)
		if (strcmp(s->name, name) == 0)
			return s->value;
	return NULL;
}

static void
freesyms(void)
{
	struct sym	*s;

	while ((s = TAILQ_FIRST(&syms)) != NULL) {
		TAILQ_REMOVE(&syms, s, entry);
		free(s->name);
		free(s->value);
		free(s);
	}
}

/*
 * Reads a configuration; with check, every file it names is checked as
 * the daemon will use it (fuzzers and unit tests go without).
 */
struct config *
config_parse(const char *filename, int check)
{
	struct config	*c;

	TAILQ_INIT(&files);
	TAILQ_INIT(&syms);
	errors = 0;
	check_perms = check;
	lex_line = lex_expanding = lex_depth = lex_reported = 0;
	lex_open_line = lex_eof = 0;
	lex_open_file = NULL;
	lex_ntok = lex_prev = lex_word = lex_keyword = stmt_n = 0;
	hint.pending = 0;
	lex_text[0] = '\0';

	build = build_new(filename, check);
	file = NULL;
	if ((file = pushfile(build_path(build), 1)) == NULL) {
		conf_msg_flush();
		build_free(build);
		build = NULL;
		return NULL;
	}
	yyparse();
	if (hint.pending)
		hint_flush(0);
	/* the lexer may have stopped inside an include */
	while (file != NULL && popfile() != EOF)
		;

	freefiles();
	freesyms();
	c = build_end(build, errors);
	build = NULL;
	conf_msg_flush();
	return c;
}
