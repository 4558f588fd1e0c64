#!/usr/bin/env python3
"""Generate ir/helpers.def, the table of BPF helpers, from the kernel's UAPI
header: names and ids from the FN() list, argument and return kinds derived
from the documented C prototypes.

usage: scripts/gen-helpers.py path/to/include/uapi/linux/bpf.h > ir/helpers.def
"""
import re
import sys

# Helpers added after the header we read (linux 6.1): (name, prototype).
LATER = [
    ("cgrp_storage_get",
     "void *bpf_cgrp_storage_get(struct bpf_map *map, struct cgroup *cgroup, void *value, u64 flags)"),
    ("cgrp_storage_delete",
     "long bpf_cgrp_storage_delete(struct bpf_map *map, struct cgroup *cgroup)"),
]

CTX_TYPES = ("struct sk_buff", "struct xdp_buff", "struct xdp_md", "struct pt_regs",
             "struct bpf_sock_ops", "struct sk_msg_buff", "struct sk_reuseport_md",
             "struct bpf_sock_addr", "struct bpf_sysctl", "struct bpf_perf_event_data",
             "struct sk_msg_md", "struct bpf_sk_lookup", "struct bpf_sockopt")
MAPVAL_RET = {"map_lookup_elem", "map_lookup_percpu_elem", "sk_storage_get",
              "task_storage_get", "inode_storage_get", "cgrp_storage_get", "get_local_storage"}
SOCK_RET = {"sk_lookup_tcp", "sk_lookup_udp", "skc_lookup_tcp", "sk_fullsock", "tcp_sock",
            "get_listener_sock", "skc_to_tcp6_sock", "skc_to_tcp_sock",
            "skc_to_tcp_timewait_sock", "skc_to_tcp_request_sock", "skc_to_udp6_sock",
            "skc_to_unix_sock", "skc_to_mptcp_sock"}


CTX_NAMES = ("ctx", "skb", "xdp_md", "xdp", "regs", "skops", "msg", "reuse", "sk_msg")
OUT_NAMES = ("dst", "buf", "to", "str", "res", "out", "entries", "buffer", "dst_buf")


# Where the prototype's names mislead the rules below.
OVERRIDES = {
    "csum_diff": ["MEM", "SIZE", "MEM", "SIZE", "ANY"],
    "get_func_arg": ["CTX", "ANY", "PTR_LONG"],
    "get_func_ret": ["CTX", "PTR_LONG"],
    "snprintf_btf": ["UNINIT", "SIZE", "MEM", "SIZE", "ANY"],
}
# The kernel's return types (RET_PTR_TO_...) where the C prototype's void *
# says too little: local storage always exists for the attached cgroup,
# this_cpu_ptr's variable always exists, per_cpu_ptr's CPU may not.
RET_OVERRIDES = {"kptr_xchg": "BTF_OR_NULL", "get_local_storage": "MAPVAL",
                 "this_cpu_ptr": "BTF", "per_cpu_ptr": "BTF_OR_NULL"}


def is_size(name):
    return "size" in name or name.endswith("len") or name in ("n", "len")


def arg_kind(helper, args, i):
    a = args[i].strip()
    name = re.sub(r".*[\s*]", "", a)
    ptr = "*" in a
    if a.startswith("struct bpf_map *") or name in ("ringbuf", "map"):
        return "MAP"
    if name == "unsafe_ptr" or name.startswith("unsafe"):
        return "ANY"  # an address the helper reads safely: a scalar is fine
    if not ptr:
        return "SIZE" if is_size(name) else "ANY"
    if any(a.startswith(t + " *") for t in CTX_TYPES) or name in CTX_NAMES:
        return "CTX"
    if name == "callback_fn":
        return "FUNC"
    if "callback" in name or name.endswith("_ctx"):
        return "PTR"
    if name in ("key", "key_ptr"):
        return "KEY"
    if name == "value":
        if helper.endswith("storage_get"):
            return "PTR"
        return "VALUE" if a.startswith("const") else "UNINIT"
    if re.match(r"(u64|s64|long|int|u32|__u64|__s64) \*", a) and not a.startswith("const"):
        return "PTR_LONG"
    if a.startswith("struct bpf_sock *") or a.startswith("struct sock *") \
            or a.startswith("struct sock_common *") or a.startswith("struct tcp_sock *") \
            or a.startswith("struct bpf_tcp_sock *") or name in ("sk", "sk2", "skc"):
        return "SOCK"
    if not a.startswith("const") and name in OUT_NAMES:
        return "UNINIT"
    if a.startswith("struct ") and not a.startswith(("struct bpf_dynptr", "struct bpf_timer",
                                                     "struct bpf_spin_lock", "struct bpf_sock_tuple",
                                                     "struct bpf_fib_lookup", "struct bpf_redir_neigh",
                                                     "struct bpf_pidns_info", "struct bpf_tunnel_key",
                                                     "struct bpf_xfrm_state", "struct bpf_perf_event_value")):
        return "BTF"
    return "MEM"


def ret_kind(helper, ret):
    ret = ret.strip()
    if helper in RET_OVERRIDES:
        return RET_OVERRIDES[helper]
    if helper in MAPVAL_RET:
        return "MAPVAL_OR_NULL"
    if helper == "ringbuf_reserve":
        return "MEM_OR_NULL"
    if helper in SOCK_RET:
        return "SOCK_OR_NULL"
    if helper in ("get_current_task_btf", "task_pt_regs"):
        return "BTF"
    if ret.endswith("*"):
        return "BTF_OR_NULL" if ret.startswith("struct") else "MEM_OR_NULL"
    if ret == "void":
        return "VOID"
    return "INT"


def main():
    text = open(sys.argv[1]).read()
    mapper = re.search(r"#define ___BPF_FUNC_MAPPER\(FN, ctx\.\.\.\)(.*?)\n\n", text, re.S) \
        or re.search(r"#define __BPF_FUNC_MAPPER\(FN\)(.*?)\n\n", text, re.S)
    names = re.findall(r"FN\((\w+)", mapper.group(1))
    protos = {}
    for m in re.finditer(r"^ \* ((?:[\w ]+?)[\s*]+)bpf_(\w+)\((.*?)\)\s*$", text, re.M):
        protos[m.group(2)] = (m.group(1), m.group(3))
    rows = []
    for hid, name in enumerate(names):
        if hid == 0:
            continue
        rows.append((name, hid) + protos[name])
    for i, (name, proto) in enumerate(LATER):
        m = re.match(r"((?:[\w ]+?)[\s*]+)bpf_(\w+)\((.*?)\)$", proto)
        rows.append((name, len(names) + i, m.group(1), m.group(3)))
    print("/* BPF helpers: HELPER(name, id, return kind, min args, max args, arg1..arg5).")
    print(" * Generated by scripts/gen-helpers.py from the documented prototypes of")
    print(" * include/uapi/linux/bpf.h (linux 6.1) plus the helpers added later; the")
    print(" * kinds are defined in ir/helpers.h. Do not edit by hand. */")
    for name, hid, ret, args in rows:
        args = [] if args.strip() == "void" else [a for a in args.split(",")]
        variadic = args and args[-1].strip() == "..."
        if variadic:
            args = args[:-1]
        kinds = OVERRIDES.get(name) or [arg_kind(name, args, i) for i in range(len(args))]
        lo = len(kinds)
        hi = 5 if variadic else lo
        kinds += ["ANY"] * (hi - lo)
        kinds += ["NONE"] * (5 - len(kinds))
        print("HELPER(%s, %d, %s, %d, %d, %s)" % (name, hid, ret_kind(name, ret), lo, hi,
                                                  ", ".join(kinds)))


main()
