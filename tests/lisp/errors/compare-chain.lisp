;;; fuzz_dsl reproducer: a comparison of three values used as a test, here
;;; with unknown names, once recursed until the stack overflowed.
(defprog drop-port (:type :xdp :license "GPL")
  (with-tcp (data data-end tcp)
    (when (= d-t(cpts-port tcp) 9999)
      (return XDP_DROP)))
  XDP_PASS)
