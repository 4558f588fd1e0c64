;;; Port blocker: drop TCP to port 9999 and count the drops; pass the rest.
;;; (A benchmark of bench/dsl-insns; tests/lisp has it with test expectations.)

(defmap drop-count :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog drop-port (:type :xdp :license "GPL")
  (with-tcp (data data-end tcp)
    (when (= (tcp-dst-port tcp) 9999)
      (incf (getmap drop-count 0))
      (return XDP_DROP)))
  XDP_PASS)

