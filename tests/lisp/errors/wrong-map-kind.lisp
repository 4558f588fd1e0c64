;;; Operations on the wrong kind of map.
(defmap events :type :ringbuf :max-entries 4096)
(defmap counts :type :hash :key-size 4 :value-size 8 :max-entries 64)

(defprog p (:type :xdp)
  (incf (getmap events 0))
  (ringbuf-output counts (ctx-ptr) 8 0)
  (tail-call counts 1)
  XDP_PASS)
