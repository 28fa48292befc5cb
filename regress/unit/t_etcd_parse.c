/*
 * Copyright (c) 2026 acmed maintainers
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
 * The parsers of etcd's answers (acmed/netproc/etcd_parse.c) on the
 * documents etcd 3.4's JSON gateway sends, and their refusal of what is
 * malformed or beyond the bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acmed/netproc/etcd.h"
#include "test.h"

static int
answer(const char *doc, struct etcd_result *r)
{
	return etcd_parse_answer(doc, strlen(doc), r);
}

static void
test_range(void)
{
	struct etcd_result	 r;

	CHECK(answer("{\"header\":{\"cluster_id\":\"1\",\"revision\":\"7\"},"
	    "\"kvs\":[{\"key\":\"L3QvYQ==\",\"create_revision\":\"2\","
	    "\"mod_revision\":\"3\",\"version\":\"2\",\"value\":\"aGVsbG8=\"},"
	    "{\"key\":\"L3QvYg==\",\"create_revision\":\"5\",\"mod_revision\":"
	    "\"5\",\"version\":\"1\",\"value\":\"AP8KQQ==\",\"lease\":"
	    "\"7587869371845393921\"}],\"count\":\"2\"}", &r) == 0,
	    "a range answer parses");
	CHECK(r.ok && r.revision == 7 && r.nkvs == 2, "revision 7, two kvs");
	CHECK_STR(r.kvs[0].key, "/t/a", "first key");
	CHECK(r.kvs[0].valuelen == 5 && strcmp(r.kvs[0].value, "hello") == 0 &&
	    r.kvs[0].create_rev == 2 && r.kvs[0].mod_rev == 3 &&
	    r.kvs[0].version == 2 && r.kvs[0].lease == 0, "first kv's fields");
	CHECK(r.kvs[1].valuelen == 4 && memcmp(r.kvs[1].value, "\0\377\nA",
	    5) == 0 && r.kvs[1].lease == 7587869371845393921LL,
	    "a binary value, NUL-terminated, and a 63-bit lease");
	etcd_result_free(&r);
	CHECK(answer("{\"header\":{\"revision\":\"3\"},\"count\":\"0\"}",
	    &r) == 0 && r.ok && r.nkvs == 0 && r.kvs == NULL,
	    "an empty range: no kvs");
	CHECK(answer("{\"header\":{\"revision\":\"3\"},\"kvs\":[{\"key\":"
	    "\"YQ==\"}]}", &r) == 0 && r.nkvs == 1 && r.kvs[0].valuelen == 0 &&
	    r.kvs[0].value[0] == '\0', "a kv without a value: empty");
	etcd_result_free(&r);
}

static void
test_txn_lease(void)
{
	struct etcd_result	 r;

	CHECK(answer("{\"header\":{\"revision\":\"10\"},\"succeeded\":true,"
	    "\"responses\":[{\"response_put\":{\"header\":{\"revision\":"
	    "\"10\"}}}]}", &r) == 0 && r.succeeded && r.revision == 10 &&
	    r.nkvs == 0, "a txn that succeeded");
	CHECK(answer("{\"header\":{\"revision\":\"9\"},\"responses\":[{"
	    "\"response_range\":{\"kvs\":[{\"key\":\"bG9jaw==\","
	    "\"create_revision\":\"4\",\"value\":\"bWU=\"}]}}]}", &r) == 0 &&
	    !r.succeeded && r.nkvs == 1 && r.kvs[0].create_rev == 4 &&
	    strcmp(r.kvs[0].key, "lock") == 0,
	    "a txn that failed: succeeded 0, the range's kv");
	etcd_result_free(&r);
	CHECK(answer("{\"header\":{\"revision\":\"10\"},\"ID\":\"75878\","
	    "\"TTL\":\"30\"}", &r) == 0 && r.lease == 75878 && r.ttl == 30,
	    "a lease grant: ID and TTL");
	CHECK(answer("{\"result\":{\"header\":{\"revision\":\"10\"},\"ID\":"
	    "\"75878\",\"TTL\":\"12\"}}", &r) == 0 && r.lease == 75878 &&
	    r.ttl == 12 && r.revision == 10, "a keepalive's stream line");
	CHECK(answer("{\"result\":{\"header\":{},\"ID\":\"75878\"}}", &r) ==
	    0 && r.ttl == 0, "keepalive of an expired lease: TTL 0");
	CHECK(answer("{\"header\":{\"revision\":12},\"ID\":5}", &r) == 0 &&
	    r.revision == 12 && r.lease == 5, "int64s as JSON numbers too");
}

static void
test_refused(void)
{
	static const char *bad[] = {
		"",
		"[]",
		"{\"header\":{\"revision\":\"x\"}}",
		"{\"header\":{\"revision\":\"12a\"}}",
		"{\"header\":{\"revision\":\"99999999999999999999\"}}",
		"{\"header\":{\"revision\":true}}",
		"{\"kvs\":{}}",
		"{\"kvs\":[1]}",
		"{\"kvs\":[{\"key\":\"L3Q\"}]}",		/* no padding */
		"{\"kvs\":[{\"key\":\"L3-_\"}]}",		/* url alphabet */
		"{\"kvs\":[{\"key\":\"\"}]}",			/* empty key */
		"{\"kvs\":[{}]}",				/* no key */
		"{\"kvs\":[{\"key\":\"YQBi\"}]}",		/* NUL in key */
		"{\"kvs\":[{\"key\":\"YQ==\",\"value\":7}]}",
		"{\"succeeded\":\"yes\"}",
		"{\"responses\":{}}",
		"{\"result\":[]}",
		"{\"header\":{}} trailing",
	};
	struct etcd_result	 r;
	size_t			 i;
	char			*big, *p;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(answer(bad[i], &r) == -1 && !r.ok && r.kvs == NULL &&
		    r.err[0] != '\0', "refused: %s", bad[i]);
	}
	CHECK(answer("{\"error\":\"etcdserver: requested lease not found\","
	    "\"message\":\"etcdserver: requested lease not found\",\"code\":5}",
	    &r) == -1, "an error answer is a failure");
	CHECK_STR(r.err, "etcd: etcdserver: requested lease not found",
	    "with etcd's message");

	/* A key one byte over the bound. */
	if ((big = malloc(ETCD_MAX_KEY * 2 + 64)) == NULL)
		abort();
	p = big + sprintf(big, "{\"kvs\":[{\"key\":\"");
	for (i = 0; i < (ETCD_MAX_KEY + 3) / 3; i++)
		p += sprintf(p, "YWFh");
	sprintf(p, "\"}]}");
	CHECK(answer(big, &r) == -1 && strstr(r.err, "longer") != NULL,
	    "a key longer than %d bytes is refused", ETCD_MAX_KEY);
	free(big);
}

static void
test_watch(void)
{
	struct etcd_watch_msg	 m;
	const char		*s;

	s = "{\"result\":{\"header\":{\"revision\":\"4\"},\"created\":true}}";
	CHECK(etcd_parse_watch(s, strlen(s), &m) == 0 && m.created &&
	    !m.canceled && m.nevents == 0 && m.revision == 4,
	    "a watch's creation");
	s = "{\"result\":{\"header\":{\"revision\":\"6\"},\"events\":[{\"kv\":"
	    "{\"key\":\"L3cvYQ==\",\"create_revision\":\"2\",\"mod_revision\":"
	    "\"2\",\"version\":\"1\",\"value\":\"MQ==\"}},{\"type\":\"DELETE\","
	    "\"kv\":{\"key\":\"L3cvYQ==\",\"mod_revision\":\"5\"}}]}}";
	CHECK(etcd_parse_watch(s, strlen(s), &m) == 0 && m.nevents == 2,
	    "two events");
	CHECK(m.events[0].type == ETCD_PUT && strcmp(m.events[0].kv.value,
	    "1") == 0 && m.events[0].kv.mod_rev == 2,
	    "a PUT (its type left out, proto3's zero)");
	CHECK(m.events[1].type == ETCD_DELETE && m.events[1].kv.mod_rev == 5 &&
	    strcmp(m.events[1].kv.key, "/w/a") == 0, "then a DELETE");
	etcd_watch_msg_free(&m);
	s = "{\"result\":{\"header\":{},\"canceled\":true,"
	    "\"compact_revision\":\"4\"}}";
	CHECK(etcd_parse_watch(s, strlen(s), &m) == 0 && m.canceled &&
	    m.compact_rev == 4 && strstr(m.err, "compacted") != NULL,
	    "a compacted start revision: canceled, its revision");
	s = "{\"error\":{\"grpc_code\":14,\"message\":\"etcdserver: no "
	    "leader\"}}";
	CHECK(etcd_parse_watch(s, strlen(s), &m) == -1 &&
	    strcmp(m.err, "etcd: etcdserver: no leader") == 0,
	    "a stream's error: its message");
	s = "{\"result\":{\"events\":[{\"type\":\"MOVE\",\"kv\":{\"key\":"
	    "\"YQ==\"}}]}}";
	CHECK(etcd_parse_watch(s, strlen(s), &m) == -1 && m.events == NULL,
	    "an unknown event type is refused");
	s = "{\"result\":{\"events\":[{\"kv\":{\"key\":\"YQ==\"}},{\"kv\":1}]}}";
	CHECK(etcd_parse_watch(s, strlen(s), &m) == -1 && m.events == NULL &&
	    m.nevents == 0, "a bad second event: nothing kept");
	CHECK(etcd_parse_watch("{}", 2, &m) == -1, "no result is refused");
}

int
main(void)
{
	test_range();
	test_txn_lease();
	test_refused();
	test_watch();
	return test_done();
}
