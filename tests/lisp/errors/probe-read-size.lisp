;;; A probe read larger than the stack.
(defprog p (:type :kprobe :section "kprobe/do_sys_openat2")
  (let ((buf (struct-alloc 512)))
    (probe-read-kernel buf 1024 (pt-regs-parm2)))
  0)
