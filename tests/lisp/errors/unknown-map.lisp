;;; A map that was never defined; the defined ones are listed.
(defmap drop-count :type :array :key-size 4 :value-size 8 :max-entries 1)
(defmap pass-count :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog p (:type :xdp)
  (incf (getmap drops-count 0))
  XDP_PASS)
