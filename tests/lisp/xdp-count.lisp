;;; XDP packet counter: every packet bumps slot 0 of an array map and passes.
;;; (The instruction-count benchmark "packet counter", see bench/dsl-insns.)

(defmap pkt-count :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog count-packets (:type :xdp :license "GPL")
  (incf (getmap pkt-count 0))
  XDP_PASS)

;; run: count-packets pkt=tcp -> 2
;; run: count-packets pkt=udp -> 2
;; run: count-packets pkt=arp -> 2
;; map: pkt-count 0 -> 3
