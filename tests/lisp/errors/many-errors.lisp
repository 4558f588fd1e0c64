;;; Compilation goes on after an error: every problem is reported.
(defmap m :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog p (:type :xdp)
  (setf (getmap m 0) undefined-one)
  (setf (getmap m 0) (bogus-helper 1))
  (setf (getmap m 0) (cast u12 3))
  (setf (getmap m 0) undefined-two)
  XDP_PASS)
