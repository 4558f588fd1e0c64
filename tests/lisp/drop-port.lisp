;;; Port blocker: drop TCP to port 9999 and count the drops; pass the rest.
;;; (The instruction-count benchmark "port blocker".)

(defmap drop-count :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog drop-port (:type :xdp :license "GPL")
  (with-tcp (data data-end tcp)
    (when (= (tcp-dst-port tcp) 9999)
      (incf (getmap drop-count 0))
      (return XDP_DROP)))
  XDP_PASS)

;; run: drop-port pkt=tcp:dport=9999 -> 1
;; run: drop-port pkt=tcp:dport=80 -> 2
;; run: drop-port pkt=udp:dport=9999 -> 2
;; run: drop-port pkt=tcp:dport=9999,truncate=40 -> 2
;; run: drop-port pkt=tcp:dport=9999,ethertype=0x86dd -> 2
;; run: drop-port pkt=tcp:dport=9999,sport=1234 -> 1
;; map: drop-count 0 -> 2
