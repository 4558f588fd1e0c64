;;; Helper memory arguments must be pointers.
(defprog p (:type :tracepoint :section "tracepoint/syscalls/sys_enter_openat")
  (let ((len u32 16)
        (addr (ctx-load u64 16)))
    (get-current-comm len 16)
    (get-current-comm addr 16))
  0)
