;;; Tail-call dispatcher: the XDP entry point jumps to a per-protocol handler
;;; through a program array indexed by the IP protocol; protocols without a
;;; handler fall through and pass.

(defmap jt :type :prog-array :key-size 4 :value-size 4 :max-entries 256)
(defmap stats :type :array :key-size 4 :value-size 8 :max-entries 4)

(defconstant +stat-dispatched+ 0)
(defconstant +stat-tcp+ 1)
(defconstant +stat-udp+ 2)
(defconstant +stat-fallthrough+ 3)

(defprog dispatch (:type :xdp :section "xdp")
  (with-ipv4 (data data-end ip)
    (let ((proto (ipv4-protocol ip)))
      (declare (type u32 proto))
      (incf (getmap stats +stat-dispatched+))
      (tail-call jt proto)
      ;; only reached when jt has no program for proto
      (incf (getmap stats +stat-fallthrough+))))
  XDP_PASS)

(defprog tcp-handler (:type :xdp :section "xdp")
  (incf (getmap stats +stat-tcp+))
  XDP_DROP)

(defprog udp-handler (:type :xdp :section "xdp")
  (incf (getmap stats +stat-udp+))
  XDP_TX)

;; prog-array: jt 6 tcp-handler
;; prog-array: jt 17 udp-handler
;; run: dispatch pkt=tcp -> 1
;; run: dispatch pkt=udp -> 3
;; run: dispatch pkt=icmp -> 2
;; run: dispatch pkt=arp -> 2
;; map: stats 0 -> 3
;; map: stats 1 -> 1
;; map: stats 2 -> 1
;; map: stats 3 -> 1
