;;; XDP redirection through a device map: packets to port 4789 go to the
;;; interface in slot 0 when it is configured; redirect-map falls back to
;;; the verdict in its flags (XDP_PASS) when the slot is empty.

(defmap tx-ports :type :devmap :key-size 4 :value-size 4 :max-entries 8)
(defmap redirected :type :array :key-size 4 :value-size 8 :max-entries 1)

(defprog vxlan-out (:type :xdp)
  (with-udp (data data-end udp)
    (when (= (udp-dst-port udp) 4789)
      (incf (getmap redirected 0))
      (return (redirect-map tx-ports 0 XDP_PASS))))
  XDP_PASS)

;; run: vxlan-out pkt=udp:dport=4789 -> 2
;; run: vxlan-out pkt=udp:dport=53 -> 2
;; map: redirected 0 -> 1
