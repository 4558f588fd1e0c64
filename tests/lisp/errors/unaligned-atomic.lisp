;;; An atomic add at an offset that is not a multiple of its size.
(defmap stats :type :array :key-size 4 :value-size 16 :max-entries 1)

(defprog p (:type :xdp)
  (when-let ((v (map-lookup stats 0)))
    (atomic-add v 4 1))
  XDP_PASS)
