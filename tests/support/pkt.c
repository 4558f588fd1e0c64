/* Test inputs for the DSL corpus runner: packets described in one line
 * (`tcp:dport=9999,flags=0x02`), BPF_PROG_TEST_RUN contexts
 * (`sk_lookup:protocol=6,local_port=80`) and hex strings. */
#include "tests/support/support.h"

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t rt_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	while (s[0] && s[1] && s[0] != '"' && n < max) {
		char b[3] = { s[0], s[1], 0 };
		out[n++] = (uint8_t)strtoul(b, NULL, 16);
		s += 2;
	}
	return n;
}

static uint32_t ip4(const char *s)
{
	struct in_addr a;
	return inet_pton(AF_INET, s, &a) == 1 ? a.s_addr : 0;
}

/* key=value pairs after ':' separated by ','; calls fn for each */
static bool each_kv(const char *spec, bool (*fn)(void *, const char *, const char *), void *data)
{
	const char *p = strchr(spec, ':');
	if (!p)
		return true;
	p++;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char kv[128];
		snprintf(kv, sizeof(kv), "%.*s", (int)n, p);
		char *eq = strchr(kv, '=');
		if (!eq)
			return false;
		*eq = 0;
		if (!fn(data, kv, eq + 1))
			return false;
		p += n;
		if (*p == ',')
			p++;
	}
	return true;
}

struct pkt {
	uint16_t sport, dport, ethertype, payload;
	uint32_t saddr, daddr;
	uint8_t flags, ttl, proto;
	int truncate;
};

static bool pkt_kv(void *data, const char *k, const char *v)
{
	struct pkt *p = data;
	unsigned long x = strtoul(v, NULL, 0);
	if (!strcmp(k, "sport"))
		p->sport = (uint16_t)x;
	else if (!strcmp(k, "dport"))
		p->dport = (uint16_t)x;
	else if (!strcmp(k, "saddr"))
		p->saddr = ip4(v);
	else if (!strcmp(k, "daddr"))
		p->daddr = ip4(v);
	else if (!strcmp(k, "flags"))
		p->flags = (uint8_t)x;
	else if (!strcmp(k, "ttl"))
		p->ttl = (uint8_t)x;
	else if (!strcmp(k, "proto"))
		p->proto = (uint8_t)x;
	else if (!strcmp(k, "ethertype"))
		p->ethertype = (uint16_t)x;
	else if (!strcmp(k, "payload"))
		p->payload = (uint16_t)x;
	else if (!strcmp(k, "truncate"))
		p->truncate = (int)x;
	else
		return false;
	return true;
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* eth | ipv4 | tcp | udp | icmp | arp | ipv6 [:key=value,...] */
size_t rt_packet(const char *spec, uint8_t *out, size_t max, bool *ok)
{
	struct pkt p = { .sport = 40000,
			 .dport = 80,
			 .saddr = ip4("10.0.0.1"),
			 .daddr = ip4("10.0.0.2"),
			 .ttl = 64,
			 .truncate = -1 };
	*ok = true;
	const char *kind = spec;
	size_t kl = strcspn(spec, ":");
	bool tcp = !strncmp(kind, "tcp", kl) && kl == 3, udp = !strncmp(kind, "udp", kl) && kl == 3;
	bool icmp = !strncmp(kind, "icmp", kl) && kl == 4,
	     v4 = !strncmp(kind, "ipv4", kl) && kl == 4;
	bool arp = !strncmp(kind, "arp", kl) && kl == 3, v6 = !strncmp(kind, "ipv6", kl) && kl == 4;
	bool eth = !strncmp(kind, "eth", kl) && kl == 3;
	if (!(tcp || udp || icmp || v4 || arp || v6 || eth)) {
		*ok = false;
		return 0;
	}
	p.proto = tcp ? 6 : udp ? 17 : icmp ? 1 : 0;
	p.ethertype = arp ? 0x0806 : v6 ? 0x86dd : 0x0800;
	if (!each_kv(spec, pkt_kv, &p)) {
		*ok = false;
		return 0;
	}
	uint8_t b[1600] = { 0 };
	memset(b, 0xff, 6);
	b[11] = 1;
	put16(b + 12, p.ethertype);
	size_t n = 14;
	if (v6) {
		b[14] = 0x60;
		b[20] = p.proto ? p.proto : 59;
		b[21] = p.ttl;
		n += 40;
	} else if (!eth && !arp) {
		size_t l4 = tcp ? 20 : udp ? 8 : icmp ? 8 : 0;
		uint8_t *ip = b + 14;
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + l4 + p.payload));
		put16(ip + 6, 0x4000);
		ip[8] = p.ttl;
		ip[9] = p.proto;
		memcpy(ip + 12, &p.saddr, 4);
		memcpy(ip + 16, &p.daddr, 4);
		uint8_t *l = ip + 20;
		if (tcp) {
			put16(l, p.sport);
			put16(l + 2, p.dport);
			l[12] = 0x50;
			l[13] = p.flags;
			put16(l + 14, 512);
		} else if (udp) {
			put16(l, p.sport);
			put16(l + 2, p.dport);
			put16(l + 4, (uint16_t)(8 + p.payload));
		} else if (icmp) {
			l[0] = 8;
		}
		n += 20 + l4 + p.payload;
	} else if (arp) {
		n += 28;
	}
	if (n < 60)
		n = 60; /* minimum Ethernet frame */
	if (p.truncate >= 0 && (size_t)p.truncate < n)
		n = (size_t)p.truncate;
	if (n > max)
		n = max;
	memcpy(out, b, n);
	return n;
}

static bool sk_lookup_kv(void *data, const char *k, const char *v)
{
	struct bpf_sk_lookup *c = data;
	unsigned long x = strtoul(v, NULL, 0);
	if (!strcmp(k, "family"))
		c->family = (uint32_t)x;
	else if (!strcmp(k, "protocol"))
		c->protocol = (uint32_t)x;
	else if (!strcmp(k, "remote_ip4"))
		c->remote_ip4 = ip4(v);
	else if (!strcmp(k, "local_ip4"))
		c->local_ip4 = ip4(v);
	else if (!strcmp(k, "remote_port"))
		c->remote_port = htons((uint16_t)x);
	else if (!strcmp(k, "local_port"))
		c->local_port = (uint32_t)x;
	else
		return false;
	return true;
}

static bool skb_kv(void *data, const char *k, const char *v)
{
	struct __sk_buff *c = data;
	unsigned long x = strtoul(v, NULL, 0);
	if (!strcmp(k, "mark"))
		c->mark = (uint32_t)x;
	else if (!strcmp(k, "priority"))
		c->priority = (uint32_t)x;
	else if (!strcmp(k, "ifindex"))
		c->ifindex = (uint32_t)x;
	else if (!strcmp(k, "tc_index"))
		c->tc_index = (uint32_t)x;
	else if (!strncmp(k, "cb", 2))
		c->cb[atoi(k + 2) % 5] = (uint32_t)x;
	else
		return false;
	return true;
}

/* sk_lookup:field=v,... | skb:field=v,... */
size_t rt_context(const char *spec, uint8_t *out, size_t max, bool *ok)
{
	*ok = true;
	if (!strncmp(spec, "sk_lookup", 9)) {
		struct bpf_sk_lookup c = { .family = 2, .protocol = 6 };
		*ok = each_kv(spec, sk_lookup_kv, &c) && sizeof(c) <= max;
		memcpy(out, &c, sizeof(c));
		return sizeof(c);
	}
	if (!strncmp(spec, "skb", 3)) {
		struct __sk_buff c = { 0 };
		*ok = each_kv(spec, skb_kv, &c) && sizeof(c) <= max;
		memcpy(out, &c, sizeof(c));
		return sizeof(c);
	}
	*ok = false;
	return 0;
}
