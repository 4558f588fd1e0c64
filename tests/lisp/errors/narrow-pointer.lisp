;;; A 32-bit value where a pointer is needed.
(defprog p (:type :tracepoint :section "tracepoint/syscalls/sys_enter_openat")
  (let ((buf (struct-alloc 64))
        (name u32 (ctx-load u64 24)))
    (probe-read-user-str buf 64 name))
  0)
