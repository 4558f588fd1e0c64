;;; Shifts by the register width or more.
(defprog p (:type :xdp)
  (let ((x (ktime-get-ns))
        (y u32 (ctx ingress-ifindex)))
    (if (= (<< x 64) (>> y 40)) XDP_PASS XDP_DROP)))
