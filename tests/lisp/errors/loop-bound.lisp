;;; dotimes needs a bound the verifier can see.
(defmap cfg :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog p (:type :xdp)
  (let ((n (getmap cfg 0))
        (sum 0))
    (dotimes (i n)
      (incf sum i))
    (if sum XDP_PASS XDP_DROP)))
