;;; Pointers and integers do not mix.
(defmap m :type :hash :key-size 4 :value-size 8 :max-entries 8)

(defprog p (:type :xdp)
  (let ((ptr (map-lookup m 1))
        (n u16 (xdp-data)))
    (setf ptr 5)
    (if (< ptr n) XDP_PASS XDP_DROP)))
