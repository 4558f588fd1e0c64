;;; Connection events: every new TCP connection attempt (SYN without ACK) seen
;;; by XDP is sent to userspace as a conn-event record through a ring buffer.

(defstruct conn-event
  (src-addr u32)
  (dst-addr u32)
  (src-port u16)
  (dst-port u16)
  (proto u8)
  (flags u8)
  (pad u16)
  (seen-ns u64))

(defmap events :type :ringbuf :max-entries 4096)
(defmap sent :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog conn-logger (:type :xdp)
  (with-tcp (data data-end tcp)
    (let ((flags (tcp-flags tcp)))
      (when (and (logand flags +tcp-syn+)
                 (not (logand flags +tcp-ack+)))
        (let ((ip (+ data +eth-hdr-len+)))
          (with-ringbuf (ev events (sizeof conn-event))
            (setf (conn-event-src-addr ev) (ipv4-src-addr ip)
                  (conn-event-dst-addr ev) (ipv4-dst-addr ip)
                  (conn-event-src-port ev) (tcp-src-port tcp)
                  (conn-event-dst-port ev) (tcp-dst-port tcp)
                  (conn-event-proto ev) +ip-proto-tcp+
                  (conn-event-flags ev) flags
                  (conn-event-pad ev) 0
                  (conn-event-seen-ns ev) (ktime-get-ns))
            (incf (getmap sent 0)))))))
  XDP_PASS)

;; run: conn-logger pkt=tcp:flags=0x02,sport=4321,dport=443,saddr=192.168.1.7 -> 2
;; run: conn-logger pkt=tcp:flags=0x12 -> 2
;; run: conn-logger pkt=udp -> 2
;; map: sent 0 -> 1
;; 192.168.1.7 = 0x0701a8c0 in memory order; ports in host order
;; ringbuf: events >= 1 u32@0=0x0701a8c0 u16@8=4321 u16@10=443 u8@12=6 u8@13=2
