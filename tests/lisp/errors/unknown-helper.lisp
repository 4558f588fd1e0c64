;;; A misspelt helper.
(defprog p (:type :xdp)
  (let ((t0 (ktime-get-nsec)))
    (if t0 XDP_PASS XDP_DROP)))
