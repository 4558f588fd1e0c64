;;; Per-CPU counters and an LRU table of recent sources: per-CPU arrays
;;; need no atomics between CPUs (incf still uses one); the LRU hash evicts
;;; old sources by itself.

(defmap proto-count :type :percpu-array :key-size 4 :value-size 8 :max-entries 256)
(defmap recent :type :lru-hash :key-size 4 :value-size 8 :max-entries 128)
(defmap per-source :type :percpu-hash :key-size 4 :value-size 4 :max-entries 128)

(defprog sample (:type :xdp)
  (with-ipv4 (data data-end ip)
    (incf (getmap proto-count (ipv4-protocol ip)))
    (let ((src (ipv4-src-addr ip)))
      (setf (getmap recent src) (ktime-get-ns))
      (incf (getmap per-source src) 2)))
  XDP_PASS)

;; run: sample pkt=tcp:saddr=10.1.1.1 -> 2
;; run: sample pkt=udp:saddr=10.1.1.1 -> 2
;; run: sample pkt=udp:saddr=10.1.1.2 -> 2
;; map: proto-count 6 -> 1
;; map: proto-count 17 -> 2
;; map: recent 0x0101010a -> >0
;; map: recent 0x0301010a -> absent
;; map: per-source 0x0101010a -> 4
;; map: per-source 0x0201010a -> 2
