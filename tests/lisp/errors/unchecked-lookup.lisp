;;; A map-lookup result used without a NULL check.
(defmap sizes :type :hash :key-size 4 :value-size 8 :max-entries 64)

(defprog p (:type :xdp)
  (let ((v (map-lookup sizes 7)))
    (atomic-add v 0 1))
  XDP_PASS)
