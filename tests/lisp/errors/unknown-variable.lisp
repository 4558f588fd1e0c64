;;; An unknown variable: the error lists the variables in scope.
(defmap counts :type :array :key-size 4 :value-size 8 :max-entries 4)

(defprog p (:type :xdp)
  (let ((packet-len (- (ctx data-end) (ctx data)))
        (slot 1))
    (setf (getmap counts slot) packet-lenght))
  XDP_PASS)
