;;; SYN-flood limiter: count SYNs per source address in a hash map, drop a
;;; source once it sent more than the threshold; stats in an array:
;;; 0 = SYNs seen, 1 = dropped, 2 = new sources.
;;; (The instruction-count benchmark "SYN-flood limiter".)

(defmap syn-counter :type :hash :key-size 4 :value-size 8 :max-entries 32768)
(defmap syn-stats :type :array :key-size 4 :value-size 8 :max-entries 3)

(defconstant +syn-threshold+ 2)

(defprog synflood (:type :xdp :license "GPL")
  (with-tcp (data data-end tcp)
    (when (= (logand (tcp-flags tcp) #x12) +tcp-syn+)
      (incf (getmap syn-stats 0))
      (let ((src (ipv4-src-addr (+ data +eth-hdr-len+))))
        (if-let (p (map-lookup syn-counter src))
          (if (> (load u64 p 0) +syn-threshold+)
              (progn
                (incf (getmap syn-stats 1))
                (return XDP_DROP))
              (atomic-add p 0 1))
          (progn
            (incf (getmap syn-stats 2))
            (setf (getmap syn-counter src) 1))))))
  XDP_PASS)

;; A SYN-ACK is not a SYN; data packets pass.
;; run: synflood pkt=tcp:flags=0x12 -> 2
;; run: synflood pkt=tcp:flags=0x10 -> 2
;; Four SYNs from 10.0.0.1 pass (1, 2, 3 counted), the fifth is dropped.
;; run: synflood pkt=tcp:flags=0x02,saddr=10.0.0.1 -> 2
;; run: synflood pkt=tcp:flags=0x02,saddr=10.0.0.1 -> 2
;; run: synflood pkt=tcp:flags=0x02,saddr=10.0.0.1 -> 2
;; run: synflood pkt=tcp:flags=0x02,saddr=10.0.0.1 -> 1
;; run: synflood pkt=tcp:flags=0x02,saddr=10.0.0.9 -> 2
;; 10.0.0.1 is 0x0100000a in host order
;; map: syn-counter 0x0100000a -> 3
;; map: syn-counter 0x0900000a -> 1
;; map: syn-stats 0 -> 5
;; map: syn-stats 1 -> 1
;; map: syn-stats 2 -> 2
