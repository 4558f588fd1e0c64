;;; XDP packet counter: every packet bumps slot 0 of an array map and passes.
;;; (A benchmark of bench/dsl-insns; tests/lisp has it with test expectations.)

(defmap pkt-count :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog count-packets (:type :xdp :license "GPL")
  (incf (getmap pkt-count 0))
  XDP_PASS)

