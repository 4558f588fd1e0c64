;;; Expression parsers in when-let chains: parse-ipv4, parse-udp and
;;; parse-tcp give a header pointer or fail (falling to the else arm), and
;;; case dispatches on a DNS-ish port set.

(defmap kinds :type :array :key-size 4 :value-size 8 :max-entries 8)

(defprog parse-demo (:type :xdp)
  (let ((data (xdp-data))
        (data-end (xdp-data-end)))
    (if-let (udp (parse-udp data data-end))
      (case (udp-dst-port udp)
        (53 (incf (getmap kinds 0)))
        ((67 68) (incf (getmap kinds 1)))
        (otherwise (incf (getmap kinds 2))))
      (when-let ((ip (parse-ipv4 data data-end))
                 (tcp (parse-tcp data data-end)))
        (when (= (ipv4-ttl ip) 1)
          (return XDP_DROP))
        (incf (getmap kinds (if (logand (tcp-flags tcp) +tcp-syn+) 3 4))))))
  XDP_PASS)

;; run: parse-demo pkt=udp:dport=53 -> 2
;; run: parse-demo pkt=udp:dport=68 -> 2
;; run: parse-demo pkt=udp:dport=99 -> 2
;; run: parse-demo pkt=tcp:flags=0x02 -> 2
;; run: parse-demo pkt=tcp:flags=0x10 -> 2
;; run: parse-demo pkt=tcp:ttl=1 -> 1
;; run: parse-demo pkt=icmp -> 2
;; map: kinds 0 -> 1
;; map: kinds 1 -> 1
;; map: kinds 2 -> 1
;; map: kinds 3 -> 1
;; map: kinds 4 -> 1
