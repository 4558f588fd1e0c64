;;; An error inside a user macro is reported at the macro call.
(defmacro count-port (port)
  (unless (integerp port)
    (error "count-port wants a literal port, not ~s" port))
  `(incf (getmap ports ,port)))

(defmap ports :type :array :key-size 4 :value-size 8 :max-entries 65536)

(defprog p (:type :xdp)
  (count-port http)
  XDP_PASS)
