;;; tc classifier: counts IPv4 traffic by category and drops destination
;;; ports listed in a hash map.  0 total, 1 ssh/dns, 2 web, 3 blocked.

(defmap tc-stats :type :array :key-size 4 :value-size 8 :max-entries 4)
(defmap blocked-ports :type :hash :key-size 2 :value-size 1 :max-entries 256)

(defconstant +stat-total+ 0)
(defconstant +stat-priority+ 1)
(defconstant +stat-web+ 2)
(defconstant +stat-blocked+ 3)

(defmacro port-in (port &rest ports)
  `(or ,@(mapcar (lambda (p) `(= ,port ,p)) ports)))

(defprog tc-classify (:type :tc :section "classifier")
  (let ((data (ctx data))
        (data-end (ctx data-end)))
    ;; Ethernet + IPv4 + the ports of TCP or UDP
    (when (> (+ data 38) data-end)
      (return TC_ACT_OK))
    (when (/= (eth-type data) +ethertype-ipv4+)
      (return TC_ACT_OK))
    (let ((proto (ipv4-protocol (+ data +eth-hdr-len+))))
      (when (and (/= proto +ip-proto-tcp+) (/= proto +ip-proto-udp+))
        (return TC_ACT_OK))
      (incf (getmap tc-stats +stat-total+))
      (let ((dport (tcp-dst-port (+ data +eth-hdr-len+ +ipv4-hdr-len+))))
        (when (map-lookup blocked-ports dport)
          (incf (getmap tc-stats +stat-blocked+))
          (return TC_ACT_SHOT))
        (cond ((port-in dport 22 53) (incf (getmap tc-stats +stat-priority+)))
              ((port-in dport 80 443 8080) (incf (getmap tc-stats +stat-web+)))))))
  TC_ACT_OK)

;; run: tc-classify pkt=tcp:dport=22 -> 0
;; run: tc-classify pkt=udp:dport=53 -> 0
;; run: tc-classify pkt=tcp:dport=443 -> 0
;; run: tc-classify pkt=tcp:dport=5000 -> 0
;; run: tc-classify pkt=icmp -> 0
;; map: tc-stats 0 -> 4
;; map: tc-stats 1 -> 2
;; map: tc-stats 2 -> 1
;; map: tc-stats 3 -> 0
