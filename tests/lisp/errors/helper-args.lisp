;;; Helpers have fixed argument counts.
(defprog p (:type :xdp)
  (get-current-comm 16)
  (map-lookup-elem)
  XDP_PASS)
