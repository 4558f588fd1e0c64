;;; cgroup_skb egress accounting: bytes per protocol family and IP protocol,
;;; and a drop of packets marked 0xdead.  cgroup_skb programs return 1 to
;;; let a packet through and 0 to drop it.

(defmap bytes :type :hash :key-size 4 :value-size 8 :max-entries 64)

(defprog egress-account (:type :cgroup-skb :section "cgroup_skb/egress")
  (when (= (ctx mark) #xdead)
    (return 0))
  (let ((proto (ctx protocol)))
    ;; __sk_buff.protocol is the big-endian ethertype
    (incf (getmap bytes (ntohs (cast u16 proto))) (ctx len)))
  1)

;; run: egress-account pkt=udp -> 1
;; run: egress-account pkt=tcp:payload=40 -> 1
;; run: egress-account pkt=tcp ctx=skb:mark=0xdead -> 0
;; map: bytes 0x0800 -> >0
