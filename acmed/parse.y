/*
 * The acmed.conf(5) grammar and its lexer: macros, include, quoting and
 * line continuation in the OpenBSD way, and the keywords of OpenBSD's
 * acme-client.conf(5) plus acmed's own.  Runs as root in the parent,
 * before anything else happens.
 *
 * Every error is kept as "file:line: what" and parsing goes on, so one
 * run reports every mistake it can see, in the order of the file
 * (config_msg.c); config_parse() then returns NULL.  Checks that need the
 * whole file (sign with, defaults) are in config.c.
 */

%{
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config_priv.h"
#include "log.h"
#include "msg.h"
#include "proc.h"
#include "trust.h"

#define LEX_MAXSTR	8192		/* one token */
#define LEX_MAXUNGET	(64 * 1024)	/* pushed back, macros included */
#define LEX_TEXT	64		/* token text kept for messages */
#define STMT_MAX	8		/* tokens of a statement kept */

struct file {
	TAILQ_ENTRY(file)	 entry;
	FILE			*stream;
	const char		*name;		/* owned by conf->files */
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
		struct {
			int	 type;
			int	 bits;
		}		 kt;
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
static void	 conf_err_at(const char *, int, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));
static void	 conf_warn(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
static void	 keytype_err(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2)));
static const char *block_prefix(void);
static int	 hint_wanted(void);
static void	 hint_flush(int);
static const char *shorten(const char *);
static struct file *pushfile(const char *, int);
static int	 popfile(void);
static void	 freefiles(void);
static int	 symset(const char *, const char *);
static const char *symget(const char *);
static void	 freesyms(void);
static void	 skip_block(void);
static int	 set_path(char **, const char *, const char *, int);
static void	 check_path(const char *, const char *, enum conf_path, gid_t);
static void	 add_name(const char *, int);
static void	 new_authority(const char *);
static void	 end_authority(void);
static void	 new_domain(const char *);
static void	 end_domain(void);
static void	 add_action(enum action_type, char *, char *, char *);
static void	 set_user(int, char *);

static struct filelist	 files;
static struct file	*file;		/* the one being read */
static struct symlist	 syms;
static struct config	*conf;
static struct authority	*cur_auth;
static struct domain	*cur_dom;
static int		 errors;
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
static int		 user_line[PROC_MAX];
static const char	*user_file[PROC_MAX];
static int		 domain_has_name;
static int		 domain_names_full;
static int		 seen_state, seen_empty, seen_interval, seen_expiry;
static int		 seen_hook, seen_pidfile;
static int		 state_line;
static const char	*state_file;
%}

%token	AUTHORITY API URL CA ACCOUNT CONTACT INSECURE EXTERNAL
%token	DOMAIN ALTERNATIVE NAME NAMES KEY CERTIFICATE CHAIN FULL SIGN WITH
%token	CHALLENGEDIR PREFERRED PROFILE RENEW BEFORE RELOAD SHELL SIGNAL PID
%token	FILENAME
%token	LISTEN ON PORT STATE EMPTY DIRECTORY CHECK INTERVAL EXPIRY WARNING
%token	EVENT HOOK USER NETPROC KEYPROC CHALLENGED LOG
%token	VERIFY MAX ORDERS
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
		| grammar error '\n'		{
			/* a block cut short is not checked any further */
			if (cur_auth != NULL) {
				TAILQ_REMOVE(&conf->authorities, cur_auth,
				    entry);
				conf_free_authority(cur_auth);
				cur_auth = NULL;
			}
			if (cur_dom != NULL) {
				TAILQ_REMOVE(&conf->domains, cur_dom, entry);
				conf_free_domain(cur_dom);
				cur_dom = NULL;
			}
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
			$$.type = KEY_ECDSA;
			$$.bits = KEY_ECDSA_DEFAULT_BITS;
			if ($2 != 256 && $2 != 384)
				keytype_err("ecdsa %lld", $2);
			else
				$$.bits = (int)$2;
		}
		| RSA				{
			$$.type = KEY_RSA;
			$$.bits = KEY_RSA_DEFAULT_BITS;
		}
		| RSA NUMBER			{
			$$.type = KEY_RSA;
			$$.bits = KEY_RSA_DEFAULT_BITS;
			if ($2 != 2048 && $2 != 3072 && $2 != 4096)
				keytype_err("rsa %lld", $2);
			else
				$$.bits = (int)$2;
		}
		/* the key stays: only its type is wrong */
		| ECDSA STRING			{
			keytype_err("ecdsa %s", shorten($2));
			free($2);
			$$.type = KEY_ECDSA;
			$$.bits = KEY_ECDSA_DEFAULT_BITS;
		}
		| RSA STRING			{
			keytype_err("rsa %s", shorten($2));
			free($2);
			$$.type = KEY_ECDSA;
			$$.bits = KEY_ECDSA_DEFAULT_BITS;
		}
		| STRING			{
			keytype_err("%s", shorten($1));
			free($1);
			$$.type = KEY_ECDSA;
			$$.bits = KEY_ECDSA_DEFAULT_BITS;
		}
		| NUMBER			{
			keytype_err("%lld", $1);
			$$.type = KEY_ECDSA;
			$$.bits = KEY_ECDSA_DEFAULT_BITS;
		}
		;

keygroup	: /* empty */			{ $$ = NULL; }
		| GROUP STRING			{ $$ = $2; }
		;

main		: LISTEN ON STRING port		{
			const char	*why;

			if (conf_listen(conf, $3, $4, &why) == -1)
				conf_err("listen on %s port %lld: %s", $3, $4,
				    why);
			free($3);
		}
		| STATE DIRECTORY STRING	{
			if (seen_state++)
				conf_err("state directory \"%s\": given twice",
				    $3);
			else if (set_path(&conf->state_dir, $3,
			    "state directory", 0) == 0) {
				state_line = lex_line;
				state_file = file->name;
			}
			free($3);
		}
		| EMPTY DIRECTORY STRING	{
			if (seen_empty++)
				conf_err("empty directory \"%s\": given twice",
				    $3);
			else
				set_path(&conf->empty_dir, $3,
				    "empty directory", 0);
			free($3);
		}
		| PID FILENAME STRING		{
			if (seen_pidfile++)
				conf_err("pid file given twice");
			else if (set_path(&conf->pid_file, $3, "pid file",
			    0) == 0)
				check_path("pid file", $3, CONF_PATH_CERT,
				    TRUST_NOGROUP);
			free($3);
		}
		| CHECK INTERVAL NUMBER STRING	{
			const char	*why;

			if (seen_interval++)
				conf_err("check interval %lld %s: given twice",
				    $3, $4);
			else if (conf_duration($3, $4, 1, &conf->check_interval,
			    &why) == -1)
				conf_err("check interval %lld %s: %s", $3, $4,
				    why);
			else if (conf->check_interval <
			    CONF_MIN_CHECK_INTERVAL)
				conf_err("check interval %lld %s: below the "
				    "minimum of %d seconds", $3, $4,
				    CONF_MIN_CHECK_INTERVAL);
			free($4);
		}
		| EXPIRY WARNING NUMBER STRING	{
			const char	*why;

			if (seen_expiry++)
				conf_err("expiry warning %lld %s: given twice",
				    $3, $4);
			else if (conf_duration($3, $4, 0, &conf->expiry_warn,
			    &why) == -1)
				conf_err("expiry warning %lld %s: %s", $3, $4,
				    why);
			free($4);
		}
		| EVENT HOOK STRING		{
			if (seen_hook++)
				conf_err("event hook \"%s\": given twice", $3);
			else if (set_path(&conf->event_hook, $3, "event hook",
			    0) == 0)
				check_path("event hook", $3, CONF_PATH_PROGRAM,
				    TRUST_NOGROUP);
			free($3);
		}
		| USER procname STRING		{
			set_user((int)$2, $3);
		}
		| LOG FILENAME STRING		{
			if (conf->log_file != NULL)
				conf_err("log file given twice");
			else if (set_path(&conf->log_file, $3, "log file",
			    1) == 0)
				check_path("log file", $3, CONF_PATH_LOG,
				    TRUST_NOGROUP);
			free($3);
		}
		;

authority	: AUTHORITY STRING		{
			new_authority($2);
		} '{' authopts '}'		{
			end_authority();
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
			if (cur_auth->api_url != NULL)
				conf_err("api url \"%s\": given twice",
				    shorten($3));
			else if (strncasecmp($3, "https://", 8) != 0 ||
			    $3[8] == '\0' || $3[8] == '/')
				conf_err("api url \"%s\" must begin with "
				    "https:// and a host", $3);
			else if (strlen($3) > MSG_URL_MAX)
				conf_err("api url \"%s\": longer than %d bytes",
				    shorten($3), MSG_URL_MAX);
			else {
				cur_auth->api_url = $3;
				$3 = NULL;
			}
			free($3);
		}
		| API CA STRING			{
			if (cur_auth->ca_file != NULL)
				conf_err("api ca \"%s\": given twice", $3);
			else if (set_path(&cur_auth->ca_file, $3, "api ca",
			    0) == 0)
				check_path("api ca", $3, CONF_PATH_CA,
				    TRUST_NOGROUP);
			free($3);
		}
		| ACCOUNT KEY STRING keytype	{
			if (cur_auth->account_key != NULL)
				conf_err("account key \"%s\": given twice", $3);
			else if (set_path(&cur_auth->account_key, $3,
			    "account key", 1) == 0)
				check_path("account key", $3, CONF_PATH_KEY,
				    TRUST_NOGROUP);
			cur_auth->account_keytype = $4.type;
			cur_auth->account_keybits = $4.bits;
			free($3);
		}
		| CONTACT STRING		{
			if (cur_auth->contact != NULL)
				conf_err("contact \"%s\": given twice",
				    shorten($2));
			else if (strncasecmp($2, "mailto:", 7) != 0 ||
			    strchr($2 + 7, '@') == NULL)
				conf_err("contact \"%s\" must be "
				    "mailto:address", $2);
			else if (strlen($2) > MSG_CONTACT_MAX)
				conf_err("contact \"%s\": longer than %d bytes",
				    shorten($2), MSG_CONTACT_MAX);
			else {
				cur_auth->contact = $2;
				$2 = NULL;
			}
			free($2);
		}
		| EXTERNAL ACCOUNT STRING KEY STRING	{
			if (cur_auth->eab_kid != NULL)
				conf_err("external account \"%s\": given twice",
				    shorten($3));
			else if ($3[0] == '\0' || strlen($3) > MSG_EAB_KID_MAX)
				conf_err("external account \"%s\": the key id "
				    "must have 1 to %d bytes", shorten($3),
				    MSG_EAB_KID_MAX);
			else if (set_path(&cur_auth->eab_key, $5,
			    "external account key", 2) == 0) {
				check_path("external account key", $5,
				    CONF_PATH_MACKEY, TRUST_NOGROUP);
				cur_auth->eab_kid = $3;
				$3 = NULL;
			}
			free($3);
			free($5);
		}
		| MAX ORDERS NUMBER		{
			if (cur_auth->max_orders != 0)
				conf_err("max orders %lld: given twice", $3);
			else if ($3 < 1 || $3 > MSG_ORDERS_MAX)
				conf_err("max orders %lld: from 1 to %d", $3,
				    MSG_ORDERS_MAX);
			else
				cur_auth->max_orders = (unsigned int)$3;
		}
		| INSECURE			{
			conf_err("insecure is not supported: name the CA's "
			    "certificate with api ca instead");
		}
		;

domain		: DOMAIN STRING			{
			new_domain($2);
		} '{' domopts '}'		{
			end_domain();
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
			if (domain_has_name++)
				conf_err("domain name \"%s\": given twice", $3);
			else
				add_name($3, 1);
			free($3);
		}
		| DOMAIN KEY STRING keytype keygroup	{
			const char	*why;
			gid_t		 gid = TRUST_NOGROUP;

			if (cur_dom->key != NULL)
				conf_err("domain key \"%s\": given twice", $3);
			else if ($5 != NULL && conf_group($5, &gid, &why) == -1)
				conf_err("domain key group %s: %s", $5, why);
			else if (set_path(&cur_dom->key, $3, "domain key",
			    1) == 0) {
				cur_dom->key_group = $5;
				cur_dom->key_gid = gid;
				$5 = NULL;
				check_path("domain key", $3, CONF_PATH_KEY,
				    gid);
			}
			cur_dom->keytype = $4.type;
			cur_dom->keybits = $4.bits;
			free($3);
			free($5);
		}
		| DOMAIN CERTIFICATE STRING	{
			if (cur_dom->cert != NULL)
				conf_err("domain certificate \"%s\": given "
				    "twice", $3);
			else if (set_path(&cur_dom->cert, $3,
			    "domain certificate", 1) == 0)
				check_path("domain certificate", $3,
				    CONF_PATH_CERT, TRUST_NOGROUP);
			free($3);
		}
		| DOMAIN CHAIN CERTIFICATE STRING	{
			if (cur_dom->chain != NULL)
				conf_err("domain chain certificate \"%s\": "
				    "given twice", $4);
			else if (set_path(&cur_dom->chain, $4,
			    "domain chain certificate", 1) == 0)
				check_path("domain chain certificate", $4,
				    CONF_PATH_CERT, TRUST_NOGROUP);
			free($4);
		}
		| DOMAIN FULL CHAIN CERTIFICATE STRING	{
			if (cur_dom->fullchain != NULL)
				conf_err("domain full chain certificate "
				    "\"%s\": given twice", $5);
			else if (set_path(&cur_dom->fullchain, $5,
			    "domain full chain certificate", 1) == 0)
				check_path("domain full chain certificate", $5,
				    CONF_PATH_CERT, TRUST_NOGROUP);
			free($5);
		}
		| SIGN WITH STRING		{
			if (cur_dom->auth_name != NULL)
				conf_err("sign with %s: given twice", $3);
			else {
				cur_dom->auth_name = $3;
				cur_dom->auth_line = lex_line;
				$3 = NULL;
			}
			free($3);
		}
		| CHALLENGEDIR STRING		{
			conf_warn("challengedir is ignored: acmed answers "
			    "http-01 challenges itself");
			free($2);
		}
		| PROFILE STRING		{
			conf_warn("profile is ignored: acmed does not select "
			    "ACME profiles yet");
			free($2);
		}
		| PREFERRED CHAIN STRING	{
			if (cur_dom->preferred_chain != NULL)
				conf_err("preferred chain \"%s\": given twice",
				    shorten($3));
			else if ($3[0] == '\0')
				conf_err("preferred chain is empty");
			else if (strlen($3) > MSG_CHAIN_NAME_MAX)
				conf_err("preferred chain \"%s\": longer "
				    "than %d bytes", shorten($3),
				    MSG_CHAIN_NAME_MAX);
			else {
				cur_dom->preferred_chain = $3;
				$3 = NULL;
			}
			free($3);
		}
		| RENEW BEFORE NUMBER STRING	{
			const char	*why;

			if (cur_dom->renew_before != 0)
				conf_err("renew before %lld %s: given twice",
				    $3, $4);
			else if (conf_duration($3, $4, 1,
			    &cur_dom->renew_before, &why) == -1)
				conf_err("renew before %lld %s: %s", $3, $4,
				    why);
			free($4);
		}
		| RELOAD STRING			{
			add_action(ACTION_COMMAND, $2, NULL, NULL);
		}
		| RELOAD SHELL STRING		{
			add_action(ACTION_SHELL, $3, NULL, NULL);
		}
		| RELOAD SIGNAL STRING PID FILENAME STRING	{
			add_action(ACTION_SIGNAL, NULL, $3, $6);
		}
		| VERIFY STRING verifyport	{
			const char	*why;

			if (conf_verify(cur_dom, $2, $3, &why) == -1)
				conf_err("verify %s port %lld: %s", $2, $3,
				    why);
			free($2);
		}
		;

altname_l	: /* empty */
		| altname_l altname optcomma optnl
		;

altname		: STRING			{
			/* the lookahead may already be on a later line */
			lex_line = $<lineno>1;
			add_name($1, 0);
			free($1);
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
	{ "alternative",	ALTERNATIVE },
	{ "api",		API },
	{ "authority",		AUTHORITY },
	{ "before",		BEFORE },
	{ "ca",			CA },
	{ "certificate",	CERTIFICATE },
	{ "chain",		CHAIN },
	{ "challenged",		CHALLENGED },
	{ "challengedir",	CHALLENGEDIR },
	{ "check",		CHECK },
	{ "contact",		CONTACT },
	{ "directory",		DIRECTORY },
	{ "domain",		DOMAIN },
	{ "ecdsa",		ECDSA },
	{ "empty",		EMPTY },
	{ "event",		EVENT },
	{ "expiry",		EXPIRY },
	{ "external",		EXTERNAL },
	{ "file",		FILENAME },
	{ "full",		FULL },
	{ "group",		GROUP },
	{ "hook",		HOOK },
	{ "include",		INCLUDE },
	{ "insecure",		INSECURE },
	{ "interval",		INTERVAL },
	{ "key",		KEY },
	{ "keyproc",		KEYPROC },
	{ "listen",		LISTEN },
	{ "log",		LOG },
	{ "max",		MAX },
	{ "name",		NAME },
	{ "names",		NAMES },
	{ "netproc",		NETPROC },
	{ "on",			ON },
	{ "orders",		ORDERS },
	{ "pid",		PID },
	{ "port",		PORT },
	{ "preferred",		PREFERRED },
	{ "profile",		PROFILE },
	{ "reload",		RELOAD },
	{ "renew",		RENEW },
	{ "rsa",		RSA },
	{ "shell",		SHELL },
	{ "sign",		SIGN },
	{ "signal",		SIGNAL },
	{ "state",		STATE },
	{ "url",		URL },
	{ "user",		USER },
	{ "verify",		VERIFY },
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

/*
 * The block a statement is in, as its messages begin: "domain NAME: ",
 * "authority NAME: ", or nothing outside the blocks.
 */
static const char *
block_prefix(void)
{
	static char	 buf[CONF_MAX_HANDLE + 32];

	if (cur_dom != NULL)
		snprintf(buf, sizeof(buf), "domain %s: ", cur_dom->handle);
	else if (cur_auth != NULL)
		snprintf(buf, sizeof(buf), "authority %s: ", cur_auth->name);
	else
		buf[0] = '\0';
	return buf;
}

/* A value too long to show whole, or of several lines: its beginning. */
static const char *
shorten(const char *s)
{
	static char	 buf[LEX_TEXT];
	size_t		 n;

	n = strcspn(s, "\n");
	if (s[n] == '\0' && n < sizeof(buf))
		return s;
	if (n > sizeof(buf) - 4)
		n = sizeof(buf) - 4;
	snprintf(buf, sizeof(buf), "%.*s...", (int)n, s);
	return buf;
}

/* A message about the statement being read, named with its block. */
static void
conf_verr(int isfatal, const char *fmt, va_list ap)
{
	char	 msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	conf_msg(file->name, lex_line, !isfatal, "%s%s", block_prefix(), msg);
}

static void
conf_err(const char *fmt, ...)
{
	va_list	 ap;

	errors++;
	va_start(ap, fmt);
	conf_verr(1, fmt, ap);
	va_end(ap);
}

/* A message about another place, which names what it is about. */
static void
conf_err_at(const char *name, int line, const char *fmt, ...)
{
	va_list	 ap;

	errors++;
	va_start(ap, fmt);
	conf_vmsg(name, line, 0, fmt, ap);
	va_end(ap);
}

/* A key type that is none of those keyproc makes. */
static void
keytype_err(const char *fmt, ...)
{
	va_list	 ap;
	char	 type[LEX_TEXT];

	va_start(ap, fmt);
	vsnprintf(type, sizeof(type), fmt, ap);
	va_end(ap);
	conf_err("%s key: unknown key type \"%s\": use ecdsa, ecdsa 384, rsa "
	    "or rsa 2048|3072|4096", cur_dom != NULL ? "domain" : "account",
	    type);
}

static void
conf_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	conf_verr(0, fmt, ap);
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
		conf_err_at(lex_open_file, lex_open_line, "%sthis block is not "
		    "closed: '}' is missing", block_prefix());
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
	hint.in = lex_depth == 0 ? CONF_BLOCK_NONE : cur_dom != NULL ?
	    CONF_BLOCK_DOMAIN : cur_auth != NULL ? CONF_BLOCK_AUTHORITY :
	    CONF_BLOCK_NONE;
	snprintf(hint.block, sizeof(hint.block), "%s", lex_depth == 0 ? "" :
	    block_prefix());
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
				    "bytes", shorten(buf), LEX_MAXSTR - 2);
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
				    "%c%s", quotec, shorten(buf));
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
				    "%c%s", quotec, shorten(buf));
				return findeol();
			}
			if (p + 1 >= buf + sizeof(buf) - 1) {
				*p = '\0';
				conf_err("quoted string %c%s: longer than %d "
				    "bytes", quotec, shorten(buf),
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
				    shorten(buf), LEX_MAXSTR - 2);
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
				    shorten(buf), LEX_MAXSTR - 2);
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
		    token == STRING ? shorten(yylval.v.string) : lex_text);
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
	nf->name = conf_add_file(conf, name);
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
 * Stores an absolute path.  An output file (key or certificate, output 1)
 * must not be written for anything else, nor be an external account key;
 * an external account key (output 2) must not be an output, but may be
 * another authority's external account key too.
 */
static int
set_path(char **dst, const char *path, const char *what, int output)
{
	char	 user[256];

	if (path[0] != '/') {
		conf_err("%s \"%s\": not an absolute path", what, path);
		return -1;
	}
	if (output && conf_path_user(conf, path, user, sizeof(user),
	    output == 1) == 0) {
		conf_err("%s \"%s\": already used as %s", what, path, user);
		return -1;
	}
	if ((*dst = strdup(path)) == NULL)
		fatal("strdup");
	return 0;
}

/*
 * A file the configuration names, checked as the daemon will use it; the
 * message names the block it is in.
 */
static void
check_path(const char *what, const char *path, enum conf_path kind,
    gid_t group)
{
	char	 buf[CONF_MAX_HANDLE + 300];

	snprintf(buf, sizeof(buf), "%s%s", block_prefix(), what);
	if (check_perms)
		errors += conf_report_path(conf, file->name, lex_line, buf,
		    path, kind, group);
}

static void
set_user(int id, char *name)
{
	const char	*why;

	if (user_line[id] != 0)
		conf_err("user %s \"%s\": given twice", proc_names[id], name);
	else if ((why = conf_check_username(name)) != NULL)
		conf_err("user %s \"%s\": %s", proc_names[id], name, why);
	else {
		user_line[id] = lex_line;
		user_file[id] = file->name;
		conf->user[id] = name;
		return;
	}
	free(name);
}

static void
new_authority(const char *name)
{
	struct authority	*a;
	const char		*why;
	unsigned int		 id = 1;

	if ((why = conf_check_handle(name)) != NULL)
		conf_err("authority \"%s\": %s", name, why);
	TAILQ_FOREACH(a, &conf->authorities, entry) {
		if (strcmp(a->name, name) == 0)
			conf_err("authority %s: already defined at %s:%d",
			    name, a->file, a->line);
		id++;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL)
		fatal("calloc");
	a->id = id;
	if ((a->name = strdup(name)) == NULL)
		fatal("strdup");
	a->account_keytype = KEY_ECDSA;
	a->account_keybits = KEY_ECDSA_DEFAULT_BITS;
	a->file = file->name;
	a->line = lex_line;
	TAILQ_INSERT_TAIL(&conf->authorities, a, entry);
	cur_auth = a;
}

static void
end_authority(void)
{
	if (cur_auth == NULL)
		return;
	if (cur_auth->api_url == NULL)
		conf_err_at(cur_auth->file, cur_auth->line,
		    "authority %s: no api url", cur_auth->name);
	cur_auth = NULL;
}

static void
new_domain(const char *handle)
{
	struct domain	*d;
	const char	*why;
	unsigned int	 id = 1;

	if ((why = conf_check_handle(handle)) != NULL)
		conf_err("domain \"%s\": %s", handle, why);
	TAILQ_FOREACH(d, &conf->domains, entry) {
		if (strcmp(d->handle, handle) == 0)
			conf_err("domain %s: already defined at %s:%d",
			    handle, d->file, d->line);
		id++;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		fatal("calloc");
	d->id = id;
	if ((d->handle = strdup(handle)) == NULL)
		fatal("strdup");
	d->keytype = KEY_ECDSA;
	d->keybits = KEY_ECDSA_DEFAULT_BITS;
	d->key_gid = TRUST_NOGROUP;
	d->file = file->name;
	d->line = lex_line;
	TAILQ_INIT(&d->actions);
	TAILQ_INIT(&d->verifies);
	/* names[0] is filled by "domain name" or at the end of the block */
	if ((d->names = calloc(1, sizeof(char *))) == NULL)
		fatal("calloc");
	d->nnames = 1;
	TAILQ_INSERT_TAIL(&conf->domains, d, entry);
	cur_dom = d;
	domain_has_name = 0;
	domain_names_full = 0;
}

static void
end_domain(void)
{
	struct domain	*d = cur_dom;
	int		 saved = lex_line;

	if (d == NULL)
		return;
	/* what is missing is reported where the block begins */
	lex_line = d->line;
	if (!domain_has_name) {
		add_name(d->handle, 1);
		if (d->names[0] != NULL)
			memcpy(d->handle, d->names[0], strlen(d->handle));
	}
	if (d->key == NULL)
		conf_err("no domain key");
	if (d->cert == NULL && d->chain == NULL && d->fullchain == NULL)
		conf_err("no domain certificate, domain chain certificate or "
		    "domain full chain certificate");
	lex_line = saved;
	cur_dom = NULL;
}

/*
 * A name goes into one domain only: a certificate per name is what the
 * renewals and the authorities' rate limits expect.
 */
static void
add_name(const char *name, int primary)
{
	struct domain	*d;
	const char	*why;
	char		*lc, *s, **n;
	size_t		 i;

	if ((lc = strdup(name)) == NULL)
		fatal("strdup");
	for (s = lc; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
	if ((why = conf_check_hostname(lc)) != NULL) {
		conf_err("name \"%s\": %s", name, why);
		goto fail;
	}
	TAILQ_FOREACH(d, &conf->domains, entry) {
		for (i = 0; i < d->nnames; i++) {
			if (d->names[i] == NULL || strcmp(d->names[i], lc) != 0)
				continue;
			if (d == cur_dom)
				conf_err("name %s is listed twice", lc);
			else
				conf_err("name %s is already in domain %s at "
				    "%s:%d", lc, d->handle, d->file, d->line);
			goto fail;
		}
	}
	if (primary) {
		cur_dom->names[0] = lc;
		return;
	}
	if (cur_dom->nnames >= CONF_MAX_NAMES) {
		if (!domain_names_full++)
			conf_err("name %s: more than %d names in one "
			    "certificate", lc, CONF_MAX_NAMES);
		goto fail;
	}
	n = reallocarray(cur_dom->names, cur_dom->nnames + 1, sizeof(*n));
	if (n == NULL)
		fatal("reallocarray");
	n[cur_dom->nnames++] = lc;
	cur_dom->names = n;
	return;
fail:
	free(lc);
}

/* Takes ownership of the strings. */
static void
add_action(enum action_type type, char *cmd, char *sig, char *pidfile)
{
	struct action	*a;
	const char	*why, *prog;
	char		 buf[PATH_MAX];

	if ((a = calloc(1, sizeof(*a))) == NULL)
		fatal("calloc");
	a->type = type;
	switch (type) {
	case ACTION_COMMAND:
		if ((a->argv = conf_split_command(cmd, &why)) == NULL) {
			conf_err("reload \"%s\": %s", cmd, why);
			goto fail;
		}
		if (a->argv[0][0] != '/') {
			conf_err("reload \"%s\": %s is not an absolute path",
			    cmd, a->argv[0]);
			goto fail;
		}
		check_path("reload", a->argv[0], CONF_PATH_PROGRAM,
		    TRUST_NOGROUP);
		break;
	case ACTION_SHELL:
		if (cmd[0] == '\0') {
			conf_err("reload shell: empty command");
			goto fail;
		}
		if ((a->argv = calloc(2, sizeof(char *))) == NULL)
			fatal("calloc");
		a->argv[0] = cmd;
		cmd = NULL;
		if ((prog = conf_shell_program(a->argv[0], buf,
		    sizeof(buf))) != NULL)
			check_path("reload shell", prog, CONF_PATH_PROGRAM,
			    TRUST_NOGROUP);
		break;
	case ACTION_SIGNAL:
		if ((a->signo = conf_signal(sig)) == -1) {
			conf_err("reload signal %s: use HUP, USR1, USR2 or "
			    "TERM", sig);
			goto fail;
		}
		if (set_path(&a->pidfile, pidfile, "reload signal pid file",
		    0) == -1)
			goto fail;
		check_path("reload signal pid file", a->pidfile,
		    CONF_PATH_PIDFILE, TRUST_NOGROUP);
		break;
	}
	TAILQ_INSERT_TAIL(&cur_dom->actions, a, entry);
	a = NULL;
fail:
	if (a != NULL) {
		conf_free_argv(a->argv);
		free(a->pidfile);
		free(a);
	}
	free(cmd);
	free(sig);
	free(pidfile);
}

/*
 * Reads a configuration; with check, every file it names is checked as
 * the daemon will use it (fuzzers and unit tests go without).
 */
struct config *
config_parse(const char *filename, int check)
{
	struct config	*c;
	char		 cwd[PATH_MAX];
	int		 i, j, k;

	TAILQ_INIT(&files);
	TAILQ_INIT(&syms);
	errors = 0;
	check_perms = check;
	cur_auth = NULL;
	cur_dom = NULL;
	lex_line = lex_expanding = lex_depth = lex_reported = 0;
	lex_open_line = lex_eof = 0;
	lex_open_file = NULL;
	lex_ntok = lex_prev = lex_word = lex_keyword = stmt_n = 0;
	hint.pending = 0;
	memset(user_line, 0, sizeof(user_line));
	memset(user_file, 0, sizeof(user_file));
	seen_state = seen_empty = seen_interval = seen_expiry = seen_hook =
	    seen_pidfile = 0;
	state_line = 0;
	state_file = NULL;
	lex_text[0] = '\0';

	conf = conf_new();
	/* Checked from "/" down (trust.c), and read again after a chdir. */
	if (filename[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL) {
		if (asprintf(&conf->file, "%s/%s", cwd, filename) == -1)
			fatal("asprintf");
	} else if ((conf->file = strdup(filename)) == NULL)
		fatal("strdup");
	filename = conf->file;
	file = NULL;
	if ((file = pushfile(filename, 1)) == NULL) {
		conf_msg_flush();
		config_free(conf);
		conf = NULL;
		return NULL;
	}
	yyparse();
	if (hint.pending)
		hint_flush(0);
	/* the lexer may have stopped inside an include */
	while (file != NULL && popfile() != EOF)
		;
	lex_line = 0;

	errors += conf_finish(conf);
	if (check_perms)
		errors += conf_check_state(conf, state_file ? state_file :
		    conf->file, state_line);
	/* one user per process, so that none can ptrace another */
	for (i = PROC_PARENT + 1; i < PROC_MAX; i++)
		for (j = i + 1; j < PROC_MAX; j++) {
			if (strcmp(conf->user[i], conf->user[j]) != 0)
				continue;
			k = user_line[j] > 0 ? j : i;
			conf_err_at(user_file[k], user_line[k], "user %s "
			    "\"%s\": also the user of %s; each process needs "
			    "its own",
			    proc_names[k], conf->user[k],
			    proc_names[k == i ? j : i]);
		}

	freefiles();
	freesyms();
	conf_msg_flush();
	c = conf;
	conf = NULL;
	if (errors > 0) {
		config_free(c);
		return NULL;
	}
	return c;
}
