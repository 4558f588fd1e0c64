;;; Packet bytes read without a bounds check that covers them.
(defprog p (:type :xdp)
  (let ((data (xdp-data))
        (data-end (xdp-data-end)))
    (when (> (+ data 14) data-end)
      (return XDP_PASS))
    ;; the IPv4 protocol byte is at 23, past the 14 checked bytes
    (if (= (load u8 data 23) 6) XDP_DROP XDP_PASS)))
