;;; Packet rewriting at XDP: swap Ethernet addresses and bounce ICMP echo
;;; requests back as replies (XDP_TX), fixing the checksum incrementally;
;;; memcpy through a stack buffer, header field setf with network order.

(defmap bounced :type :array :key-size 4 :value-size 8 :max-entries 1)

(defconstant +icmp-echo+ 8)
(defconstant +icmp-echo-reply+ 0)

(defprog pong (:type :xdp)
  (with-ipv4 (data data-end ip)
    (when (> (+ data 42) data-end)
      (return XDP_PASS))
    (when (and (= (ipv4-protocol ip) +ip-proto-icmp+)
               (= (icmp-type (+ ip +ipv4-hdr-len+)) +icmp-echo+))
      (let ((icmp (+ ip +ipv4-hdr-len+))
            (mac (struct-alloc 8)))
        ;; swap MAC addresses through the stack
        (memcpy mac 0 data 0 6)
        (memcpy data 0 data 6 6)
        (memcpy data 6 mac 0 6)
        ;; swap IP addresses
        (let ((src (ipv4-src-addr ip)))
          (setf (ipv4-src-addr ip) (ipv4-dst-addr ip)
                (ipv4-dst-addr ip) src))
        ;; echo -> echo reply: type 8 -> 0, checksum + 0x0800 (one's complement)
        (setf (icmp-type icmp) +icmp-echo-reply+)
        (let ((sum u32 (+ (ntohs (icmp-checksum icmp)) #x0800)))
          (setf (icmp-checksum icmp) (htons (cast u16 (+ sum (>> sum 16))))))
        (incf (getmap bounced 0))
        (return XDP_TX))))
  XDP_PASS)

;; the reply: MACs and addresses swapped, type 0, checksum 0x0800 higher
;; run: pong pkt=icmp -> 3 out@0=000000000001ffffffffffff out@26=0a0000020a000001 out@34=00000800
;; run: pong pkt=tcp -> 2
;; map: bounced 0 -> 1
