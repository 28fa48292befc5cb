/* placeholder: replaced by the etcd branch's header */
#ifndef ACMED_ETCD_H
#define ACMED_ETCD_H
#include <stddef.h>
#include <stdint.h>
#define ETCD_PUT 0
#define ETCD_DELETE 1
struct etcd_kv { char *key; char *value; size_t valuelen; int64_t create_rev, mod_rev, version, lease; };
struct etcd_result {
	int ok; int succeeded; int64_t revision; int64_t lease; int64_t ttl;
	struct etcd_kv *kvs; size_t nkvs; char err[256];
};
typedef void etcd_cb(void *, const struct etcd_result *);
struct etcd_event { int type; struct etcd_kv kv; };
typedef void etcd_watch_cb(void *, const struct etcd_event *, int64_t, const char *);
struct etcd;
struct etcd_watch;
struct etcd *etcd_new(const char *const *, size_t, const char *, size_t,
    const char *, size_t, const char *, size_t, char *, size_t);
void etcd_free(struct etcd *);
int etcd_range(struct etcd *, const char *, int, etcd_cb *, void *);
int etcd_put(struct etcd *, const char *, const void *, size_t, int64_t, etcd_cb *, void *);
int etcd_create(struct etcd *, const char *, const void *, size_t, int64_t, etcd_cb *, void *);
int etcd_put_fenced(struct etcd *, const char *, int64_t, const char *, const void *, size_t, int64_t, etcd_cb *, void *);
int etcd_delete(struct etcd *, const char *, int, etcd_cb *, void *);
int etcd_delete_fenced(struct etcd *, const char *, int64_t, const char *, int, etcd_cb *, void *);
int etcd_lease_grant(struct etcd *, int64_t, etcd_cb *, void *);
int etcd_lease_keepalive(struct etcd *, int64_t, etcd_cb *, void *);
int etcd_lease_revoke(struct etcd *, int64_t, etcd_cb *, void *);
struct etcd_watch *etcd_watch(struct etcd *, const char *, int64_t, etcd_watch_cb *, void *);
void etcd_watch_cancel(struct etcd_watch *);
#endif
