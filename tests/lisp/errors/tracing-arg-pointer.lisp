;;; A traced function's arguments are typed from its BTF prototype: the int
;;; argument narrows, the struct pointer does not.
(defprog p (:type :fentry :section "fentry/do_sys_openat2")
  (let ((dfd (cast i32 (ctx-load u64 0)))
        (how (cast u32 (ctx-load u64 16))))
    (+ dfd how)))
