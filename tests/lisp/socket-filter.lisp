;;; Socket filter: keep only UDP datagrams to port 53 (DNS) and count what
;;; was cut; a socket filter returns how many bytes to keep, 0 drops.

(defmap cut :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog dns-only (:type :socket-filter)
  (let ((proto u8 0)
        (dport u16 0))
    ;; a socket filter reads the packet (from the IP header on) with skb-load-bytes
    (let ((buf (struct-alloc 4)))
      (when (s< (skb-load-bytes (ctx-ptr) 9 buf 1) 0)
        (return 0))
      (setf proto (load u8 buf 0))
      (when (s< (skb-load-bytes (ctx-ptr) 22 buf 2) 0)
        (return 0))
      (setf dport (ntohs (load u16 buf 0))))
    (if (and (= proto +ip-proto-udp+) (= dport 53))
        (ctx len)
        (progn (incf (getmap cut 0)) 0))))

;; run: dns-only pkt=udp:dport=53 -> 46
;; run: dns-only pkt=udp:dport=54 -> 0
;; run: dns-only pkt=tcp:dport=53 -> 0
;; map: cut 0 -> 2
